/**
 * The life of one IOASID (§1.5–§1.9): ioasid_alloc (lowest free in the default allocator, the host's
 * ID in a custom one), ioasid_free (v5.5–v5.10, v5.18–v6.3) or ioasid_get/ioasid_put (v5.11–v5.17),
 * ioasid_set_data, ioasid_find, and the end-of-trace leak check.
 */
import { describe, it, expect } from 'vitest';
import { call } from '../../support/calls.js';
import { given } from '../../support/gwtAlloc.js';
import { alloc, find, free, FREE_KERNELS, get, IOASID_KERNELS, put, REFCOUNT_KERNELS, register, release, setData, unregister } from '../../support/allocCalls.js';
import { profile } from '../../support/calls.js';

const freeCode = (kernel: string) => (profile(kernel).ioasidRefcount ? 'IOASID_PUT_UNKNOWN' : 'IOASID_FREE_UNKNOWN');

describe.each(IOASID_KERNELS)('ioasid_alloc on %s', (kernel) => {
  it('the default allocator hands out the lowest free ID in [min, max]', () => {
    const t = given(kernel, alloc(3, 10), alloc(3, 10), release(kernel, 3)).when(alloc(3, 10));
    expect(t.ret).toBe(3);
    expect(t.factTypes).toEqual(['IoasidAllocated', 'IoasidHolderAdded']);
    expect(t.facts[0]).toMatchObject({ space: 'default', ioasid: 3, refs: 1 });
  });

  it('the default allocator may hand out ID 0 (xa_alloc without ALLOC1)', () => {
    expect(given(kernel).when(alloc(0, 10)).ret).toBe(0);
  });

  it('min > max → INVALID_IOASID (IOASID_ALLOC_FAILED), nothing allocated', () => {
    const t = given(kernel).when(alloc(5, 4));
    expect(t.ret).toBe('INVALID_IOASID');
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED']);
    expect(t.factTypes).toEqual([]);
  });

  it('range exhausted → INVALID_IOASID', () => {
    const t = given(kernel, alloc(1, 2), alloc(1, 2)).when(alloc(1, 2));
    expect(t.ret).toBe('INVALID_IOASID');
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED']);
  });

  it('near miss of exhaustion: the last free ID of the range', () => {
    const t = given(kernel, alloc(1, 2)).when(alloc(1, 2));
    expect(t.ret).toBe(2);
    expect(t.codes).toEqual([]);
  });

  it('a recorded ID that differs from the lowest free → RET_MISMATCH naming xa_alloc, the recorded ID is kept', () => {
    const t = given(kernel).when(alloc(1, 10, 4), release(kernel, 4));
    expect(t.codes).toEqual(['RET_MISMATCH']);
    expect(t.findings[0].rule).toMatch(/lowest free ID/);
    expect(t.factTypes).toContain('IoasidFreed');
  });

  it('a recorded INVALID_IOASID where an ID was free → RET_MISMATCH and the allocation is rolled back', () => {
    const t = given(kernel).when(alloc(1, 10, 'INVALID_IOASID'), alloc(1, 10));
    expect(t.codes).toEqual(['RET_MISMATCH']);
    expect(t.rets[1]).toBe(1);
  });

  it('a custom allocator returns what the host hands out (recorded ret), tracked in the custom space', () => {
    const t = given(kernel, register('opsA')).when(alloc(1, 100, 42));
    expect(t.codes).toEqual([]);
    expect(t.facts[0]).toMatchObject({ ioasid: 42 });
    expect((t.facts[0] as { space: string }).space).not.toBe('default');
  });

  it('a custom allocator that returns INVALID_IOASID (host out of PASIDs, A17) → IOASID_ALLOC_FAILED', () => {
    const t = given(kernel, register('opsA')).when(alloc(1, 100, 'INVALID_IOASID'));
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED']);
    expect(t.findings[0].rule).toMatch(/custom allocator/);
  });

  it('#21 B11: a custom allocator\'s range is the host\'s: a run of IDs ending in INVALID_IOASID is the host\'s capacity, named in the finding, no RET_MISMATCH', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 7), alloc(1, 100, 9)).when(alloc(1, 100, 'INVALID_IOASID'));
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED']);
    expect(t.findings[0].message).toContain('capacity reached with 2 ID(s)');
  });

  it('#21 B11 near miss: the default allocator\'s range is the caller\'s [min, max]: an INVALID_IOASID with a free ID in it is RET_MISMATCH', () => {
    const t = given(kernel, alloc(1, 100, 1), alloc(1, 100, 2)).when(alloc(1, 100, 'INVALID_IOASID'));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });

  it('#21 B8: a custom allocator recorded returning an ID the framework tracks (it would return INVALID_IOASID) means a lost release: adopted, IOASID_COLLISION', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 42, null, 'p1')).when(alloc(1, 100, 42, null, 'p2'));
    expect(t.codes).toEqual(['IOASID_COLLISION']);
    expect(t.factTypes).toEqual(['IoasidFreed', 'IoasidHoldersReleased', 'IoasidAllocated', 'IoasidHolderAdded']);
  });

  it('#21 B8: the default allocator recorded handing out an ID the model holds is adopted and reported against its holder: IOASID_COLLISION, no RET_MISMATCH', () => {
    const t = given(kernel, { ...alloc(1, 10, 1, null, 'p1'), tid: 10 }).when({ ...alloc(1, 10, 1, null, 'p2'), tid: 20 });
    expect(t.codes).toEqual(['IOASID_COLLISION']);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'IoasidAllocated', ioasid: 1, private: 'p2' }));
    expect(t.findings[0].message).toContain('tid:10');
  });

  it('#21 B8: after the adoption the earlier holder\'s release is stale (it drops the new owner\'s ID)', () => {
    const t = given(kernel, { ...alloc(1, 10, 1, null, 'p1'), tid: 10 }, { ...alloc(1, 10, 1, null, 'p2'), tid: 20 }).when({ ...release(kernel, 1), tid: 10 });
    expect(t.codes).toEqual(['IOASID_STALE_RELEASE']);
  });

  it('#21 B8 near miss: the lowest free ID is no collision', () => {
    const t = given(kernel, alloc(1, 10, 1, null, 'p1')).when(alloc(1, 10, 2, null, 'p2'));
    expect(t.codes).toEqual([]);
  });

  it('#21 B8 near miss: a recorded ID out of [min, max] is not adopted (xa_alloc cannot return it): RET_MISMATCH', () => {
    const t = given(kernel, alloc(1, 10, 1, null, 'p1')).when(alloc(1, 10, 11, null, 'p2'));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });

  it('A6: an ID never released by the end of the trace → IOASID_LEAKED', () => {
    const t = given(kernel).when(alloc());
    expect(t.endCodes).toEqual(['IOASID_LEAKED']);
  });

  it('near miss of A6: released → no leak', () => {
    expect(given(kernel).when(alloc(), release(kernel, 1)).endCodes).toEqual([]);
  });
});

