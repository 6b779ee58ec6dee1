/**
 * The chain of every finding of a run: the records that touched the objects the finding follows
 * (time travel's `chainTokens`), up to the finding's record, as `history --finding` selects them.
 * One inverted index (token → records) serves every finding. Pure.
 */
import type { Finding } from '../replay/finding.js';
import { chainEnd, chainTokens } from '../timetravel/history.js';
import type { TravelIndex } from '../timetravel/index.js';
import { factsBySeq, recordTokens } from '../timetravel/refs.js';
import type { ChainLink } from './types.js';

export function chainsOf(index: TravelIndex, findings: readonly Finding[]): ChainLink[][] {
  const facts = factsBySeq(index.facts);
  const byToken = new Map<string, number[]>();
  index.entries.forEach((e, t) => {
    for (const token of recordTokens(e.record, facts.get(e.record.seq) ?? [])) {
      const list = byToken.get(token);
      if (list === undefined) byToken.set(token, [t]);
      else list.push(t);
    }
  });
  return findings.map((f) => {
    const end = chainEnd(index, f);
    const picked = new Set<number>();
    for (const token of chainTokens(index, f)) for (const t of byToken.get(token) ?? []) if (t <= end) picked.add(t);
    return [...picked].sort((a, b) => a - b).map((t) => {
      const e = index.entries[t];
      return { seq: e.record.seq, line: e.line, fn: e.record.fn };
    });
  });
}
