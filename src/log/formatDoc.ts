/**
 * The generated tables of docs/trace-format.md: every record type with its args (from
 * events/records.ts) and every error code with cause and fix (from codes.ts). Pure.
 * test/log/traceFormatDoc.test.ts keeps the doc in step (UPDATE_DOCS=1 rewrites it).
 */
import { RECORD_SPECS, CALL_NAMES } from '../../events/records.js';
import type { FieldKind } from '../../events/fields.js';
import { CODE_SPECS, type ErrorCode } from './codes.js';
import { KIND_TEXT } from './kindText.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** One row per kernel function: fn, args (`name: kind`, `?` optional), ret kind, what it is. */
export function recordTableMarkdown(): string {
  const rows = CALL_NAMES.map((fn) => {
    const spec = RECORD_SPECS[fn];
    const args = Object.entries(spec.args as Readonly<Record<string, string>>)
      .map(([k, s]) => `\`${k}${s.endsWith('?') ? '?' : ''}\`: ${s.replace('?', '')}`)
      .join(', ');
    return `| \`${fn}\` | ${args || '—'} | ${spec.ret} | ${cell(spec.doc)} |`;
  });
  return ['| fn | args | ret | what |', '|---|---|---|---|', ...rows].join('\n');
}

/** One row per field kind used in the record table: what values it accepts. */
export function kindTableMarkdown(): string {
  const rows = (Object.keys(KIND_TEXT) as FieldKind[]).map((k) => `| ${k} | ${cell(KIND_TEXT[k])} |`);
  return ['| kind | accepts |', '|---|---|', ...rows].join('\n');
}

/** One row per error code: severity, cause, fix. */
export function errorCodeTableMarkdown(): string {
  const rows = (Object.keys(CODE_SPECS) as ErrorCode[]).map((c) => {
    const s = CODE_SPECS[c];
    return `| \`${c}\` | ${s.severity} | ${cell(s.cause)} | ${cell(s.fix)} |`;
  });
  return ['| code | severity | cause | fix |', '|---|---|---|---|', ...rows].join('\n');
}

/** The generated sections, keyed by the marker name used in the doc (`<!-- generated:NAME -->`). */
export const GENERATED_SECTIONS: Readonly<Record<string, () => string>> = {
  records: recordTableMarkdown,
  kinds: kindTableMarkdown,
  codes: errorCodeTableMarkdown,
};
