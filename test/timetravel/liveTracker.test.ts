/**
 * The tracker behind the checkpoints (src/timetravel/live.ts) gives one log entry per state of a
 * dead object: an object a record touches without changing it (a call rolled back) keeps its open entry, however many other
 * dead objects the world stored in between (the world's DeadStore decodes records into a cache of
 * 4,096 slots, so the record it hands back for an object is not always the same JS object).
 */
import { describe, it, expect } from 'vitest';
import { profile } from '../support/calls.js';
import { World } from '../../machines/kit/world.js';
import { DeadLog, LiveTracker } from '../../src/timetravel/live.js';

const V68 = profile('6.8.0');

describe('the live tracker', () => {
  it('given a released global PASID, when a rolled-back call touches it after 5,000 other dead records, then it still has one log entry', () => {
    const world = new World(V68);
    const log = new DeadLog();
    const tracker = new LiveTracker(world, log);
    let at = 0;
    const step = (f: Parameters<World['apply']>[0]) => {
      world.apply(f);
      tracker.update(++at);
    };
    step({ type: 'GlobalPasidAllocated', pasid: 5, dev: '0000:00:01.0', mm: null, holder: 'tid:0' });
    step({ type: 'GlobalPasidFreed', pasid: 5, by: 'tid:0' });
    // Distinct holders: distinct records, more than the decode cache's slots.
    for (let p = 6; p < 5006; p++) {
      step({ type: 'GlobalPasidAllocated', pasid: p, dev: '0000:00:01.0', mm: null, holder: `tid:${p}` });
      step({ type: 'GlobalPasidFreed', pasid: p, by: `tid:${p}` });
    }
    const before = world.byKey('globalPasidHistory:5');
    // A call the kernel refuses reallocates it and is rolled back: the world reports the object changed, its stored record is the same.
    world.begin();
    world.apply({ type: 'GlobalPasidAllocated', pasid: 5, dev: '0000:00:01.0', mm: null, holder: 'tid:1' });
    world.rollback();
    tracker.update(++at);
    expect(world.byKey('globalPasidHistory:5')).toEqual(before);
    expect(log.keys.filter((k) => k === 'globalPasidHistory:5')).toHaveLength(1);
  });
});
