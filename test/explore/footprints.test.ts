/**
 * The independence relation is sound: when footprint() says two calls commute, running them in
 * either order from the same state gives the same world, the same facts and findings per call (as
 * sets) and the same end-of-trace findings.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CallRecord } from '../../events/records.js';
import { footprint } from '../../machines/calls/index.js';
import { conflicts, overlaps, scenarioScope, OPEN_SCOPE } from '../../machines/kit/footprint.js';
import { World } from '../../machines/kit/world.js';
import { profileFor } from '../../machines/profile.js';
import { decideCall } from '../../machines/calls/index.js';
import { canonicalState, endFindings } from '../../src/explore/execute.js';
import { anyCall, ALL_KERNELS } from '../support/arbitraries.js';
import { call, records } from '../support/calls.js';

const SEED = 7301;

function runBoth(kernel: string, prefix: CallRecord[], a: CallRecord, b: CallRecord) {
  const p = profileFor(kernel)!;
  const base = new World(p);
  for (const r of prefix) decideCall(base, r);
  const once = (first: CallRecord, second: CallRecord) => {
    const w = base.clone();
    const d1 = decideCall(w, first);
    const d2 = decideCall(w, second);
    const set = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
    const byCall = new Map([[first.seq, d1], [second.seq, d2]]);
    const view = (seq: number) => ({ ret: byCall.get(seq)!.ret, facts: set(byCall.get(seq)!.facts), findings: set(byCall.get(seq)!.findings.map((f) => [f.code, f.detail])) });
    return { state: canonicalState(w), a: view(a.seq), b: view(b.seq), end: set(endFindings(w).map((f) => [f.code, f.detail])) };
  };
  return [once(a, b), once(b, a)];
}

describe(`footprint independence is sound (fast-check seed ${SEED})`, () => {
  it('calls footprint() calls independent commute: same world, per-call facts, findings and end findings', () => {
    let independentPairs = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_KERNELS).chain((kernel) => {
          const calls = profileFor(kernel)!.calls;
          // Why: two threads, so calls whose footprint names their thread (a global PASID holder's count, #21 B3) are paired across threads too.
          const inEra = fc.tuple(anyCall.filter((c) => calls.has(c.fn)), fc.constantFrom(100, 200)).map(([c, tid]) => ({ ...c, tid }));
          return fc.tuple(fc.constant(kernel), fc.array(inEra, { maxLength: 12 }), inEra, inEra);
        }),
        ([kernel, prefixCalls, ca, cb]) => {
          const all = records([...prefixCalls, ca, cb]);
          const prefix = all.slice(0, prefixCalls.length);
          const [a, b] = all.slice(prefixCalls.length);
          const p = profileFor(kernel)!;
          const scope = scenarioScope(all);
          if (conflicts(footprint(a, p, scope), footprint(b, p, scope))) return;
          independentPairs++;
          const [ab, ba] = runBoth(kernel, prefix, a, b);
          expect(ba).toEqual(ab);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
    // Why: a relation that calls nothing independent is trivially sound; make sure the test bites.
    expect(independentPairs).toBeGreaterThan(300);
  });

  it('a footprint without scope never claims less than one with scope', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_KERNELS), anyCall, anyCall, (kernel, ca, cb) => {
        const [a, b] = records([ca, cb]);
        const p = profileFor(kernel)!;
        if (conflicts(footprint(a, p, scenarioScope([a, b])), footprint(b, p, scenarioScope([a, b])))) {
          expect(conflicts(footprint(a, p, OPEN_SCOPE), footprint(b, p, OPEN_SCOPE))).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('resource names', () => {
  it('a * segment overlaps any segment, a lone * any path of the kind', () => {
    expect(overlaps('slot:g/1', 'slot:*/1')).toBe(true);
    expect(overlaps('slot:g/1', 'slot:g/2')).toBe(false);
    expect(overlaps('domain:*', 'domain:dma1')).toBe(true);
    expect(overlaps('dev:0000:6a:01.0', 'dev:0000:6a:02.0')).toBe(false);
    expect(overlaps('ida', 'ida')).toBe(true);
    expect(overlaps('ida', 'gpasid:*')).toBe(false);
  });

  it('two allocations in one ID space are dependent; frees of different global PASIDs by different threads commute (§B.3)', () => {
    const p = profileFor('6.6.0')!;
    const [a1, a2, f1, f2] = records([
      { fn: 'iommu_alloc_global_pasid', args: { dev: 'd1' } },
      { fn: 'iommu_alloc_global_pasid', args: { dev: 'd2' } },
      { fn: 'iommu_free_global_pasid', args: { pasid: 1 } },
      { fn: 'iommu_free_global_pasid', args: { pasid: 2 } },
    ]);
    expect(conflicts(footprint(a1, p), footprint(a2, p))).toBe(true);
    expect(conflicts(footprint(a1, p), footprint(f1, p))).toBe(true);
    expect(conflicts(footprint({ ...f1, tid: 1 }, p), footprint({ ...f2, tid: 2 }, p))).toBe(false);
  });

  it("#21 B3: a thread's global PASID calls share its holder count, so they are dependent (one task's calls keep their order anyway)", () => {
    const p = profileFor('6.6.0')!;
    const [f1, f2] = records([
      { fn: 'iommu_free_global_pasid', args: { pasid: 1 } },
      { fn: 'iommu_free_global_pasid', args: { pasid: 2 } },
    ]);
    expect(conflicts(footprint({ ...f1, tid: 7 }, p), footprint({ ...f2, tid: 7 }, p))).toBe(true);
  });

  it('#21 B3: that dependence is real: a thread freeing its own PASID and another owner\'s gives different findings in the two orders', () => {
    const all = records([
      { ...call('iommu_alloc_global_pasid', { dev: 'd1' }), tid: 7 },
      { ...call('iommu_alloc_global_pasid', { dev: 'd2' }), tid: 8 },
      { ...call('iommu_free_global_pasid', { pasid: 1 }), tid: 7 },
      { ...call('iommu_free_global_pasid', { pasid: 2 }), tid: 7 },
    ]);
    const [ab, ba] = runBoth('6.6.0', all.slice(0, 2), all[2], all[3]);
    // Own PASID first: tid 7 holds none when it frees tid 8's (a cleanup path); the other order: another owner.
    expect(ab.b.findings).toEqual([]);
    expect(ba.b.findings.join()).toContain('GLOBAL_PASID_FREE_BY_OTHER');
  });
});
