/**
 * TEST-ONLY: renames pointer-derived names (domains, handles, mms, ops…) to `#1`, `#2`… by first
 * appearance in capture order, with a new identity after the object is freed: two traces equal after
 * this differ only in how the importer chose to spell names.
 */
import { RECORD_SPECS, type CallRecord } from '../../events/records.js';
import { CAPTURE_MAPPINGS } from '../../src/import/catalog.js';
import { isPointerArg, isPointerRet, retiredArg, type CaptureStep } from './captureEmitter.js';

/** The importer names a pointer per category (a freed handle's address reused by a group is another object). */
const categoryOf = (fn: CallRecord['fn'], arg: string | null): string => {
  const m = CAPTURE_MAPPINGS[fn] as { names?: Record<string, { from: string; category?: string }>; retCategory?: string };
  return (arg === null ? m.retCategory : m.names?.[arg]?.category) ?? '?';
};

export function canonicalNames(records: readonly CallRecord[], order: readonly CaptureStep[]): CallRecord[] {
  const ids = new Map<string, string>();
  let next = 0;
  const id = (key: string): string => {
    let c = ids.get(key);
    if (c === undefined) ids.set(key, (c = `#${++next}`));
    return c;
  };
  const renamed = new Map<number, { args: Record<string, unknown>; ret?: unknown }>();
  const bySeq = new Map(records.map((r) => [r.seq, r]));
  for (const step of order) {
    const r = bySeq.get(step.seq);
    if (r === undefined) continue;
    const out = renamed.get(r.seq) ?? { args: { ...(r.args as Record<string, unknown>) } };
    renamed.set(r.seq, out);
    if (step.phase !== 'exit') {
      for (const arg of Object.keys(RECORD_SPECS[r.fn].args)) {
        const v = out.args[arg];
        if (typeof v === 'string' && isPointerArg(r.fn, arg)) out.args[arg] = id(`${categoryOf(r.fn, arg)}:${v}`);
      }
    }
    if (step.phase !== 'entry') {
      out.ret = isPointerRet(r.fn, r.ret) ? id(`${categoryOf(r.fn, null)}:${r.ret}`) : r.ret;
      const retired = retiredArg(r.fn);
      if (retired !== undefined) ids.delete(`${categoryOf(r.fn, retired)}:${String((r.args as Record<string, unknown>)[retired])}`);
    }
  }
  return records.map((r) => {
    const n = renamed.get(r.seq);
    return (n === undefined ? r : { ...r, args: n.args, ...('ret' in n ? { ret: n.ret } : {}) }) as CallRecord;
  });
}
