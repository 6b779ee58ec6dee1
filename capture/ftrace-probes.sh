#!/bin/sh
# pasid-ledger capture through tracefs kprobe/kretprobe events (no BTF or bpftrace needed).
#   sudo sh ftrace-probes.sh start [KERNEL]   define + enable the probes, clear the buffer
#   ... run the workload ...
#   sudo sh ftrace-probes.sh stop  [OUT]      disable, copy the buffer to OUT (default capture.txt)
#   sudo sh ftrace-probes.sh remove           delete the probe definitions
#   sh ftrace-probes.sh list [KERNEL]         print the probe definitions for KERNEL
#   sh ftrace-probes.sh cmdline [KERNEL]      print kprobe_event= for boot-time capture (VT-d allocator, <= v6.3)
# Field names are the kernel parameter names pasid-ledger records use. Device names are read in the
# kernel: kobj is the first member of struct device and name the first of struct kobject, hence
# +0(+0($argN)):string. Pointers are :x64 (printed 0x...), ids :u32 (decimal); returns ret=$retval:x64,
# except for void functions: kernels with BTF probe arguments (CONFIG_PROBE_EVENTS_BTF_ARGS, v6.6+)
# reject $retval on a function that returns void, so their return probes are bare `r:` probes.
set -eu

TRACEFS=${TRACEFS:-/sys/kernel/tracing}
[ -d "$TRACEFS/events" ] || TRACEFS=/sys/kernel/debug/tracing
GROUP=pasid_ledger
# Ring buffer: a total over all CPUs (buffer_size_kb is per CPU), so a 64-CPU box does not pin 4 GiB.
BUFFER_TOTAL_KB=${BUFFER_TOTAL_KB:-131072}
KALLSYMS=${KALLSYMS:-/proc/kallsyms}

kernel_code() {
  release=${1:-$(uname -r)}
  major=$(printf '%s' "$release" | sed 's/^v//; s/\..*//')
  minor=$(printf '%s' "$release" | sed 's/^v//; s/^[0-9]*\.//; s/[^0-9].*//')
  echo $((major * 100 + minor))
}

dev() { printf 'dev=+0(+0($arg%s)):string' "$1"; }

# The kernel log in the same buffer: the printk:console tracepoint (in the logging task's context from
# v5.19, printk_sprint), so the importer can tie a WARN, BUG or oops to the probed call it happened in.
CONSOLE_EVENT=events/printk/console
# An oops switches tracing off (oops_enter() calls tracing_off()) before it prints the report, so the
# report itself never reaches the buffer: stop then appends the kernel log since start (dmesg, after
# the line start wrote to /dev/kmsg) as DMESG_PREFIX lines, which the importer reads.
KMSG=${KMSG:-/dev/kmsg}
KMSG_MARK='pasid_ledger: capture started'
DMESG_PREFIX='pasid_ledger-dmesg: '

# What start changes, saved so remove can put it back: buffer size, clock, record-tgid, printk:console.
STATE=${STATE:-/tmp/pasid-ledger-ftrace.state}
save_state() {
  [ -f "$STATE" ] && return 0   # a second start keeps the state of before the first
  {
    echo "buffer_size_kb=$(cat "$TRACEFS/buffer_size_kb" | sed 's/ .*//')"
    echo "trace_clock=$(sed 's/.*\[\(.*\)\].*/\1/' "$TRACEFS/trace_clock")"
    echo "record_tgid=$(cat "$TRACEFS/options/record-tgid")"
    if [ -f "$TRACEFS/$CONSOLE_EVENT/enable" ]; then echo "printk_console=$(cat "$TRACEFS/$CONSOLE_EVENT/enable")"; fi
  } > "$STATE"
}
restore_state() {
  [ -f "$STATE" ] || return 0
  while IFS='=' read -r key value; do
    case "$key" in
      buffer_size_kb) echo "$value" > "$TRACEFS/buffer_size_kb" ;;
      trace_clock) echo "$value" > "$TRACEFS/trace_clock" ;;
      record_tgid) echo "$value" > "$TRACEFS/options/record-tgid" ;;
      printk_console) echo "$value" > "$TRACEFS/$CONSOLE_EVENT/enable" 2>/dev/null || true ;;
    esac
  done < "$STATE"
  rm -f "$STATE"
}

