/**
 * ioasid_register_allocator (§1.3): which entry an ops joins, what becomes active, and the refusals
 * (A7 -EAGAIN, A8 -EEXIST) and the silent sharer re-registration (A12b). Identical in every era with
 * ioasid.c (v5.5–v6.3).
 */
import { describe, it, expect } from 'vitest';
import { given } from '../../support/gwtAlloc.js';
import { alloc, free, H, IOASID_KERNELS, OTHER, register, release, unregister } from '../../support/allocCalls.js';
import { listOf } from '../../../machines/calls/reads.js';

describe.each(IOASID_KERNELS)('ioasid_register_allocator on %s', (kernel) => {
  it('the first custom allocator becomes active and the allocator switches (returns 0)', () => {
    const t = given(kernel).when(register('opsA'));
    expect(t.ret).toBe(0);
    expect(t.factTypes).toEqual(['AllocatorRegistered', 'AllocatorSwitched']);
    expect(t.facts[0]).toMatchObject({ ops: 'opsA', role: 'active' });
    expect(t.codes).toEqual([]);
    expect(listOf(t.replay.world).active).not.toBe('default');
  });

  it('A7: the first custom allocator while the default has outstanding IDs → -EAGAIN, default stays active', () => {
    const t = given(kernel, alloc()).when(register('opsA'));
    expect(t.ret).toBe('-EAGAIN');
    expect(t.codes).toEqual(['ALLOCATOR_REGISTER_OUTSTANDING']);
    expect(t.factTypes).toEqual([]);
    expect(listOf(t.replay.world)).toMatchObject({ active: 'default', entries: [] });
  });

  it('near miss of A7: default IDs all freed before the first registration → 0', () => {
    const t = given(kernel, alloc(), release(kernel, 1)).when(register('opsA'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });

  it('A7 after a fall-back: custom → default, a default ID taken, then a new first custom → -EAGAIN', () => {
    const t = given(kernel, register('opsA'), unregister('opsA'), alloc()).when(register('opsB', OTHER));
    expect(t.ret).toBe('-EAGAIN');
    expect(t.codes).toEqual(['ALLOCATOR_REGISTER_OUTSTANDING']);
  });

  it('A8: the same ops registered twice → -EEXIST; its list node is left pointing into the freed allocator data (issue #20)', () => {
    const t = given(kernel, register('opsA')).when(register('opsA'));
    expect(t.ret).toBe('-EEXIST');
    expect(t.codes).toEqual(['ALLOCATOR_ALREADY_REGISTERED']);
    expect(t.factTypes).toEqual(['AllocatorListNodeDangling']);
  });

  it('A8 for a standby entry head too', () => {
    const t = given(kernel, register('opsA'), register('opsB', OTHER)).when(register('opsB', OTHER));
    expect(t.ret).toBe('-EEXIST');
    expect(t.codes).toEqual(['ALLOCATOR_ALREADY_REGISTERED']);
  });

  it('A8 for the head of a shared entry that was unregistered (pallocator->ops still points at it)', () => {
    const t = given(kernel, register('opsA'), register('opsB'), unregister('opsA')).when(register('opsA'));
    expect(t.ret).toBe('-EEXIST');
    expect(t.codes).toEqual(['ALLOCATOR_ALREADY_REGISTERED']);
  });

  it('near miss of A8: an ops registered, unregistered (entry removed) and registered again → 0', () => {
    const t = given(kernel, register('opsA'), unregister('opsA')).when(register('opsA'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });

  it('sharers: same helpers → shares the entry and its ID space, the active allocator is unchanged', () => {
    const t = given(kernel, register('opsA', H, 'dmar0'), alloc()).when(register('opsB', H, 'dmar1'));
    expect(t.ret).toBe(0);
    expect(t.factTypes).toEqual(['AllocatorRegistered']);
    expect(t.facts[0]).toMatchObject({ ops: 'opsB', role: 'shared' });
    expect((t.facts[0] as { space: string }).space).toBe(listOf(t.replay.world).active);
    expect(t.codes).toEqual([]);
  });

  it('sharers see the same IDs: an ID allocated before the sharer joined is still found after', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 7), register('opsB')).when(release(kernel, 7));
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toContain('IoasidFreed');
  });

  it('different helpers → a standby entry: returns 0, nothing switches', () => {
    const t = given(kernel, register('opsA')).when(register('opsB', OTHER));
    expect(t.ret).toBe(0);
    expect(t.factTypes).toEqual(['AllocatorRegistered']);
    expect(t.facts[0]).toMatchObject({ role: 'standby' });
    expect(listOf(t.replay.world).entries).toHaveLength(2);
  });

  it('a standby entry does not care about outstanding IDs (only the first registration checks)', () => {
    const t = given(kernel, register('opsA'), alloc()).when(register('opsB', OTHER));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });

  it('A12b: re-registering a sharer (not an entry head) returns 0 and double-adds its list node', () => {
    const t = given(kernel, register('opsA'), register('opsB')).when(register('opsB'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual(['ALLOCATOR_REREGISTER_SHARER']);
  });

  it('near miss of A12b: a sharer that left the slist registers again cleanly', () => {
    const t = given(kernel, register('opsA'), register('opsB'), unregister('opsB')).when(register('opsB'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
    expect(t.facts[0]).toMatchObject({ role: 'shared' });
  });

  it('a recorded -ENOMEM where the model predicts 0 rolls the registration back, without a finding', () => {
    const t = given(kernel).when(register('opsA', H, null, '-ENOMEM'), alloc());
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['IoasidAllocated', 'IoasidHolderAdded']);
    expect(t.facts[0]).toMatchObject({ space: 'default' });
  });

  it('a recorded -EAGAIN where the model predicts 0 → RET_MISMATCH naming the rule, and the step is rolled back', () => {
    const t = given(kernel).when(register('opsA', H, null, '-EAGAIN'));
    expect(t.codes).toEqual(['RET_MISMATCH']);
    expect(t.findings[0].rule).toMatch(/first custom allocator becomes active/);
    expect(t.factTypes).toEqual([]);
    expect(listOf(t.replay.world).entries).toEqual([]);
  });

  it('B9: a recorded 0 where the model predicts -EAGAIN → RET_MISMATCH alone, naming the -EAGAIN rule (the refusal did not happen)', () => {
    const t = given(kernel, alloc()).when(register('opsA', H, null, 0));
    expect(t.codes).toEqual(['RET_MISMATCH']);
    expect(t.findings[0].rule).toMatch(/-EAGAIN/);
  });

  it('near miss of RET_MISMATCH: a recorded return equal to the prediction', () => {
    const t = given(kernel, register('opsA')).when(register('opsA', H, null, '-EEXIST'));
    expect(t.codes).toEqual(['ALLOCATOR_ALREADY_REGISTERED']);
  });
});

describe('ioasid_register_allocator outside ioasid.c', () => {
  it.each(['6.4.0', '6.8.0'])('does not exist in %s (CALL_NOT_IN_KERNEL, skipped)', (kernel) => {
    const t = given(kernel).when(register('opsA'));
    expect(t.codes).toEqual(['CALL_NOT_IN_KERNEL']);
    expect(t.factTypes).toEqual([]);
  });

  it('near miss: v6.3 is the last kernel with ioasid.c', () => {
    expect(given('6.3.0').when(register('opsA')).codes).toEqual([]);
  });

  it('ioasid_free of the default allocator is unaffected by a failed registration', () => {
    const t = given('6.1.0', alloc(), register('opsA')).when(free(1));
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['IoasidFreed', 'IoasidHoldersReleased']);
  });
});
