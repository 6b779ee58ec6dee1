/** Builds the HTML report of a trace and writes it (the shared tail of `report` and `audit --report`). */
import type { CliIo } from './command.js';
import type { LedgerError, Result } from '../core/result.js';
import { ok } from '../core/result.js';
import { checkOutput } from '../io/output.js';
import type { TraceInput } from '../report/analysis.js';
import type { Finding } from '../replay/finding.js';
import { buildReportData } from '../report/reportData.js';
import { reportHtml } from '../report/html.js';
import { writeChunks } from './writeChunks.js';

export interface WriteReportOptions {
  readonly force: boolean;
  readonly inputs: readonly string[];
  readonly maxRecords?: number;
  readonly exactBudget?: number;
  readonly generator: string;
  /** Where the one-line notice goes (stderr when stdout carries another output, as with audit --json). */
  readonly notice: 'stdout' | 'stderr';
  readonly mark?: (f: Finding) => Finding;
}

export function writeReport(path: string, input: TraceInput, options: WriteReportOptions, io: CliIo): Result<void, LedgerError> {
  if (path === '-') return writeChunks(path, reportHtml(buildReportData(input, options)), {}, io);
  // Refused before the work: a long trace's report takes a while to build.
  const checked = checkOutput(path, { force: options.force, inputs: options.inputs });
  if (!checked.ok) return checked;
  const data = buildReportData(input, options);
  const written = writeChunks(path, reportHtml(data), { force: options.force, inputs: options.inputs }, io);
  if (!written.ok) return written;
  const m = data.meta;
  (options.notice === 'stdout' ? io.stdout : io.stderr).write(`${path}: report of ${m.file} (${m.records} records, ${m.findings} finding(s)${m.leftOut.length > 0 ? `; ${m.leftOut.length} note(s) on what it left out` : ''})\n`);
  return ok(undefined);
}