# Adds one probe definition; false (and the kernel's reason in error_log) when the kernel refuses it.
add() { echo "$1" >> "$TRACEFS/kprobe_events" 2>/dev/null; }

# Writes one line into the trace buffer, read back by the importer as "pasid_ledger: TEXT".
mark() { echo "pasid_ledger: $1" >> "$TRACEFS/trace_marker" 2>/dev/null || echo "warning: could not write trace_marker" >&2; }

# Extra fetch args tried first on an entry probe, dropped when the kernel refuses them: with BTF
# probe arguments (v6.6+, CONFIG_PROBE_EVENTS_BTF_ARGS) a kprobe reads dev->iommu->max_pasids, which
# the model needs for the range checks of iommu_alloc_global_pasid and iommu_attach_device_pasid.
# dev_iommu (the pointer) tells a device without dev->iommu (never probed by an IOMMU: the fetch
# reads nothing and prints 0) from one whose max_pasids is 0.
btf_extra() {
  case "$1" in
    "p:$GROUP/iommu_alloc_global_pasid "*|"p:$GROUP/iommu_attach_device_pasid "*|"p:$GROUP/iommu_sva_bind_device "*)
      echo 'max_pasids=dev->iommu->max_pasids:u32' ;;
  esac
}
BTF_IOMMU='dev_iommu=dev->iommu:x64'

# One line per probe, in tracefs kprobe_events syntax. Each function gets an entry probe (arguments)
# and a return probe (ret), so the importer can pair them and see nesting.
definitions() {
  ver=$(kernel_code "${1:-}")
  both() { # FN ARGS...   (a function that returns a value)
    fn=$1; shift
    echo "p:$GROUP/$fn $fn $*"
    echo "r:$GROUP/${fn}__return $fn ret=\$retval:x64"
  }
  void() { # FN ARGS...   (a void function: bare return probe, kept for nesting and timing)
    fn=$1; shift
    echo "p:$GROUP/$fn $fn $*"
    echo "r:$GROUP/${fn}__return $fn"
  }
  if [ "$ver" -le 603 ]; then
    # struct ioasid_allocator_ops { alloc; free; struct list_head list; pdata; }: alloc +0, free +8, pdata +32.
    # symstr (v6.2+) prints the helper's symbol as a string; before, the `symbol` type prints it as
    # sym+off/size (start falls back to x64 addresses where even that is refused).
    sym=symbol; [ "$ver" -ge 602 ] && sym=symstr
    both ioasid_register_allocator "ops=\$arg1:x64 alloc=+0(\$arg1):$sym free=+8(\$arg1):$sym pdata=+32(\$arg1):x64"
    void ioasid_unregister_allocator 'ops=$arg1:x64'
    both ioasid_alloc 'set=$arg1:x64 min=$arg2:u32 max=$arg3:u32 private=$arg4:x64'
    if [ "$ver" -ge 511 ] && [ "$ver" -le 517 ]; then
      void ioasid_get 'ioasid=$arg1:u32'
      both ioasid_put 'ioasid=$arg1:u32'
    else
      void ioasid_free 'ioasid=$arg1:u32'
    fi
    both ioasid_set_data 'ioasid=$arg1:u32 data=$arg2:x64'
  fi
  if [ "$ver" -lt 602 ]; then
    both iommu_sva_bind_device "$(dev 1) mm=\$arg2:x64 drvdata=\$arg3:x64"
  else
    both iommu_sva_bind_device "$(dev 1) mm=\$arg2:x64"
  fi
  void iommu_sva_unbind_device 'handle=$arg1:x64'
  if [ "$ver" -ge 602 ]; then
    # iommu_sva_domain_alloc: exported 6.2-6.10, static (and possibly inlined) from 6.11: start checks kallsyms.
    both iommu_sva_domain_alloc "$(dev 1) mm=\$arg2:x64"
    void iommu_domain_free 'domain=$arg1:x64'
    both iommu_attach_device_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    void iommu_detach_device_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    if [ "$ver" -ge 615 ]; then
      both iommu_replace_device_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    fi
    # Driver ops (static, reached through the ops table; in kallsyms when built in). VT-d:
    both intel_svm_set_dev_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    if [ "$ver" -ge 606 ]; then   # 7d0c9da6c150 (v6.6)
      both intel_iommu_set_dev_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    fi
    if [ "$ver" -lt 614 ]; then
      void intel_iommu_remove_dev_pasid "$(dev 1) pasid=\$arg2:u32"
    else
      # v6.14 (647b7aad1949 series, "iommu/vt-d: Make the blocked domain support PASID"): the remove op
      # is gone; a PASID is removed by the blocked domain's set_dev_pasid(blocked, dev, pasid, old).
      both blocking_domain_set_dev_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32 old=\$arg4:x64"
    fi
    if [ "$ver" -ge 610 ]; then   # AMD SVA, drivers/iommu/amd/pasid.c (v6.10)
      both iommu_sva_set_dev_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
      void amd_iommu_remove_dev_pasid "$(dev 1) pasid=\$arg2:u32"
    fi
    # ARM SMMUv3 (v6.2): the set op in arm-smmu-v3-sva.c, the remove op in arm-smmu-v3.c.
    both arm_smmu_sva_set_dev_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    void arm_smmu_remove_dev_pasid "$(dev 1) pasid=\$arg2:u32"
  fi
  if [ "$ver" -ge 604 ]; then   # a function in iommu-sva.c from v6.4 (cd3891158a77); inlined before
    void mm_pasid_drop 'mm=$arg1:x64'
  fi
  if [ "$ver" -ge 606 ]; then   # 2dcebc7ddce7 (v6.6)
    both iommu_alloc_global_pasid "$(dev 1)"
    void iommu_free_global_pasid 'pasid=$arg1:u32'
  fi
}

