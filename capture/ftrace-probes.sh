#!/bin/sh
# pasid-ledger capture through tracefs kprobe/kretprobe events (no BTF or bpftrace needed).
#   sudo sh ftrace-probes.sh start [KERNEL]   define + enable the probes, clear the buffer
#   ... run the workload ...
#   sudo sh ftrace-probes.sh stop  [OUT]      disable, copy the buffer to OUT (default capture.txt)
#   sudo sh ftrace-probes.sh remove           delete the probe definitions
#   sh ftrace-probes.sh list [KERNEL]         print the probe definitions for KERNEL
#   sh ftrace-probes.sh cmdline [KERNEL]      print kprobe_event= for boot-time capture (VT-d allocator)
# Field names are the kernel parameter names pasid-ledger records use. Device names are read in the
# kernel: kobj is the first member of struct device and name the first of struct kobject, hence
# +0(+0($argN)):string. Pointers are :x64 (printed 0x...), ids :u32 (decimal); returns ret=$retval:x64.
set -eu

TRACEFS=${TRACEFS:-/sys/kernel/tracing}
[ -d "$TRACEFS/events" ] || TRACEFS=/sys/kernel/debug/tracing
GROUP=pasid_ledger
BUFFER_KB=${BUFFER_KB:-65536}

kernel_code() {
  release=${1:-$(uname -r)}
  major=$(printf '%s' "$release" | sed 's/^v//; s/\..*//')
  minor=$(printf '%s' "$release" | sed 's/^v//; s/^[0-9]*\.//; s/[^0-9].*//')
  echo $((major * 100 + minor))
}

dev() { printf 'dev=+0(+0($arg%s)):string' "$1"; }

# One line per probe, in tracefs kprobe_events syntax. Each function gets an entry probe (arguments)
# and a return probe (ret), so the importer can pair them and see nesting.
definitions() {
  ver=$(kernel_code "${1:-}")
  both() { # FN ARGS...
    fn=$1; shift
    echo "p:$GROUP/$fn $fn $*"
    echo "r:$GROUP/${fn}__return $fn ret=\$retval:x64"
  }
  if [ "$ver" -le 603 ]; then
    # struct ioasid_allocator_ops { alloc; free; struct list_head list; pdata; }: alloc +0, free +8, pdata +32.
    # symstr (v6.2+) prints the helper's symbol; older kernels print its address.
    sym=x64; [ "$ver" -ge 602 ] && sym=symstr
    both ioasid_register_allocator "ops=\$arg1:x64 alloc=+0(\$arg1):$sym free=+8(\$arg1):$sym pdata=+32(\$arg1):x64"
    both ioasid_unregister_allocator 'ops=$arg1:x64'
    both ioasid_alloc 'set=$arg1:x64 min=$arg2:u32 max=$arg3:u32 private=$arg4:x64'
    if [ "$ver" -ge 511 ] && [ "$ver" -le 517 ]; then
      both ioasid_get 'ioasid=$arg1:u32'
      both ioasid_put 'ioasid=$arg1:u32'
    else
      both ioasid_free 'ioasid=$arg1:u32'
    fi
    both ioasid_set_data 'ioasid=$arg1:u32 data=$arg2:x64'
  fi
  if [ "$ver" -lt 602 ]; then
    both iommu_sva_bind_device "$(dev 1) mm=\$arg2:x64 drvdata=\$arg3:x64"
  else
    both iommu_sva_bind_device "$(dev 1) mm=\$arg2:x64"
  fi
  both iommu_sva_unbind_device 'handle=$arg1:x64'
  if [ "$ver" -ge 602 ]; then
    both iommu_sva_domain_alloc "$(dev 1) mm=\$arg2:x64"
    both iommu_domain_free 'domain=$arg1:x64'
    both iommu_attach_device_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    both iommu_detach_device_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    both intel_svm_set_dev_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    if [ "$ver" -ge 608 ]; then
      both intel_iommu_set_dev_pasid "domain=\$arg1:x64 $(dev 2) pasid=\$arg3:u32"
    fi
    both intel_iommu_remove_dev_pasid "$(dev 1) pasid=\$arg2:u32"
  fi
  if [ "$ver" -ge 605 ]; then
    both mm_pasid_drop 'mm=$arg1:x64'
  fi
  if [ "$ver" -ge 606 ]; then
    both iommu_alloc_global_pasid "$(dev 1)"
    both iommu_free_global_pasid 'pasid=$arg1:u32'
  fi
}

