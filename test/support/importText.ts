/** TEST-ONLY: runs an import over an in-memory capture and sorts its items by kind. */
import { importCapture } from '../../src/import/importCapture.js';
import type { ImportItem, ImportOptions, ImportSummary } from '../../src/import/importTypes.js';
import type { ImportProblem } from '../../src/import/problems.js';
import type { CallRecord, TraceHeader } from '../../events/records.js';

export interface Imported {
  readonly items: ImportItem[];
  readonly header?: TraceHeader;
  readonly records: CallRecord[];
  /** Capture line of each record's return, in record order. */
  readonly lines: number[];
  readonly problems: ImportProblem[];
  readonly summary: ImportSummary;
}

/** Splits the text into chunks of `chunk` characters, to exercise streaming. */
export async function importText(text: string, options: Partial<ImportOptions> & Pick<ImportOptions, 'from'>, chunk = 97): Promise<Imported> {
  async function* source() {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const items: ImportItem[] = [];
  for await (const item of importCapture(source(), { file: 'capture', ...options })) items.push(item);
  const summary = items.flatMap((i) => (i.kind === 'summary' ? [i.summary] : []))[0];
  if (summary === undefined) throw new Error('import ended without a summary');
  const header = items.flatMap((i) => (i.kind === 'header' ? [i.header] : []))[0];
  return {
    items,
    ...(header !== undefined ? { header } : {}),
    records: items.flatMap((i) => (i.kind === 'record' ? [i.record] : [])),
    lines: items.flatMap((i) => (i.kind === 'record' ? [i.line] : [])),
    problems: items.flatMap((i) => (i.kind === 'problem' ? [i.problem] : [])),
    summary,
  };
}