# Boot-time probes: VT-d registers its vcmd allocator from init_dmars(), before any shell runs
# (v5.x-v6.3; the virtual command interface is gone from v6.4, 760f41d182ec). Offsets into struct
# intel_iommu come from `pahole -C intel_iommu vmlinux` (they differ per build). Prints the parameter
# quoted for each place it is pasted: GRUB treats `;` as a command separator and expands `$`.
cmdline() {
  ver=$(kernel_code "${1:-}")
  if [ "$ver" -gt 603 ]; then
    echo "nothing to capture at boot on ${1:-$(uname -r)}: register_pasid_allocator and the ioasid allocator are gone from v6.4;" >&2
    echo "devices probed at boot are recorded by \`sh $0 start\` from sysfs (max_pasids, group)." >&2
    exit 2
  fi
  : "${IOMMU_NAME_OFF:?set IOMMU_NAME_OFF=offsetof(struct intel_iommu, name) (pahole)}"
  : "${IOMMU_CAP_OFF:?set IOMMU_CAP_OFF=offsetof(struct intel_iommu, cap)}"
  : "${IOMMU_ECAP_OFF:?set IOMMU_ECAP_OFF=offsetof(struct intel_iommu, ecap)}"
  : "${IOMMU_VCCAP_OFF:?set IOMMU_VCCAP_OFF=offsetof(struct intel_iommu, vccap)}"
  reg="p:$GROUP/register_pasid_allocator,register_pasid_allocator,iommu=+${IOMMU_NAME_OFF}(\$arg1):string,cap=+${IOMMU_CAP_OFF}(\$arg1):x64,ecap=+${IOMMU_ECAP_OFF}(\$arg1):x64,vccap=+${IOMMU_VCCAP_OFF}(\$arg1):x64"
  regr="r:$GROUP/register_pasid_allocator__return,register_pasid_allocator"
  ioa="p:$GROUP/ioasid_register_allocator,ioasid_register_allocator,ops=\$arg1:x64,alloc=+0(\$arg1):x64,free=+8(\$arg1):x64,pdata=+32(\$arg1):x64"
  ioar="r:$GROUP/ioasid_register_allocator__return,ioasid_register_allocator,ret=\$retval:x64"
  # trace_clock=mono: without it the late_initcall clock switch empties the buffer of the boot events.
  # No trace_event=: kprobe_event= enables its events itself (setup_boot_kprobe_events).
  probes="kprobe_event=$reg;$regr;$ioa;$ioar"
  rest='trace_options=record-tgid trace_clock=mono'
  echo "# GRUB menu entry (press e at boot) or grub.cfg: append to the linux line"
  echo "'$probes' $rest"
  echo "# /etc/default/grub, then update-grub (the shell that reads it expands \$ inside double quotes):"
  echo "GRUB_CMDLINE_LINUX=\"\$GRUB_CMDLINE_LINUX '$(printf '%s' "$probes" | sed 's/\$/\\$/g')' $rest\""
  echo "# systemd-boot entry options, /etc/kernel/cmdline, QEMU -append (no shell or GRUB in between):"
  echo "$probes $rest"
}

