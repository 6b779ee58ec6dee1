/**
 * Dead objects are stored compactly (machines/kit/world.ts `Dead`): a freed domain, a freed SVA
 * handle, an exited mm, a released global PASID's history is kept only so reuse is caught, so the
 * world stores it without its own id and shares one frozen record among every object of its kind
 * with the same state and context. The store is invisible: every read gives the snapshot the
 * machines made, and a plain fold of the same facts without the compact store gives equal objects.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../../support/arbitraries.js';
import { profile, replayCalls } from '../../support/calls.js';
import { World } from '../../../machines/kit/world.js';
import { DeadStore } from '../../../machines/kit/deadStore.js';
import { FACT_DRIVEN } from '../../../machines/objects.js';
import { svaHandleKind } from '../../../machines/sva/svaHandle.machine.js';
import type { Snap } from '../../../machines/kit/lifecycle.js';
import type { WorldReader } from '../../../machines/kit/object.js';
import type { Fact, FactBody } from '../../../events/facts.js';
import type { Profile } from '../../../machines/profile.js';

const V68 = profile('6.8.0');
const deadOf = (kindId: string) => FACT_DRIVEN.find((k) => k.id === kindId)?.factSpec.dead;
const isDeadState = (key: string, snap: Snap<unknown>) => deadOf(key.slice(0, key.indexOf(':')))?.states.includes(snap.value) === true;
/** Whether the world keeps the object as a shared record: a dead state of a kind whose ids do not come back by design. */
const isDeadKey = (key: string, snap: Snap<unknown>) => deadOf(key.slice(0, key.indexOf(':')))?.idsReturn !== true && isDeadState(key, snap);

/** The reference fold: every fact through every kind's machine into a plain map of snapshots (no compact store). */
function plainFold(p: Profile, facts: readonly Fact[]): Map<string, Snap<unknown>> {
  const objects = new Map<string, Snap<unknown>>();
  const reader: WorldReader = {
    profile: p,
    *entriesOf<C>(kindId: string): IterableIterator<[string, Snap<C>]> {
      for (const [key, snap] of objects) if (key.startsWith(`${kindId}:`)) yield [key.slice(kindId.length + 1), snap as Snap<C>];
    },
    byKey: (key) => objects.get(key),
  };
  for (const { seq: _seq, ...body } of facts) {
    const fact = body as FactBody;
    for (const kind of FACT_DRIVEN) {
      const address = kind.factSpec.address[fact.type] as ((f: FactBody, w: WorldReader) => readonly { id: string; input: unknown }[]) | undefined;
      if (address === undefined) continue;
      for (const { id, input } of address(fact, reader)) {
        const key = `${kind.id}:${id}`;
        const before = objects.get(key) ?? kind.initial(input);
        const after = kind.step(before, fact);
        if (after === before) continue;
        if (after.value === kind.factSpec.absent) objects.delete(key);
        else objects.set(key, after);
      }
    }
  }
  return objects;
}

