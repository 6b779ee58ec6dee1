/** The text of a batch: each file's findings and one line about it, then the batch summary. Pure. */
import { FINDINGS } from '../../../machines/findings.js';
import { formatFinding, PLAIN, type Style } from '../../audit/formatText.js';
import type { BatchSummary, FileResult } from '../types.js';

export function fileText(r: FileResult, style: Style = PLAIN): string {
  if (!r.ok) return style.red(`${r.file}: not audited: ${r.error.code}: ${r.error.message}`);
  const s = r.summary;
  const lines = r.findings.map((f) => formatFinding(f, r.file, style));
  lines.push(style.bold(`${r.file}: ${s.records} records, Linux ${s.kernel} (era ${s.era}), ${s.findings} finding(s): ${s.bySeverity.bug} bug, ${s.bySeverity.misuse} misuse, ${s.bySeverity.info} info`));
  for (const w of s.warnings) lines.push(style.yellow(`warning: ${w}`));
  return lines.join('\n');
}

export function batchSummaryText(s: BatchSummary, style: Style = PLAIN): string {
  const failed = s.failed > 0 ? `, ${s.failed} not audited` : '';
  const lines = [
    '',
    style.bold(`${s.files} file(s): ${s.audited} audited${failed}; ${s.records} records, ${s.findings} finding(s): ${s.bySeverity.bug ?? 0} bug, ${s.bySeverity.misuse ?? 0} misuse, ${s.bySeverity.info ?? 0} info`),
  ];
  for (const [code, n] of Object.entries(s.byCode)) {
    const spec = FINDINGS[code as keyof typeof FINDINGS];
    lines.push(`  ${String(n).padStart(5)}  ${code.padEnd(34)} ${spec ? `${spec.ref.padEnd(14)} ${spec.title}` : ''}`);
  }
  if (s.failedFiles.length > 0) {
    lines.push(style.red('not audited (unreadable or not a trace):'));
    for (const f of s.failedFiles) lines.push(`  ${f.file}: ${f.code}: ${f.message}`);
  }
  return lines.join('\n');
}