describe.each(FREE_KERNELS)('ioasid_free on %s', (kernel) => {
  it('frees an allocated ID (IoasidFreed, returns void)', () => {
    const t = given(kernel, alloc()).when(free(1));
    expect(t.ret).toBeNull();
    expect(t.factTypes).toEqual(['IoasidFreed', 'IoasidHoldersReleased']);
    expect(t.codes).toEqual([]);
  });

  it('A1: free of a never-allocated ID → "Trying to free unknown IOASID" (IOASID_FREE_UNKNOWN)', () => {
    expect(given(kernel).when(free(9)).codes).toEqual(['IOASID_FREE_UNKNOWN']);
  });

  it('A1/B1: a second free of an ID that was allocated and freed is a double free (the kernel logs as for an unknown ID)', () => {
    const t = given(kernel, alloc(), free(1)).when(free(1));
    expect(t.codes).toEqual(['IOASID_DOUBLE_FREE']);
    expect(t.factTypes).toEqual([]);
  });

  it('B1 near miss: a free of an ID never allocated stays IOASID_FREE_UNKNOWN', () => {
    expect(given(kernel, alloc(), free(1)).when(free(4242)).codes).toEqual(['IOASID_FREE_UNKNOWN']);
  });

  it('B1 near miss: freed, handed out again, freed again is clean', () => {
    expect(given(kernel, alloc(), free(1), alloc()).when(free(1)).codes).toEqual([]);
  });

  it('A1: free of INVALID_IOASID', () => {
    expect(given(kernel).when(free('INVALID_IOASID')).codes).toEqual(['IOASID_FREE_UNKNOWN']);
  });

  it('A1: free of an ID of a previously active allocator (looked up in the active one only)', () => {
    const t = given(kernel, alloc(1, 10, 1), free(1), register('opsA'), alloc(1, 100, 7), unregister('opsA')).when(free(7));
    expect(t.codes).toEqual(['IOASID_FREE_UNKNOWN']);
  });

  it('A5: free ignores the set: an ID of another set is freed silently', () => {
    const t = given(kernel, alloc(1, 10, undefined, 'setA')).when(free(1));
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['IoasidFreed', 'IoasidHoldersReleased']);
  });

  it('ioasid_get and ioasid_put do not exist here (CALL_NOT_IN_KERNEL)', () => {
    const t = given(kernel, alloc()).when(get(1), put(1));
    expect(t.codes).toEqual(['CALL_NOT_IN_KERNEL', 'CALL_NOT_IN_KERNEL']);
  });
});

