/** Test support: compare calls across two kernels and list the differences tersely. */
import { profileFor, type HostFacts, type Profile } from '../../machines/profile.js';
import { comparePair, RunCache, type PairComparison } from '../../src/compare/compare.js';
import type { Change } from '../../src/compare/boundaries.js';
import type { Entry } from '../../src/replay/replayTrace.js';
import { records, type CallSpec } from '../support/calls.js';

export const kernel = (k: string, host?: HostFacts): Profile => {
  const p = profileFor(k, host);
  if (p === null) throw new Error(`bad kernel ${k}`);
  return p;
};

export const entriesOf = (calls: readonly CallSpec[]): Entry[] => records(calls).map((record, i) => ({ record, line: i + 2 }));

export function comparison(from: string, to: string, calls: readonly CallSpec[], host?: HostFacts): PairComparison {
  return comparePair(new RunCache(entriesOf(calls)), kernel(from, host), kernel(to, host));
}

const changeName = (c: Change) => (c.kind === 'flag' ? c.flag : c.fn);

/** "return seq 3 iommu_sva_bind_device ← 5.11 svaSingletonGroup" per difference. */
export function across(from: string, to: string, calls: readonly CallSpec[], host?: HostFacts): string[] {
  return comparison(from, to, calls, host).differences.map(
    (d) => `${d.cause} seq ${d.seq ?? '-'}${d.atEnd ? ' end' : ''} ${d.cause === 'finding' ? `${d.subject.split(' ')[0]} ${d.detail.cause === 'finding' ? d.detail.change : ''}` : d.fn} ← ${d.blame.boundary} ${d.blame.responsible.map(changeName).join('+')}`,
  );
}