case "${1:-}" in
  list) definitions "${2:-}" ;;
  cmdline) cmdline "${2:-}" ;;
  start)
    echo 0 > "$TRACEFS/tracing_on"
    # One result line per probe on stdout of the loop (it runs in a subshell): noret FN when a return
    # probe could not be defined at all, so the marker below can tell the importer.
    save_state
    # The functions of this kernel's list that are in kallsyms (one pass over the file).
    present=$(definitions "${2:-}" | cut -d' ' -f2 | sort -u | awk 'NR == FNR { want[$1] = 1; next } ($3 in want) { print $3 }' - "$KALLSYMS" | sort -u)
    results=$(definitions "${2:-}" | while IFS= read -r def; do
      name=$(printf '%s' "$def" | cut -d' ' -f1 | cut -d/ -f2)
      fn=$(printf '%s' "$def" | cut -d' ' -f2)
      if ! printf '%s\n' "$present" | grep -qx "$fn"; then
        case "$def" in p:*) echo "warning: $fn is not in $KALLSYMS on this kernel (inlined or absent): skipped" >&2; echo "absent $fn" ;; esac
        continue
      fi
      extra=$(btf_extra "$def")
      if [ -n "$extra" ] && { add "$def $extra $BTF_IOMMU" || add "$def $extra"; }; then
        continue
      elif add "$def"; then
        continue
      fi
      case "$def" in
        *:symbol*) if add "$(printf '%s' "$def" | sed 's/:symbol/:x64/g')"; then echo "note: $name added with addresses instead of symbols" >&2; continue; fi ;;
      esac
      case "$def" in
        r:*' ret=$retval'*)
          # A void function the kit does not know as void: keep its return probe without the value.
          if add "${def% ret=*}"; then echo "note: $name added without ret= (the kernel says the function returns void)" >&2; continue; fi
          echo "noret $fn" ;;
        r:*) echo "noret $fn" ;;
      esac
      echo "warning: could not add $name: $(tail -n 1 "$TRACEFS/error_log" 2>/dev/null)" >&2
      case "$def" in p:*) echo "refused $fn" ;; esac
    done)
    # One line that says what this kernel could not be probed for (the warnings above say why).
    absent=$(printf '%s\n' "$results" | sed -n 's/^absent //p' | paste -sd' ' -)
    refused=$(printf '%s\n' "$results" | sed -n 's/^refused //p' | paste -sd' ' -)
    defined=$(grep -c "^[pr][0-9]*:$GROUP/" "$TRACEFS/kprobe_events" 2>/dev/null || true)
    echo "probes: ${defined:-0} defined; not probed (not in kallsyms): ${absent:-none}; not probed (refused by the kernel): ${refused:-none}" >&2
    # buffer_size_kb is per CPU: split the total over the ring buffer's CPUs (per_cpu/cpuN).
    cpus=$(ls -d "$TRACEFS"/per_cpu/cpu* 2>/dev/null | wc -l)
    [ "$cpus" -ge 1 ] || cpus=1
    per_cpu=$((BUFFER_TOTAL_KB / cpus))
    [ "$per_cpu" -ge 1024 ] || per_cpu=1024
    echo "$per_cpu" > "$TRACEFS/buffer_size_kb"
    echo mono > "$TRACEFS/trace_clock"          # one clock for all CPUs
    echo 1 > "$TRACEFS/options/record-tgid"      # (TGID) column: lets the importer name mm@<tgid>
    : > "$TRACEFS/trace"
    echo 1 > "$TRACEFS/tracing_on"
    # Markers (tracing_mark_write lines) before the first probe hit: the importer reads the kernel and
    # the functions whose entries have no return probe (kept as calls instead of waiting for a return).
    noret=$(printf '%s\n' "$results" | sed -n 's/^noret //p' | paste -sd, -)
    mark "capture kernel=$(uname -r) kit=ftrace-probes${noret:+ noreturn=$noret}"
    echo "$KMSG_MARK" > "$KMSG" 2>/dev/null || true
    # Devices probed at boot, before this capture: their max_pasids and group as device markers.
    sh "$(dirname "$0")/devices.sh" | while read -r dev max group; do
      mark "device dev=\"$dev\" max_pasids=$max group=$group"
    done
    echo 1 > "$TRACEFS/events/$GROUP/enable"
    if ! echo 1 > "$TRACEFS/$CONSOLE_EVENT/enable" 2>/dev/null; then
      echo "warning: could not enable printk:console: kernel WARNs and oopses will not be in the capture" >&2
    fi
    echo "capturing; run the workload, then: sh $0 stop" >&2
    ;;
  stop)
    out=${2:-capture.txt}
    was_on=$(cat "$TRACEFS/tracing_on")
    echo 0 > "$TRACEFS/tracing_on"
    echo 0 > "$TRACEFS/events/$GROUP/enable"
    echo 0 > "$TRACEFS/$CONSOLE_EVENT/enable" 2>/dev/null || true
    cat "$TRACEFS/trace" > "$out"
    if [ "$was_on" = 0 ]; then
      echo "warning: tracing was switched off during the capture (an oops or BUG does that): the kernel log since start is appended to $out" >&2
      echo "# pasid_ledger: tracing_on was 0 at stop; the kernel log since the capture started follows" >> "$out"
      ${DMESG:-dmesg} 2>/dev/null | awk -v mark="$KMSG_MARK" -v pre="$DMESG_PREFIX" '
        index($0, mark) { n = 0; seen = 1; next }
        seen { buf[n++] = $0 }
        END { for (i = 0; i < n; i++) print pre buf[i] }' >> "$out" || true
    fi
    # kprobe_profile lines carry the event name without its group: "NAME NHIT NMISSED" (3rd column:
    # missed kretprobes). Keep the lines of the events this kit defined.
    # kprobe_events lists return probes as r<maxactive>: (r10: on 6.12), not r:.
    sed -n "s|^[pr][0-9]*:$GROUP/\([^ ]*\) .*|\1|p" "$TRACEFS/kprobe_events" > "$out.names"
    awk 'NR == FNR { want[$1] = 1; next } ($1 in want)' "$out.names" "$TRACEFS/kprobe_profile" > "$out.profile" || true
    rm -f "$out.names"
    echo "wrote $out (kernel $(uname -r)); import with: pasid-ledger import $out --from ftrace --kernel $(uname -r)" >&2
    ;;
  remove)
    echo 0 > "$TRACEFS/events/$GROUP/enable" 2>/dev/null || true
    grep "^[pr][0-9]*:$GROUP/" "$TRACEFS/kprobe_events" | while IFS= read -r def; do
      echo "-:$(printf '%s' "$def" | cut -d' ' -f1 | cut -d: -f2)" >> "$TRACEFS/kprobe_events"
    done
    restore_state
    ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
