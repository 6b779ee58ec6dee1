/** The human-readable import summary printed on stderr. Pure. */
import type { ImportSummary, ReasonCount } from './importTypes.js';
import { PROBLEM_SEVERITY, type ProblemCode } from './problems.js';

export function formatSummary(s: ImportSummary): string {
  const kernel = s.kernel !== undefined ? `, kernel ${s.kernel}` : '';
  const verdict = s.fatal ? 'unusable' : s.clean ? 'clean' : 'imported with problems';
  const lines = [`pasid-ledger import: ${s.file} (${s.from}${kernel}): ${verdict}; kept ${s.kept} records, skipped ${s.skipped}, read ${s.lines} lines`];
  const table = (title: string, rows: Readonly<Partial<Record<ProblemCode, ReasonCount>>>): void => {
    const entries = Object.entries(rows) as [ProblemCode, ReasonCount][];
    if (entries.length === 0) return;
    lines.push(`  ${title}:`);
    for (const [code, r] of entries) {
      const at = r.firstLine > 0 ? ` (first at line ${r.firstLine})` : '';
      lines.push(`    ${code.padEnd(21)} ${String(r.count).padStart(6)}  ${PROBLEM_SEVERITY[code]}${at}`);
    }
  };
  table(s.fatal ? 'why the capture was refused or records dropped' : 'why records were dropped', s.reasons);
  table('notes (records kept)', s.notes);
  for (const r of s.kernelReports) {
    const inside = r.inside.length > 0 ? `inside ${r.inside.map((c) => `${c.fn} (seq ${c.seq})`).join(' → ')}` : 'outside any probed call';
    lines.push(`  kernel report at line ${r.line}: "${r.text}"${r.rip !== undefined ? ` at ${r.rip}` : ''}, task ${r.tid}, ${inside}`);
  }
  const seen = Object.entries(s.seen).filter(([, n]) => (n ?? 0) > 0);
  if (seen.length > 0) lines.push(`  lines of other tracers or tools: ${seen.map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
  const unknown = Object.entries(s.unknownFunctions);
  if (unknown.length > 0) lines.push(`  unknown functions: ${unknown.map(([fn, n]) => `${fn} (${n})`).join(', ')}`);
  if (s.lostEventsAfterSeq.length > 0) {
    lines.push(`  lost ${s.lostEvents} events in ${s.lostEventsAfterSeq.length} places; findings near seq ${s.lostEventsAfterSeq.map((q) => `>${q}`).join(', ')} may be artefacts`);
  }
  return lines.join('\n');
}
