/**
 * One IOASID in one ID space (ioasid.c, v5.5–v6.3), driven by facts: allocated with private data and,
 * in v5.11–v5.17, a refcount; freed; or orphaned when its allocator was unregistered with it
 * outstanding. `unallocated` is not stored: every call on an unknown ID reads it. The calls that
 * decide are machines/calls/ioasid_*.ts (the checks per state are there). Pure.
 */
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../kit/object.js';

export interface IoasidContext {
  readonly space: string;
  readonly ioasid: number;
  readonly set: string | null;
  readonly private: string | null;
  readonly refs: number;
}

export interface IoasidInput {
  readonly space: string;
  readonly ioasid: number;
}

export const ioasidKey = (space: string, id: number) => `${space}/${id}`;
const one = (f: { space: string; ioasid: number }) => [{ id: ioasidKey(f.space, f.ioasid), input: { space: f.space, ioasid: f.ioasid } }];

const guards = {} satisfies FactGuards<IoasidContext>;

const updates = {
  allocate: (c, f) => (f.type === 'IoasidAllocated' ? { ...c, set: f.set, private: f.private, refs: f.refs } : c),
  setRefs: (c, f) => (f.type === 'IoasidGot' || f.type === 'IoasidPut' ? { ...c, refs: f.refs } : c),
  setData: (c, f) => (f.type === 'IoasidDataSet' ? { ...c, private: f.data } : c),
} satisfies FactUpdates<IoasidContext>;

const ioasidSetup = setup({ types: factTypes<IoasidContext, IoasidInput>(), guards });
export const ioasidMachine = ioasidSetup.extend({ actions: assignsOf(ioasidSetup.assign, updates) }).createMachine({
  id: 'ioasid',
  initial: 'unallocated',
  context: ({ input: { space, ioasid } }) => ({ space, ioasid, set: null, private: null, refs: 0 }),
  states: {
    unallocated: { on: { IoasidAllocated: { target: 'allocated', actions: 'allocate' } } },
    allocated: {
      on: {
        IoasidFreed: { target: 'unallocated' },
        IoasidGot: { actions: 'setRefs' },
        IoasidPut: { actions: 'setRefs' },
        IoasidDataSet: { actions: 'setData' },
        IoasidOrphaned: { target: 'orphaned' },
      },
    },
    // Orphans sit in a retired space that no call can reach (calls look IDs up in the active space).
    orphaned: { on: {} },
  },
});

export const ioasidKind = defineObject({
  machine: ioasidMachine,
  guards,
  updates,
  absent: 'unallocated',
  address: {
    IoasidAllocated: one,
    IoasidFreed: one,
    IoasidGot: one,
    IoasidPut: one,
    IoasidDataSet: one,
    IoasidOrphaned: one,
  },
});
