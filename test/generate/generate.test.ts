import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultLive, generateTrace } from '../../src/generate/generateTrace.js';
import { isFailure } from '../../events/ret.js';
import { validateRecord } from '../../events/validate.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import { serializeRecord } from '../../src/log/serialize.js';
import type { CallRecord } from '../../events/records.js';

function generate(kernel: string, records: number, seed = 7, live?: number): CallRecord[] {
  const g = generateTrace({ records, kernel, seed, live });
  if (!g.ok) throw new Error(g.error.message);
  return [...g.value.records()];
}

const replayCodes = (kernel: string, recs: CallRecord[]) => {
  const g = generateTrace({ records: 1, kernel });
  if (!g.ok) throw new Error(g.error.message);
  return new Set(replayEntries(recs.map((record, i) => ({ record, line: i + 2 })), g.value.profile).findings.map((f) => f.code));
};

describe('generate', () => {
  it('gives the same records for the same seed and different ones for another seed', () => {
    const a = generate('6.8.0', 3000, 7).map(serializeRecord);
    expect(generate('6.8.0', 3000, 7).map(serializeRecord)).toEqual(a);
    expect(generate('6.8.0', 3000, 8).map(serializeRecord)).not.toEqual(a);
  });

  it.each(['5.5.0', '5.15.0', '5.19.0', '6.2.0', '6.4.0', '6.6.0', '6.8.0', '6.11.0', '6.18.0'])('every record of a %s trace is valid, with increasing seqs and earlier parents', (kernel) => {
    const recs = generate(kernel, 4000);
    expect(recs.length).toBeGreaterThan(3900);
    expect(recs.filter((r) => validateRecord(r) !== null)).toEqual([]);
    const seqs = new Set<number>();
    for (const [i, r] of recs.entries()) {
      if (i > 0) expect(r.seq).toBeGreaterThan(recs[i - 1].seq);
      if (r.parent !== undefined) expect(seqs.has(r.parent)).toBe(true);
      seqs.add(r.seq);
    }
  });

  it('raises only the injected bugs (wrong-domain detach, leak, double free) on a v6.8 trace', () => {
    const codes = replayCodes('6.8.0', generate('6.8.0', 6000));
    expect(codes).toContain('DETACH_WRONG_DOMAIN');
    expect(codes).toContain('GLOBAL_PASID_DOUBLE_FREE');
    expect(codes).toContain('GLOBAL_PASID_LEAKED');
    const injected = new Set(['DETACH_WRONG_DOMAIN', 'GLOBAL_PASID_DOUBLE_FREE', 'GLOBAL_PASID_LEAKED', 'ATTACH_LEAKED', 'SVA_BOND_LEAKED']);
    expect([...codes].filter((c) => !injected.has(c))).toEqual([]);
  });

  it('raises only an IOASID double free and leaks on a v5.19 trace (no attach in that era)', () => {
    const codes = replayCodes('5.19.0', generate('5.19.0', 6000));
    const injected = new Set(['IOASID_DOUBLE_FREE', 'IOASID_LEAKED', 'SVA_BOND_LEAKED']);
    expect([...codes].filter((c) => !injected.has(c))).toEqual([]);
    expect(codes).toContain('IOASID_DOUBLE_FREE');
    expect(codes).toContain('IOASID_LEAKED');
  });

  it('refuses a kernel it does not model with an error value', () => {
    const g = generateTrace({ records: 10, kernel: '4.19.0' });
    expect(g.ok).toBe(false);
  });
});