# Boot-time probes: VT-d registers its vcmd allocator from init_dmars(), before any shell runs.
# Offsets into struct intel_iommu come from `pahole -C intel_iommu vmlinux` (they differ per build).
cmdline() {
  : "${IOMMU_NAME_OFF:?set IOMMU_NAME_OFF=offsetof(struct intel_iommu, name) (pahole)}"
  : "${IOMMU_CAP_OFF:?set IOMMU_CAP_OFF=offsetof(struct intel_iommu, cap)}"
  : "${IOMMU_ECAP_OFF:?set IOMMU_ECAP_OFF=offsetof(struct intel_iommu, ecap)}"
  : "${IOMMU_VCCAP_OFF:?set IOMMU_VCCAP_OFF=offsetof(struct intel_iommu, vccap)}"
  reg="p:$GROUP/register_pasid_allocator,register_pasid_allocator,iommu=+${IOMMU_NAME_OFF}(\$arg1):string,cap=+${IOMMU_CAP_OFF}(\$arg1):x64,ecap=+${IOMMU_ECAP_OFF}(\$arg1):x64,vccap=+${IOMMU_VCCAP_OFF}(\$arg1):x64"
  regr="r:$GROUP/register_pasid_allocator__return,register_pasid_allocator"
  ioa="p:$GROUP/ioasid_register_allocator,ioasid_register_allocator,ops=\$arg1:x64,alloc=+0(\$arg1):x64,free=+8(\$arg1):x64,pdata=+32(\$arg1):x64"
  ioar="r:$GROUP/ioasid_register_allocator__return,ioasid_register_allocator,ret=\$retval:x64"
  echo "kprobe_event=$reg;$regr;$ioa;$ioar trace_event=$GROUP:* trace_options=record-tgid trace_clock=mono"
}

case "${1:-}" in
  list) definitions "${2:-}" ;;
  cmdline) cmdline ;;
  start)
    echo 0 > "$TRACEFS/tracing_on"
    definitions "${2:-}" | while IFS= read -r def; do
      name=$(printf '%s' "$def" | cut -d' ' -f1 | cut -d/ -f2)
      fn=$(printf '%s' "$def" | cut -d' ' -f2)
      if grep -qw "$fn" /proc/kallsyms; then
        echo "$def" >> "$TRACEFS/kprobe_events" || echo "warning: could not add $name" >&2
      else
        echo "warning: $fn is not in /proc/kallsyms on this kernel (inlined or absent): skipped" >&2
      fi
    done
    echo "$BUFFER_KB" > "$TRACEFS/buffer_size_kb"
    echo mono > "$TRACEFS/trace_clock"          # one clock for all CPUs
    echo 1 > "$TRACEFS/options/record-tgid"      # (TGID) column: lets the importer name mm@<tgid>
    : > "$TRACEFS/trace"
    echo 1 > "$TRACEFS/events/$GROUP/enable"
    echo 1 > "$TRACEFS/tracing_on"
    echo "capturing; run the workload, then: sh $0 stop" >&2
    ;;
  stop)
    out=${2:-capture.txt}
    echo 0 > "$TRACEFS/tracing_on"
    echo 0 > "$TRACEFS/events/$GROUP/enable"
    cat "$TRACEFS/trace" > "$out"
    grep -H . "$TRACEFS/kprobe_profile" | grep "$GROUP" > "$out.profile" || true   # 3rd column: missed kretprobes
    echo "wrote $out (kernel $(uname -r)); import with: pasid-ledger import $out --from ftrace --kernel $(uname -r)" >&2
    ;;
  remove)
    echo 0 > "$TRACEFS/events/$GROUP/enable" 2>/dev/null || true
    grep "^[pr]:$GROUP/" "$TRACEFS/kprobe_events" | while IFS= read -r def; do
      echo "-:$(printf '%s' "$def" | cut -d' ' -f1 | cut -d: -f2)" >> "$TRACEFS/kprobe_events"
    done
    ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