const sorted = (m: Map<string, Snap<unknown>>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('the compact store of dead objects', () => {
  it('given a thousand mms that exited, when the world stores them, then they share one frozen record and each reads as its own mm', () => {
    const w = new World(V68);
    const mms = Array.from({ length: 1000 }, (_, i) => `0xffff8881${String(i).padStart(8, '0')}`);
    for (const mm of mms) w.apply({ type: 'MmExited', mm, keepsPasid: false });
    const stored = new Set(mms.map((mm) => w.storedByKey(`mm:${mm}`)));
    expect(stored.size).toBe(1);
    const [record] = stored;
    expect(Object.isFrozen(record)).toBe(true);
    expect(Object.isFrozen(record!.context)).toBe(true);
    // The shared record holds no object's id: only a placeholder of the id's type.
    expect((record!.context as { mm: string }).mm).toBe('');
    expect(w.byKey(`mm:${mms[7]}`)).toEqual({ value: 'exited', context: { mm: mms[7], pasid: null, bonds: 0, domains: [] } });
  });

  it('given freed SVA handles of two devices and mms, when stored, then there is one record per distinct (device, mm), not per handle', () => {
    const w = new World(V68);
    const pairs = [['0000:6a:00.0', '0xffff888100000001'], ['0000:6a:00.1', '0xffff888100000002']] as const;
    for (let i = 0; i < 200; i++) {
      const [dev, mm] = pairs[i % 2];
      const handle = `sva@${i}`;
      w.apply({ type: 'SvaBound', handle, dev, mm, pasid: 1, domain: 'dom@1', users: 1 });
      w.apply({ type: 'SvaUnbound', handle, dev, mm, domain: 'dom@1', users: 0 });
    }
    const stored = new Set(Array.from({ length: 200 }, (_, i) => w.storedByKey(`svaHandle:sva@${i}`)));
    expect(stored.size).toBe(2);
    expect(w.get(svaHandleKind, 'sva@3', { handle: 'sva@3' })).toEqual({ value: 'freed', context: { handle: 'sva@3', dev: pairs[1][0], mm: pairs[1][1] } });
  });

  it('given a numeric id, when stored and read back, then its own field is the number again', () => {
    const store = new DeadStore();
    const n = store.put('released', 'pasid', '5', { value: 'released', context: { pasid: 5, holder: 'tid:1' } });
    expect(store.record(n).context.pasid).toBe(0);
    expect(store.expand('5', n)).toStrictEqual({ value: 'released', context: { pasid: 5, holder: 'tid:1' } });
  });

  it('given a released global PASID (its number comes back at the next allocation), when stored, then it is kept as its snapshot, not as a shared record', () => {
    const w = new World(V68);
    w.apply({ type: 'GlobalPasidAllocated', pasid: 5, dev: '0000:00:01.0', mm: null, holder: 'tid:1' });
    w.apply({ type: 'GlobalPasidFreed', pasid: 5, by: 'tid:1' });
    const snap = w.byKey('globalPasidHistory:5');
    expect(snap?.value).toBe('released');
    expect((snap?.context as { pasid: unknown }).pasid).toBe(5);
    expect(w.storedByKey('globalPasidHistory:5')).toBe(snap);
  });

  it('given a live object, when stored, then it is kept as it is (only dead states are compacted)', () => {
    const w = new World(V68);
    w.apply({ type: 'SvaBound', handle: 'sva@1', dev: '0000:6a:00.0', mm: '0xffff888100000001', pasid: 1, domain: 'dom@1', users: 1 });
    expect(w.storedByKey('svaHandle:sva@1')).toBe(w.byKey('svaHandle:sva@1'));
  });

  it('given a restored dead snapshot whose id field does not hold its key (near miss), when read, then it is the snapshot given, unshared', () => {
    const odd: Snap<unknown> = { value: 'exited', context: { mm: 'other', pasid: null, bonds: 0, domains: [] } };
    const w = new World(V68, 'fast', new Map([['mm:0xffff888100000009', odd]]));
    expect(w.byKey('mm:0xffff888100000009')).toBe(odd);
  });

  it('given a dead object whose free is rolled back, when read, then it is the live object it was', () => {
    const w = new World(V68);
    w.apply({ type: 'DomainAllocated', domain: 'dom@1', domain_type: 'dma', mm: null });
    const live = w.byKey('domain:dom@1');
    w.begin();
    w.apply({ type: 'DomainFreed', domain: 'dom@1' });
    expect(w.byKey('domain:dom@1')?.value).toBe('freed');
    w.rollback();
    expect(w.byKey('domain:dom@1')).toBe(live);
  });

  it('a clone shares the dead records and reads the same objects', () => {
    const w = new World(V68);
    for (let i = 0; i < 10; i++) w.apply({ type: 'MmExited', mm: `mm${i}`, keepsPasid: false });
    const c = w.clone();
    expect(c.storedByKey('mm:mm3')).toBe(w.storedByKey('mm:mm3'));
    expect([...c.objects]).toEqual([...w.objects]);
  });

  it('given a kind with dead states, when its values are walked without ids, then the world refuses (a compact record cannot expand without its id)', () => {
    const w = new World(V68);
    w.apply({ type: 'MmExited', mm: 'mm0', keepsPasid: false });
    expect(() => [...w.valuesOf('mm')]).toThrow(/compact dead records/);
    expect([...w.entriesOf('mm')].map(([id, s]) => [id, s.value])).toEqual([['mm0', 'exited']]);
  });
});

describe('the compact store is invisible (seed 41)', () => {
  it('for any trace of any era, every object reads as the plain fold of the same facts gives it, key order included', () => {
    fc.assert(
      fc.property(anyTrace(60), ([kernel, calls]) => {
        const r = replayCalls(kernel, calls);
        const plain = sorted(plainFold(r.profile, r.log.all()));
        expect(JSON.stringify(sorted(r.world.objects))).toBe(JSON.stringify(plain));
        expect(sorted(r.world.objects)).toStrictEqual(plain);
      }),
      { seed: 41, numRuns: 300 },
    );
  });

  it('for any trace of any era, the world stores no dead object beyond the compact form: no own id, frozen, one record per distinct context', () => {
    let dead = 0;
    fc.assert(
      fc.property(anyTrace(60), ([kernel, calls]) => {
        const w = replayCalls(kernel, calls).world;
        const distinct = new Map<string, Set<string>>();
        const records = new Map<string, Set<unknown>>();
        for (const [key, snap] of w.objects) {
          if (!isDeadKey(key, snap)) continue;
          dead++;
          const kindId = key.slice(0, key.indexOf(':'));
          const self = deadOf(kindId)!.self;
          const stored = w.storedByKey(key)!;
          expect(Object.isFrozen(stored), key).toBe(true);
          expect(['', 0], key).toContain((stored.context as Record<string, unknown>)[self]);
          const { [self]: _own, ...rest } = snap.context as Record<string, unknown>;
          distinct.set(kindId, (distinct.get(kindId) ?? new Set()).add(`${snap.value}${JSON.stringify(rest)}`));
          records.set(kindId, (records.get(kindId) ?? new Set()).add(stored));
        }
        // The intern cache is direct-mapped, so a collision may cost a second record; on short traces there is none.
        for (const [kindId, contexts] of distinct) expect(records.get(kindId)!.size, kindId).toBe(contexts.size);
      }),
      { seed: 42, numRuns: 300 },
    );
    // Why: a property over traces with no dead object would say nothing.
    expect(dead).toBeGreaterThan(300);
  });
});

describe('the store keeps each record shape apart', () => {
  it('given two dead contexts of one state whose undefined fields differ, when stored, then they get two records and each reads back with its own undefined fields, key order included', () => {
    const store = new DeadStore();
    const first: Snap<unknown> = { value: 'freed', context: { handle: 'h1', dev: undefined, mm: 'mm1' } };
    const second: Snap<unknown> = { value: 'freed', context: { handle: 'h2', dev: 'd1', mm: undefined } };
    const a = store.put('freed', 'handle', 'h1', first);
    const b = store.put('freed', 'handle', 'h2', second);
    expect(a).not.toBe(b);
    expect(store.expand('h1', a)).toStrictEqual(first);
    expect(store.expand('h2', b)).toStrictEqual(second);
    expect(Object.keys(store.expand('h2', b).context as object)).toEqual(['handle', 'dev', 'mm']);
  });

  it('given the same dead context stored again for another id, when stored, then it is the record stored before (one record, found again)', () => {
    const store = new DeadStore();
    const a = store.put('exited', 'mm', 'mm1', { value: 'exited', context: { mm: 'mm1', bonds: 0 } });
    const b = store.put('exited', 'mm', 'mm2', { value: 'exited', context: { mm: 'mm2', bonds: 0 } });
    expect(b).toBe(a);
    expect(store.records).toBe(1);
  });

  it('given a record text that is not ASCII, when stored and stored again, then it reads back unchanged and is stored once', () => {
    const store = new DeadStore();
    const snap: Snap<unknown> = { value: 'freed', context: { domain: 'd1', owner: 'tâche é' } };
    const a = store.put('freed', 'domain', 'd1', snap);
    const b = store.put('freed', 'domain', 'd2', { value: 'freed', context: { domain: 'd2', owner: 'tâche é' } });
    expect(b).toBe(a);
    expect(store.expand('d1', a)).toStrictEqual(snap);
  });
});
