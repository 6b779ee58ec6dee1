/** Text of time-travel output: records, findings, positions. Pure. */
import type { CallRecord } from '../../events/records.js';
import type { Finding } from '../replay/finding.js';
import { factsSoFar, type Position } from './index.js';

export function formatRecord(r: CallRecord, line: number | null): string {
  const args = Object.entries(r.args as Record<string, unknown>).map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`).join(' ');
  const ret = r.ret === undefined ? '' : ` → ${String(r.ret)}`;
  const from = r.caller !== undefined ? `, from ${r.caller}` : '';
  const where = `seq ${r.seq}${line !== null ? ` (line ${line}` : ' ('}${line !== null ? ', ' : ''}tid ${r.tid}${r.parent !== undefined ? `, in seq ${r.parent}` : ''}${from})`;
  return `${where} ${r.fn} ${args}${ret}`;
}

export function formatFindingLine(f: Finding, file: string): string {
  const at = f.seq === null ? 'end of trace' : `seq ${f.seq}`;
  const line = f.line !== null ? `${file}:${f.line}: ` : `${file}: `;
  return `${line}${f.code} at ${at}${f.atEnd ? ' (end of trace)' : ''}: ${f.message}`;
}

export function formatWhere(p: Position, records: number): string {
  if (p.at < 0) return `at the start (before record 1 of ${records}); 0 facts, 0 findings`;
  return `at seq ${p.seq}${p.line !== null ? ` (line ${p.line})` : ''}, record ${p.at + 1} of ${records}; ${factsSoFar(p)} facts, ${p.replay.findings.length} findings so far`;
}

export function formatFact(f: import('../../events/facts.js').Fact): string {
  const { type, seq, ...rest } = f;
  return `seq ${seq} ${type} ${Object.entries(rest).map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`).join(' ')}`.trimEnd();
}
