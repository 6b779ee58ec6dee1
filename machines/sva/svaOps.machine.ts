/**
 * The driver side of iommu_sva_bind_device before any device or PASID work: whether a driver
 * implements the bind at all (no `ops->sva_bind` before v5.8: every bind is -ENODEV, 26b25a2b98e4 /
 * 064a57d7ddfc, §3.1), and the x86 stable kernels that refuse every bind with -EOPNOTSUPP right after
 * the group lookup (72f98ef9a4be, CVE-2025-71089). One object per device; nothing is stored. Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface SvaOpsContext {
  readonly dev: string;
}

export type SvaOpsEvent = ModelEvent & {
  type: 'BIND_CHECK';
  /** No driver of this capture implements sva_bind in this release (v5.5–v5.7; SMMUv3 before v5.11; AMD before v6.2). */
  noBindOp: boolean;
  /** The device has no IOMMU group any more: the core's -ENODEV comes before the x86 check (the device decides it). */
  released: boolean;
  /** The stable x86 disable applies ('maybe': the capture's sublevel or arch is unknown; the recorded -EOPNOTSUPP then decides). */
  disabled: 'yes' | 'no' | 'maybe';
  recordedEopnotsupp: boolean;
};

export const svaOpsKind = defineObjectKind<SvaOpsContext, SvaOpsEvent, { dev: string }>({
  id: 'svaOps',
  initial: 'present',
  absent: 'present',
  context: ({ dev }) => ({ dev }),
  states: {
    present: {
      on: {
        BIND_CHECK: [
          {
            guard: 'hasNoBindOp',
            actions: decide({ ret: '-ENODEV', finding: 'SVA_BIND_NO_DRIVER', rule: 'iommu_sva_bind_device: !ops->sva_bind → -ENODEV (no driver implements it before 064a57d7ddfc, v5.8; SMMUv3 from 32784a9562fb, v5.11; §3.1)' }),
          },
          { guard: 'isReleased', actions: decide({ rule: 'iommu_sva_bind_device: no group → the device decides -ENODEV' }) },
          {
            guard: 'isDisabled',
            actions: decide({ ret: '-EOPNOTSUPP', finding: 'SVA_BIND_DISABLED_X86', rule: 'iommu_sva_bind_device: IS_ENABLED(CONFIG_X86) → -EOPNOTSUPP (stable backport of 72f98ef9a4be: 6.1.163, 6.6.120, 6.12.64, 6.18.4)' }),
          },
          { actions: decide({ rule: 'iommu_sva_bind_device: the driver implements sva_bind' }) },
        ],
      },
    },
  },
  guards: {
    hasNoBindOp: ({ event }) => event.noBindOp,
    isReleased: ({ event }) => event.released,
    isDisabled: ({ event }) => event.disabled === 'yes' || (event.disabled === 'maybe' && event.recordedEopnotsupp),
  },
  updates: {},
  facts: {},
  details: {
    SVA_BIND_NO_DRIVER: (_e, c) => `no IOMMU driver of this kernel implements sva_bind for ${c.dev}`,
    SVA_BIND_DISABLED_X86: (e, c) =>
      e.disabled === 'yes' ? `SVA is disabled on this x86 stable kernel (bind of ${c.dev})` : `the recorded -EOPNOTSUPP for ${c.dev} matches an x86 stable kernel with SVA disabled (sublevel or arch not in the header)`,
  },
});
