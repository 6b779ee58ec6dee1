/** The compiler-style text of findings and the closing summary. Pure (colour is a parameter). */
import type { Finding } from '../replay/finding.js';
import { FINDINGS } from '../../machines/findings.js';
import type { AuditSummary } from './summary.js';

export interface Style {
  readonly bold: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
}

const id = (s: string) => s;
export const PLAIN: Style = { bold: id, red: id, yellow: id, dim: id };
export const ANSI: Style = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  red: (s) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s) => `\x1b[33m${s}\x1b[39m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
};

/** `trace.jsonl:57 [seq 56] DETACH_WRONG_DOMAIN 0000:00:02.0 pasid 5: detached with … (v6.2 WARNs in …)` */
export function formatFinding(f: Finding, file: string, style: Style = PLAIN): string {
  const where = f.line !== null ? `${file}:${f.line}` : file;
  const seq = f.seq !== null ? `[seq ${f.seq}]` : '[end]';
  const code = f.severity === 'bug' ? style.red(f.code) : f.severity === 'misuse' ? style.yellow(f.code) : f.code;
  const end = f.atEnd ? ' at end of trace' : '';
  return `${where} ${seq} ${style.bold(code)}${end} ${f.message}\n    ${style.dim(`${f.ref} · fix: ${f.fix}`)}`;
}

export function formatSummary(s: AuditSummary, file: string, style: Style = PLAIN): string {
  const lines = [
    '',
    style.bold(`${file}: ${s.records} records, Linux ${s.kernel} (era ${s.era}), ${s.facts} facts, ${s.findings} finding(s): ${s.bySeverity.bug} bug, ${s.bySeverity.misuse} misuse, ${s.bySeverity.info} info`),
  ];
  for (const [code, n] of Object.entries(s.byCode)) {
    const spec = FINDINGS[code as keyof typeof FINDINGS];
    lines.push(`  ${String(n).padStart(5)}  ${code.padEnd(34)} ${spec ? `${spec.ref.padEnd(14)} ${spec.title}` : ''}`);
  }
  for (const w of s.warnings) lines.push(style.yellow(`warning: ${w}`));
  return lines.join('\n');
}
