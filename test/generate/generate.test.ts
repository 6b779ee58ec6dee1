import { describe, expect, it } from 'vitest';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { validateRecord } from '../../events/validate.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import { serializeRecord } from '../../src/log/serialize.js';
import type { CallRecord } from '../../events/records.js';

function generate(kernel: string, records: number, seed = 7): CallRecord[] {
  const g = generateTrace({ records, kernel, seed });
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
