/**
 * What if a record had not happened, or had happened elsewhere: the trace edited (one record, with
 * the calls nested in it, removed or moved), renumbered 1..n with parents following, replayed by the
 * same Replay, and its findings compared with the original's by code and objects (seqs differ). Pure.
 */
import type { CallRecord } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import { err, ledgerError, ok, type LedgerError, type Result } from '../core/result.js';
import type { Finding } from '../replay/finding.js';
import { replayEntries, type Entry } from '../replay/replayTrace.js';

export type Edit = { readonly skip: number } | { readonly move: number; readonly to: number; readonly force?: boolean };

export interface EditedTrace {
  readonly entries: Entry[];
  /** New seq → original seq. */
  readonly originalSeq: ReadonlyMap<number, number>;
}

/** The indexes of record i and of the records nested (transitively) in it: a contiguous-or-not set. */
function blockOf(entries: readonly Entry[], i: number): number[] {
  const inside = new Set([entries[i].record.seq]);
  const out = [i];
  for (let j = i + 1; j < entries.length; j++) {
    const p = entries[j].record.parent;
    if (p !== undefined && inside.has(p)) {
      inside.add(entries[j].record.seq);
      out.push(j);
    }
  }
  return out;
}

function findSeq(entries: readonly Entry[], seq: number, option: string, file: string): Result<number, LedgerError> {
  const i = entries.findIndex((e) => e.record.seq === seq);
  if (i >= 0) return ok(i);
  return err(ledgerError('SEQ_NOT_IN_TRACE', `${option}: no record has seq ${seq}`, { file, field: option, seq, fix: `give a seq between ${entries[0]?.record.seq ?? 1} and ${entries[entries.length - 1]?.record.seq ?? 1}` }));
}

function renumber(order: readonly Entry[]): EditedTrace {
  const newSeq = new Map<number, number>();
  const originalSeq = new Map<number, number>();
  order.forEach((e, i) => {
    newSeq.set(e.record.seq, i + 1);
    originalSeq.set(i + 1, e.record.seq);
  });
  const entries = order.map((e, i) => {
    const { parent, ...rest } = e.record;
    const record = { ...rest, seq: i + 1, ...(parent === undefined ? {} : { parent: newSeq.get(parent) as number }) } as CallRecord;
    return { record, line: e.line };
  });
  return { entries, originalSeq };
}

/** The trace with the edit applied, or why it cannot be. */
export function editTrace(entries: readonly Entry[], edit: Edit, file = 'trace'): Result<EditedTrace, LedgerError> {
  if ('skip' in edit) {
    const i = findSeq(entries, edit.skip, '--skip', file);
    if (!i.ok) return i;
    const block = new Set(blockOf(entries, i.value));
    return ok(renumber(entries.filter((_, j) => !block.has(j))));
  }
  const from = findSeq(entries, edit.move, '--move', file);
  if (!from.ok) return from;
  const rec = entries[from.value].record;
  if (rec.parent !== undefined) {
    return err(ledgerError('MOVE_NESTED', `--move ${edit.move}:${edit.to}: seq ${edit.move} is nested in seq ${rec.parent}`, { file, line: entries[from.value].line ?? undefined, field: '--move', fix: `move the enclosing call, --move ${rec.parent}:${edit.to}` }));
  }
  const block = blockOf(entries, from.value);
  const inBlock = new Set(block);
  // After TO (and the calls nested in it); 0 = before the first record.
  let after = -1;
  if (edit.to !== 0) {
    const to = findSeq(entries, edit.to, '--move', file);
    if (!to.ok) return to;
    if (inBlock.has(to.value)) return err(ledgerError('MOVE_INTO_ITSELF', `--move ${edit.move}:${edit.to}: seq ${edit.to} is the moved call or nested in it`, { file, field: '--move', fix: 'pick a TO outside the moved call' }));
    after = Math.max(...blockOf(entries, to.value).filter((j) => !inBlock.has(j)));
  }
  const rest = entries.map((e, j) => ({ e, j })).filter(({ j }) => !inBlock.has(j));
  const insertAt = rest.findIndex(({ j }) => j > after);
  const at = insertAt < 0 ? rest.length : insertAt;
  // Why: a task's own calls happen in program order; moving past one of them is another program.
  const lo = Math.min(from.value, after + 1);
  const hi = Math.max(from.value, after);
  const crossed = entries.slice(lo, hi + 1).filter((e, k) => !inBlock.has(lo + k) && e.record.tid === rec.tid);
  if (crossed.length > 0 && edit.force !== true) {
    return err(ledgerError('MOVE_REORDERS_TASK', `--move ${edit.move}:${edit.to}: seq ${edit.move} (tid ${rec.tid}) would pass seq ${crossed.map((e) => e.record.seq).join(', ')} of the same task`, {
      file,
      line: entries[from.value].line ?? undefined,
      field: '--move',
      fix: 'a task runs its calls in order: move it among other tasks\' records, or add --force',
    }));
  }
  const order = [...rest.slice(0, at).map(({ e }) => e), ...block.map((j) => entries[j]), ...rest.slice(at).map(({ e }) => e)];
  return ok(renumber(order));
}

export interface FindingChange {
  readonly finding: Finding;
  /** The seq in the original trace's numbering (null for end-of-trace findings without an origin). */
  readonly originalSeq: number | null;
  /** The finding's message with the seqs it quotes in the original numbering. */
  readonly message: string;
}

export interface WhatIf {
  readonly edited: EditedTrace;
  readonly gone: readonly FindingChange[];
  readonly added: readonly FindingChange[];
  readonly kept: number;
}

const inOriginalSeqs = (text: string, originalSeq: (s: number) => number) => text.replace(/seq (\d+)/g, (_, n: string) => `seq ${originalSeq(Number(n))}`);

/**
 * Findings compare by code, the objects they name and their message (end-of-trace findings name
 * their objects only in it), never by seq: seqs inside are mapped back to the original numbering.
 */
function keyOf(f: Finding, originalSeq: (s: number) => number): string {
  const o: Record<string, unknown> = { ...f.objects };
  if (typeof o.parent === 'number') o.parent = originalSeq(o.parent);
  const message = inOriginalSeqs(f.message, originalSeq);
  return `${f.code} ${JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]))} ${f.atEnd} ${message}`;
}

/** Replays the original and the edited trace and compares their findings (multisets by key). */
export function whatIf(entries: readonly Entry[], profile: Profile, edit: Edit, file = 'trace'): Result<WhatIf, LedgerError> {
  const edited = editTrace(entries, edit, file);
  if (!edited.ok) return edited;
  const base = replayEntries(entries, profile, 'fast', false).findings;
  const next = replayEntries(edited.value.entries, profile, 'fast', false).findings;
  const back = (s: number) => edited.value.originalSeq.get(s) ?? s;
  const pending = new Map<string, Finding[]>();
  for (const f of base) {
    const k = keyOf(f, (s) => s);
    pending.set(k, [...(pending.get(k) ?? []), f]);
  }
  const added: FindingChange[] = [];
  let kept = 0;
  for (const f of next) {
    const list = pending.get(keyOf(f, back));
    if (list && list.length > 0) {
      list.shift();
      kept++;
    } else added.push({ finding: f, originalSeq: f.seq === null ? null : back(f.seq), message: inOriginalSeqs(f.message, back) });
  }
  const gone = [...pending.values()].flat().map((f) => ({ finding: f, originalSeq: f.seq, message: f.message }));
  gone.sort((a, b) => (a.originalSeq ?? Infinity) - (b.originalSeq ?? Infinity));
  return ok({ edited: edited.value, gone, added, kept });
}