/** PASID users live after every 1,000th record of a v6.8 trace: global PASIDs allocated and not freed, SVA bonds not unbound. */
function liveSamples(recs: readonly CallRecord[]): number[] {
  let live = 0;
  const samples: number[] = [];
  for (const r of recs) {
    if (r.parent === undefined) {
      if ((r.fn === 'iommu_alloc_global_pasid' || r.fn === 'iommu_sva_bind_device') && !isFailure(r.ret)) live++;
      if (r.fn === 'iommu_free_global_pasid' || r.fn === 'iommu_sva_unbind_device') live--;
    }
    if (r.seq % 1000 === 0) samples.push(live);
  }
  return samples;
}
/** The samples of the middle half of the trace (past the ramp-up, before the draining). */
const steady = (samples: number[]) => samples.slice(Math.floor(samples.length / 4), Math.floor((samples.length * 3) / 4));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('generate --live', () => {
  it('keeps about the given number of PASID users live at steady state, whatever the length', () => {
    // Given live 50 on a 20 k- and a 60 k-record trace (their default would be 200 and 600)
    for (const records of [20_000, 60_000]) {
      const samples = steady(liveSamples(generate('6.8.0', records, 3, 50)));
      // Then the live population stays near 50 through the middle of both
      expect(mean(samples)).toBeGreaterThan(40);
      expect(mean(samples)).toBeLessThan(60);
      expect(Math.max(...samples)).toBeLessThan(80);
    }
  });

  it('keeps 1 % of the records live at steady state without it', () => {
    const samples = steady(liveSamples(generate('6.8.0', 60_000, 3)));
    expect(defaultLive(60_000)).toBe(600);
    expect(mean(samples)).toBeGreaterThan(500);
    expect(mean(samples)).toBeLessThan(700);
  });

  it.each([0, -3, 1.5, Number.NaN])('refuses --live %s with an error value naming the field and the fix', (live) => {
    const g = generateTrace({ records: 1000, live });
    expect(g.ok).toBe(false);
    if (g.ok) return;
    expect(g.error.code).toBe('USAGE');
    expect(g.error.field).toBe('--live');
    expect(g.error.message).toContain('--live takes a positive integer');
    expect(g.error.message).toContain('e.g. --live 1000');
  });

  it('refuses a live population the trace is too short to reach, naming the largest it can take', () => {
    // Given 2,000 records: 100 live users fit (20 records each), 101 do not
    expect(generateTrace({ records: 2000, live: 100 }).ok).toBe(true);
    const g = generateTrace({ records: 2000, live: 101 });
    expect(g.ok).toBe(false);
    if (g.ok) return;
    expect(g.error.code).toBe('USAGE');
    expect(g.error.field).toBe('--live');
    expect(g.error.message).toContain('give at most --live 100, or more --records');
  });

  it('gives the same bytes for the same seed and live population, and records the option in the header', () => {
    const a = generate('6.8.0', 3000, 7, 40).map(serializeRecord);
    expect(generate('6.8.0', 3000, 7, 40).map(serializeRecord)).toEqual(a);
    expect(generate('6.8.0', 3000, 7, 41).map(serializeRecord)).not.toEqual(a);
    const g = generateTrace({ records: 3000, seed: 7, live: 40 });
    expect(g.ok && g.value.header.description).toBe('pasid-ledger generate --records 3000 --kernel 6.8.0 --seed 7 --live 40');
  });

  it('leaves the default trace as it was before the option existed (header and records)', () => {
    // The sha256 of the records of `generate --records 5000 --seed 7` as generated before --live existed.
    const g = generateTrace({ records: 5000, kernel: '6.8.0', seed: 7 });
    if (!g.ok) throw new Error(g.error.message);
    const h = createHash('sha256');
    for (const r of g.value.records()) h.update(`${serializeRecord(r)}\n`);
    expect(h.digest('hex')).toBe('8c740188bee891c95ff140774fb77b0c38a27ac7fbbf4764cd3d6b11b880d1e0');
    expect(g.value.header.description).toBe('pasid-ledger generate --records 5000 --kernel 6.8.0 --seed 7');
  });

  it('gives the default trace when the live population given is the default one (only the header differs)', () => {
    expect(generate('6.8.0', 5000, 7, defaultLive(5000)).map(serializeRecord)).toEqual(generate('6.8.0', 5000, 7).map(serializeRecord));
  });
});
