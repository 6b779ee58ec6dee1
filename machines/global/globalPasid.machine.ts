/**
 * A PASID of the global IDA (iommu_global_pasid_ida, v6.4+; iommu_alloc_global_pasid from v6.6),
 * driven by facts: free (not stored) or allocated to a device or an mm, counting the device slots it
 * is attached in (a free before the detach leaves them, §5.1). The calls that decide are
 * machines/calls/iommu_{alloc,free}_global_pasid.ts. Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface GlobalPasidContext {
  readonly pasid: number;
  readonly dev: string | null;
  readonly mm: string | null;
  readonly attachments: number;
}

const one = (pasid: number) => [{ id: String(pasid), input: { pasid } }];

/** The facts about one global PASID number, addressed by it (the number's object and its holder history). */
export const BY_PASID = {
  GlobalPasidAllocated: (f: { pasid: number }) => one(f.pasid),
  GlobalPasidFreed: (f: { pasid: number }) => one(f.pasid),
  // Why: a PASID the IDA did not hand out (iommufd user PASIDs, a capture that began late) is not ours to count.
  PasidAttached: (f: { pasid: number }) => one(f.pasid),
  PasidDetached: (f: { pasid: number }) => one(f.pasid),
} as const;

const guards = {} satisfies FactGuards<GlobalPasidContext>;

const updates = {
  own: (c, f) => (f.type === 'GlobalPasidAllocated' ? { ...c, dev: f.dev, mm: f.mm, attachments: 0 } : c),
  reown: (c, f) => (f.type === 'GlobalPasidAllocated' ? { ...c, dev: f.dev, mm: f.mm } : c),
  attach: (c) => ({ ...c, attachments: c.attachments + 1 }),
  detach: (c) => ({ ...c, attachments: Math.max(0, c.attachments - 1) }),
} satisfies FactUpdates<GlobalPasidContext>;

const globalPasidSetup = setup({ types: factTypes<GlobalPasidContext, { pasid: number }>(), guards });
export const globalPasidMachine = globalPasidSetup.extend({ actions: assignsOf(globalPasidSetup.assign, updates) }).createMachine({
  id: 'globalPasid',
  initial: 'free',
  context: ({ input: { pasid } }) => ({ pasid, dev: null, mm: null, attachments: 0 }),
  states: {
    free: { on: { GlobalPasidAllocated: { target: 'allocated', actions: 'own' } } },
    allocated: {
      on: {
        GlobalPasidFreed: { target: 'free' },
        // Why: a recorded allocation of a number the model holds (#21 B8): the new owner, the slots keep counting.
        GlobalPasidAllocated: { actions: 'reown' },
        PasidAttached: { actions: 'attach' },
        PasidDetached: { actions: 'detach' },
      },
    },
  },
});

export const globalPasidKind = defineObject({
  machine: globalPasidMachine,
  guards,
  updates,
  absent: 'free',
  address: BY_PASID,
});
