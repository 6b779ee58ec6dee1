#!/bin/sh
# /init of the lab's initramfs (busybox sh). Progress goes to the console (ttyS0); the results go to ttyS1
# between "=== BEGIN X" / "=== END X" lines, which capture/lab/run splits on the host. The last line on
# ttyS1 is "=== LAB END": without it the host treats the boot as failed.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || mount -t debugfs debugfs /sys/kernel/debug
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
conf() { sed -n "s/^$1=//p" /lab/scenario.conf; }
MODE=$(conf capture)
PARAMS=$(conf params)
OUT=/dev/ttyS1
KIT=/lab/ftrace-probes.sh

echo "=== LAB $(uname -r) up $(cut -d' ' -f1 /proc/uptime) s, scenario $(conf name), capture $MODE"
cd /tmp
{
  echo "=== BEGIN KIT"
  if [ "$MODE" = module ]; then
    # The kit's own warnings (functions missing or probes the kernel refused) are part of the result.
    TRACEFS=$T sh $KIT start 2>&1
  else
    echo "boot capture: the kit is not started (its start clears the buffer that holds the boot events)"
  fi
  echo "probes defined: $(grep -c '^[pr][0-9]*:pasid_ledger/' $T/kprobe_events)"
  grep '^[pr][0-9]*:pasid_ledger/' $T/kprobe_events
  echo "=== END KIT"
} > $OUT

if [ -f /lab/scenario.ko ]; then
  echo "=== LAB insmod scenario.ko $PARAMS"
  # shellcheck disable=SC2086
  insmod /lab/scenario.ko $PARAMS
  rc=$?
  mod=$(sed -n '1s/ .*//p' /proc/modules)
  rrc=none
  [ -n "$mod" ] && { rmmod "$mod"; rrc=$?; }
  { echo "=== BEGIN INSMOD"; echo "insmod=$rc"; echo "rmmod=$rrc"; echo "=== END INSMOD"; } > $OUT
fi

TRACEFS=$T sh $KIT stop /tmp/capture.txt 2>/tmp/kit-stop.txt || cat $T/trace > /tmp/capture.txt
{
  echo "=== BEGIN CAPTURE"; cat /tmp/capture.txt; echo "=== END CAPTURE"
  echo "=== BEGIN PROFILE"; cat /tmp/capture.txt.profile 2>/dev/null; echo "=== END PROFILE"
  echo "=== BEGIN DMESG"; dmesg; echo "=== END DMESG"
  echo "=== LAB END"
} > $OUT
echo "=== LAB done up $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
