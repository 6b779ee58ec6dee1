/**
 * ioasid_unregister_allocator (§1.4): the first entry with the same helpers decides; the last member
 * removes the entry (WARN and orphans when IDs are outstanding, A9), the active allocator falls back
 * to the next entry or the default; a sharer is only unlinked (A12 when it was the entry head).
 */
import { describe, it, expect } from 'vitest';
import { given } from '../../support/gwtAlloc.js';
import { alloc, H, IOASID_KERNELS, OTHER, register, release, unregister, find, setData } from '../../support/allocCalls.js';
import { listOf } from '../../../machines/calls/reads.js';
import { profile } from '../../support/calls.js';

describe.each(IOASID_KERNELS)('ioasid_unregister_allocator on %s', (kernel) => {
  it('A11: with no custom allocator registered → pr_warn only (ALLOCATOR_UNREGISTER_NONE), nothing changes', () => {
    const t = given(kernel).when(unregister('opsA', H));
    expect(t.ret).toBeNull();
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_NONE']);
    expect(t.factTypes).toEqual([]);
  });

  it('A11 after the only allocator already left', () => {
    const t = given(kernel, register('opsA'), unregister('opsA')).when(unregister('opsA'));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_NONE']);
  });

  it('near miss of A11: unregistering the registered allocator is clean and switches back to default', () => {
    const t = given(kernel, register('opsA')).when(unregister('opsA'));
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['AllocatorUnregistered', 'AllocatorSwitched']);
    expect(t.facts[1]).toMatchObject({ to: 'default' });
    expect(listOf(t.replay.world)).toMatchObject({ active: 'default', entries: [] });
  });

  it('no entry with these helpers → silent no-op (ALLOCATOR_UNREGISTER_UNKNOWN)', () => {
    const t = given(kernel, register('opsA')).when(unregister('opsZ', OTHER));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_UNKNOWN']);
    expect(t.factTypes).toEqual([]);
    expect(listOf(t.replay.world).entries).toHaveLength(1);
  });

  it('an ops never registered and without helpers matches nothing', () => {
    const t = given(kernel, register('opsA')).when(unregister('opsZ'));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_UNKNOWN']);
  });

  it('A9: the last member with outstanding IDs → WARN, entry removed, IDs orphaned, switch to default anyway', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 5)).when(unregister('opsA'));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_OUTSTANDING']);
    expect(t.factTypes).toEqual(['AllocatorUnregistered', 'IoasidOrphaned', 'AllocatorSwitched']);
    expect(t.endCodes).toEqual(['IOASID_ORPHANED']);
  });

  it('A9: an orphan is unreachable: find → -ENOENT and set_data → -ENOENT in the new active allocator', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 5), unregister('opsA')).when(find(5), setData(5, 'x'));
    expect(t.rets).toEqual(['-ENOENT', '-ENOENT']);
    expect(t.codes).toEqual(['IOASID_FIND_MISS', 'IOASID_SET_DATA_UNKNOWN']);
  });

  it('A9/A1: releasing an orphan → "Trying to free unknown IOASID"', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 5), unregister('opsA')).when(release(kernel, 5));
    expect(t.codes).toEqual([profile(kernel).ioasidRefcount ? 'IOASID_PUT_UNKNOWN' : 'IOASID_FREE_UNKNOWN']);
    expect(t.endCodes).toEqual(['IOASID_ORPHANED']);
  });

  it('near miss of A9: IDs released before the last member leaves → no WARN, no orphans', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 5), release(kernel, 5)).when(unregister('opsA'));
    expect(t.codes).toEqual([]);
    expect(t.endCodes).toEqual([]);
  });

  it('the active entry leaves → the next entry becomes active (AllocatorSwitched to it)', () => {
    const t = given(kernel, register('opsA'), register('opsB', OTHER)).when(unregister('opsA'));
    expect(t.codes).toEqual([]);
    const after = listOf(t.replay.world);
    expect(after.entries).toHaveLength(1);
    expect(after.active).toBe(after.entries[0]);
    expect(t.facts.find((f) => f.type === 'AllocatorSwitched')).toMatchObject({ to: after.active });
  });

  it('a standby entry leaves → the active allocator is unchanged, no switch', () => {
    const t = given(kernel, register('opsA'), register('opsB', OTHER)).when(unregister('opsB', OTHER));
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['AllocatorUnregistered']);
  });

  it('A10: custom → next custom with outstanding IDs: WARN, then the new space hands out the same number (duplicate in use)', () => {
    const t = given(kernel, register('opsA'), register('opsB', OTHER), alloc(1, 100, 3), unregister('opsA')).when(alloc(1, 100, 3));
    expect(t.codes).toEqual(['IOASID_DUPLICATE_IN_USE']);
    expect(t.allCodes).toContain('ALLOCATOR_UNREGISTER_OUTSTANDING');
  });

  it('A10: custom → default with outstanding IDs: the default allocator hands out the orphan number', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 1), unregister('opsA')).when(alloc(1, 100));
    expect(t.ret).toBe(1);
    expect(t.codes).toEqual(['IOASID_DUPLICATE_IN_USE']);
  });

  it('near miss of A10: a number different from every orphan', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 1), unregister('opsA')).when(alloc(2, 100));
    expect(t.ret).toBe(2);
    expect(t.codes).toEqual([]);
  });

  it('sharer leaves → only unlinked; the entry, its IDs and the active allocator stay', () => {
    const t = given(kernel, register('opsA'), register('opsB'), alloc(1, 100, 4)).when(unregister('opsB'), release(kernel, 4));
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['AllocatorUnregistered', ...(profile(kernel).ioasidRefcount ? ['IoasidPut', 'IoasidFreed', 'IoasidHoldersReleased'] : ['IoasidFreed', 'IoasidHoldersReleased'])]);
    expect(t.facts[0]).toMatchObject({ ops: 'opsB', removed: false });
  });

  it('A12: the entry head leaves while sharers remain → its pdata stays in use (ALLOCATOR_DANGLING_PDATA)', () => {
    const t = given(kernel, register('opsA', H, 'dmar0'), register('opsB', H, 'dmar1')).when(unregister('opsA'));
    expect(t.codes).toEqual(['ALLOCATOR_DANGLING_PDATA']);
    expect(t.facts[0]).toMatchObject({ ops: 'opsA', removed: false });
  });

  it('A12 then the last sharer leaves: the entry is removed by it (helpers match the stale head)', () => {
    const t = given(kernel, register('opsA'), register('opsB'), unregister('opsA')).when(unregister('opsB'));
    expect(t.codes).toEqual([]);
    expect(listOf(t.replay.world)).toMatchObject({ active: 'default', entries: [] });
  });

  it('an ops never registered whose helpers match a singular entry removes that entry (ALLOCATOR_UNREGISTER_OTHER_OPS)', () => {
    const t = given(kernel, register('opsA')).when(unregister('opsZ', H));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_OTHER_OPS']);
    expect(listOf(t.replay.world)).toMatchObject({ active: 'default', entries: [] });
  });

  it('ALLOCATOR_UNREGISTER_OTHER_OPS with outstanding IDs also WARNs (WARN_ON(!xa_empty) does not look at the ops)', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 2)).when(unregister('opsZ', H));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_OTHER_OPS', 'ALLOCATOR_UNREGISTER_OUTSTANDING']);
    expect(t.endCodes).toEqual(['IOASID_ORPHANED']);
    expect(t.factTypes).toContain('IoasidOrphaned');
  });

  it('an ops never registered whose helpers match a shared entry: not on the slist → nothing happens', () => {
    const t = given(kernel, register('opsA'), register('opsB')).when(unregister('opsZ', H));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_UNKNOWN']);
    expect(t.factTypes).toEqual([]);
  });

  it('near miss of OTHER_OPS: the registered ops itself leaves', () => {
    expect(given(kernel, register('opsA')).when(unregister('opsA', H)).codes).toEqual([]);
  });
});
