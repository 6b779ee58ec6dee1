#!/bin/sh
# Devices already behind an IOMMU (probed at boot, before any capture starts), one line each:
#   BDF MAX_PASIDS GROUP
# MAX_PASIDS is what iommu_probe_device computes (dev_iommu_get_max_pasids): 1 << the PASID
# capability's Max PASID Width (PCIe ext cap 0x1B, register +4 bits 12:8), 0 without the capability,
# capped by the VT-d unit's limit (2 << ECAP.PSS, bits 39:35) when the device sits behind one.
# A device whose extended config space cannot be read (not root) is left out, never guessed.
# Used by ftrace-probes.sh start (trace_marker lines) and gen-bpftrace.sh (BEGIN block).
set -eu
SYSFS=${SYSFS:-/sys}

for link in "$SYSFS"/kernel/iommu_groups/*/devices/*; do
  [ -e "$link" ] || continue
  dev=${link##*/}
  group=${link%/devices/*}
  group=${group##*/}
  cfg="$SYSFS/bus/pci/devices/$dev/config"
  [ -r "$cfg" ] || continue
  size=$(wc -c < "$cfg")
  [ "$size" -ge 4096 ] || continue
  # Walk the extended capability list from 0x100 (4-byte little-endian headers: id, version, next).
  width=$(od -An -v -tu1 "$cfg" | awk '
    { for (i = 1; i <= NF; i++) b[n++] = $i }
    END {
      off = 256; seen = 0; w = -1
      while (off >= 256 && off + 8 <= n && seen++ < 96) {
        id = b[off] + b[off + 1] * 256
        next_off = int((b[off + 2] + b[off + 3] * 256) / 16)
        if (id == 27) { w = int(b[off + 5] % 32); break }   # 0x1B: PASID; bits 12:8 of the cap register
        if (next_off == 0) break
        off = next_off
      }
      print w
    }')
  if [ "$width" -lt 0 ]; then max=0; else max=$((1 << width)); fi
  # The VT-d unit's own limit (drivers/iommu/intel/iommu.c: max_pasids = 2 << ecap_pss(ecap)).
  unit="$SYSFS/bus/pci/devices/$dev/iommu/intel-iommu/ecap"
  if [ "$max" -gt 0 ] && [ -r "$unit" ]; then
    ecap=$(cat "$unit")
    # ecap_pasid (bit 40) off: the unit sets no max_pasids, so every device behind it gets 0.
    if [ $(( (0x$ecap >> 40) & 1 )) -eq 0 ]; then
      max=0
    else
      limit=$((2 << ((0x$ecap >> 35) & 31)))
      if [ "$limit" -lt "$max" ]; then max=$limit; fi
    fi
  fi
  echo "$dev $max $group"
done
