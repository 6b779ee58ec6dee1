/**
 * The kernel objects a record touched, as tokens (`dev:X`, `pasid:5`, `slot:X/5`, `domain:d`, ...):
 * read off the record's own args and return, and the facts it produced. History and finding chains
 * select records by these tokens; flattenView gives view objects the same tokens. Pure.
 */
import { isFailure } from '../../events/ret.js';
import type { Fact } from '../../events/facts.js';
import { RECORD_SPECS, type CallName, type CallRecord } from '../../events/records.js';
import type { Finding } from '../replay/finding.js';

/** What `history` can select on (the option names of the command). */
export type SelectorKind = 'pasid' | 'dev' | 'domain' | 'mm' | 'allocator' | 'handle' | 'ioasid';
export const SELECTOR_KINDS: readonly SelectorKind[] = ['pasid', 'dev', 'domain', 'mm', 'allocator', 'handle', 'ioasid'];

export function selectorToken(kind: SelectorKind, value: string): string {
  return `${kind === 'allocator' ? 'ops' : kind}:${value}`;
}

/** Field name → token prefix (several fields name domains). */
const FIELD_TOKEN: Readonly<Record<string, string>> = {
  dev: 'dev', pasid: 'pasid', domain: 'domain', old: 'domain', from: 'domain', to: 'domain', mm: 'mm', handle: 'handle',
  ops: 'ops', ioasid: 'ioasid', iommu: 'iommu', group: 'group', space: 'space',
};

/** What a call's return names, by its catalogue return type (events/records.ts): a domain, a handle, a PASID, an IOASID. */
const RET_TOKEN_OF_TYPE: Readonly<Partial<Record<(typeof RECORD_SPECS)[CallName]['ret'], string>>> = {
  retDomain: 'domain', retHandle: 'handle', retPasid: 'pasid', retIoasid: 'ioasid',
};

function tokensOf(fields: Readonly<Record<string, unknown>>, out: Set<string>): void {
  for (const [k, v] of Object.entries(fields)) {
    const prefix = FIELD_TOKEN[k];
    if (prefix !== undefined && (typeof v === 'string' || typeof v === 'number')) out.add(`${prefix}:${v}`);
  }
  const dev = fields.dev;
  const pasid = fields.pasid;
  if (typeof dev === 'string' && typeof pasid === 'number') out.add(`slot:${dev}/${pasid}`);
}

/** Every object token a record and its facts name. */
export function recordTokens(record: CallRecord, facts: readonly Fact[]): Set<string> {
  const out = new Set<string>();
  tokensOf(record.args, out);
  const retKind = RET_TOKEN_OF_TYPE[RECORD_SPECS[record.fn].ret];
  const ret = record.ret;
  if (retKind !== undefined && (typeof ret === 'string' || typeof ret === 'number') && !isFailure(ret)) out.add(`${retKind}:${ret}`);
  for (const f of facts) tokensOf(f, out);
  return out;
}

/**
 * The tokens of the objects a finding names. A device and a PASID together name one slot (the
 * chain of a slot finding is not every record of the device).
 */
export function findingTokens(f: Finding): Set<string> {
  const o = f.objects;
  const out = new Set<string>();
  const slot = typeof o.dev === 'string' && typeof o.pasid === 'number';
  for (const [k, v] of Object.entries(o)) {
    if (slot && (k === 'dev' || k === 'pasid')) continue;
    const prefix = FIELD_TOKEN[k];
    if (prefix !== undefined && prefix !== 'space' && prefix !== 'group' && (typeof v === 'string' || typeof v === 'number')) out.add(`${prefix}:${v}`);
  }
  if (slot) out.add(`slot:${String(o.dev)}/${String(o.pasid)}`);
  return out;
}

/** Facts grouped by the seq of the record they follow from. */
export function factsBySeq(facts: readonly Fact[]): Map<number, Fact[]> {
  const m = new Map<number, Fact[]>();
  for (const f of facts) {
    let list = m.get(f.seq);
    if (!list) m.set(f.seq, (list = []));
    list.push(f);
  }
  return m;
}