describe.each(REFCOUNT_KERNELS)('ioasid_get/ioasid_put on %s', (kernel) => {
  it('ioasid_alloc starts the refcount at 1; the only put frees and returns true', () => {
    const t = given(kernel, alloc()).when(put(1));
    expect(t.ret).toBe(true);
    expect(t.factTypes).toEqual(['IoasidPut', 'IoasidFreed', 'IoasidHoldersReleased']);
  });

  it('get then put: the first put returns false and keeps the ID', () => {
    const t = given(kernel, alloc(), get(1)).when(put(1));
    expect(t.ret).toBe(false);
    expect(t.factTypes).toEqual(['IoasidPut']);
    expect(t.facts[0]).toMatchObject({ refs: 1 });
    expect(t.endCodes).toEqual(['IOASID_LEAKED']);
  });

  it('get counts: alloc + get + get needs three puts', () => {
    const t = given(kernel, alloc(), get(1), get(1)).when(put(1), put(1), put(1));
    expect(t.rets).toEqual([false, false, true]);
    expect(t.endCodes).toEqual([]);
  });

  it('A2/B1: put after the count reached 0 → pr_err, returns false: a double put of an ID that was allocated (IOASID_DOUBLE_FREE)', () => {
    const t = given(kernel, alloc(), put(1)).when(put(1));
    expect(t.ret).toBe(false);
    expect(t.codes).toEqual(['IOASID_DOUBLE_FREE']);
  });

  it('A2 near miss: a put of an ID never allocated stays IOASID_PUT_UNKNOWN', () => {
    const t = given(kernel).when(put(9));
    expect(t.ret).toBe(false);
    expect(t.codes).toEqual(['IOASID_PUT_UNKNOWN']);
  });

  it('B2: a put by the earlier holder after the ID was handed out again drops the new owner\'s ID (IOASID_STALE_RELEASE)', () => {
    const t = given(kernel, call('ioasid_alloc', { set: 's1', min: 5, max: 5, private: 'p1' }, 5), put(5), call('ioasid_alloc', { set: 's1', min: 5, max: 5, private: 'p2' }, 5, { tid: 200 })).when(put(5));
    expect(t.ret).toBe(true);
    expect(t.codes).toEqual(['IOASID_STALE_RELEASE']);
  });

  it('B2: the new owner\'s later put is then a double put, a consequence', () => {
    const t = given(kernel, call('ioasid_alloc', { set: 's1', min: 5, max: 5, private: 'p1' }, 5), put(5), call('ioasid_alloc', { set: 's1', min: 5, max: 5, private: 'p2' }, 5, { tid: 200 }), put(5)).when(call('ioasid_put', { ioasid: 5 }, false, { tid: 200 }));
    expect(t.codes).toEqual(['IOASID_DOUBLE_FREE']);
  });

  it('B2 near miss: the new owner puts its own ID', () => {
    const t = given(kernel, call('ioasid_alloc', { set: 's1', min: 5, max: 5, private: 'p1' }, 5), put(5), call('ioasid_alloc', { set: 's1', min: 5, max: 5, private: 'p2' }, 5, { tid: 200 })).when(call('ioasid_put', { ioasid: 5 }, true, { tid: 200 }));
    expect(t.codes).toEqual([]);
  });

  it('A3: get of a freed ID → WARN_ON(1), no reference (IOASID_GET_UNKNOWN)', () => {
    const t = given(kernel, alloc(), put(1)).when(get(1));
    expect(t.codes).toEqual(['IOASID_GET_UNKNOWN']);
    expect(t.factTypes).toEqual([]);
  });

  it('near miss of A3: get of an allocated ID', () => {
    const t = given(kernel, alloc()).when(get(1));
    expect(t.codes).toEqual([]);
    expect(t.facts[0]).toMatchObject({ type: 'IoasidGot', refs: 2 });
  });

  it('A4: an extra put after the ID was re-allocated frees the new owner’s ID (silent ABA)', () => {
    const t = given(kernel, alloc(), put(1), alloc()).when(put(1));
    expect(t.ret).toBe(true);
    expect(t.factTypes).toEqual(['IoasidPut', 'IoasidFreed', 'IoasidHoldersReleased']);
  });

  it('a recorded put return that disagrees → RET_MISMATCH', () => {
    const t = given(kernel, alloc(), get(1)).when(put(1, true));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });

  it('ioasid_free does not exist here (CALL_NOT_IN_KERNEL)', () => {
    const t = given(kernel, alloc()).when(free(1));
    expect(t.codes).toEqual(['CALL_NOT_IN_KERNEL']);
    expect(t.endCodes).toEqual(['IOASID_LEAKED']);
  });
});

describe.each(IOASID_KERNELS)('ioasid_set_data and ioasid_find on %s', (kernel) => {
  it('set_data on an allocated ID → 0, private replaced', () => {
    const t = given(kernel, alloc()).when(setData(1, 'mm1'), find(1));
    expect(t.rets).toEqual([0, 'mm1']);
    expect(t.factTypes).toEqual(['IoasidDataSet']);
  });

  it('A13: set_data on an unknown ID → -ENOENT', () => {
    const t = given(kernel).when(setData(3, 'x'));
    expect(t.ret).toBe('-ENOENT');
    expect(t.codes).toEqual(['IOASID_SET_DATA_UNKNOWN']);
  });

  it('A13: set_data after release → -ENOENT', () => {
    const t = given(kernel, alloc(), release(kernel, 1)).when(setData(1, 'x'));
    expect(t.codes).toEqual(['IOASID_SET_DATA_UNKNOWN']);
  });

  it('find returns the private data given at alloc', () => {
    const t = given(kernel, alloc(1, 10, undefined, 'setA', 'priv1')).when(find(1, 'setA'));
    expect(t.ret).toBe('priv1');
    expect(t.codes).toEqual([]);
  });

  it('find with a NULL set ignores the owner', () => {
    const t = given(kernel, alloc(1, 10, undefined, 'setA', 'priv1')).when(find(1, null));
    expect(t.ret).toBe('priv1');
    expect(t.codes).toEqual([]);
  });

  it('A14: find of an unknown ID → ERR_PTR(-ENOENT)', () => {
    const t = given(kernel).when(find(2));
    expect(t.ret).toBe('-ENOENT');
    expect(t.codes).toEqual(['IOASID_FIND_MISS']);
  });

  it('A14: find with another set → ERR_PTR(-EACCES)', () => {
    const t = given(kernel, alloc(1, 10, undefined, 'setA')).when(find(1, 'setB'));
    expect(t.ret).toBe('-EACCES');
    expect(t.codes).toEqual(['IOASID_FIND_MISS']);
  });

  it('a recorded find return that disagrees → RET_MISMATCH', () => {
    const t = given(kernel, alloc(1, 10, undefined, null, 'p')).when(find(1, null, '-ENOENT'));
    expect(t.codes).toEqual(['RET_MISMATCH']);
  });

  it('free/put of an unknown ID gives the era’s unknown-ID finding', () => {
    expect(given(kernel).when(release(kernel, 5)).codes).toEqual([freeCode(kernel)]);
  });
});
