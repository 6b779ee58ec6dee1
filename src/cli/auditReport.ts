/**
 * `audit --report REPORT.html`: the audit keeps the records it streams and writes the same report
 * as `pasid-ledger report` at the end. Kept out of audit.ts so the audit stays one flow.
 */
import type { TraceHeader } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import type { ReadItem } from '../log/readItem.js';
import type { Entry } from '../replay/replayTrace.js';
import type { Finding } from '../replay/finding.js';
import { checkOutput } from '../io/output.js';
import type { CliIo } from './command.js';
import { refuse } from './command.js';
import { writeReport } from './writeReport.js';

export const REPORT_FLAGS = { '--report': 'string', '--force': 'bool' } as const;

export interface ReportTap {
  readonly path: string;
  readonly force: boolean;
  readonly entries: Entry[];
}

/**
 * With --report, checks the output before the audit runs and passes the items through while
 * keeping the records; without it, the items as they are. An error is the exit code to return.
 */
export function tapForReport<T extends ReadItem | { kind: 'idle' } | readonly ReadItem[]>(flags: Record<string, unknown>, items: AsyncIterable<T>, input: string, io: CliIo): { items: AsyncIterable<T>; tap: ReportTap | null } | number {
  const path = flags['--report'];
  if (typeof path !== 'string') return { items, tap: null };
  const force = flags['--force'] === true;
  const checked = checkOutput(path, { force, inputs: [input] });
  if (!checked.ok) return refuse(io, 'audit', checked.error.message);
  const tap: ReportTap = { path, force, entries: [] };
  const see = (item: ReadItem | { kind: 'idle' }) => {
    if (item.kind === 'record') tap.entries.push({ record: item.entry.record, line: item.entry.line });
  };
  async function* keep(): AsyncGenerator<T> {
    for await (const x of items) {
      if (Array.isArray(x)) for (const item of x as readonly ReadItem[]) see(item);
      else see(x as ReadItem | { kind: 'idle' });
      yield x;
    }
  }
  return { items: keep(), tap };
}

/** Writes the report after the audit; an error is the exit code to return. */
export function finishReport(tap: ReportTap | null, trace: { file: string; input: string; header: TraceHeader; profile: Profile; mark: (f: Finding) => Finding }, io: CliIo): number | null {
  if (tap === null) return null;
  const written = writeReport(tap.path, { file: trace.file, header: trace.header, profile: trace.profile, entries: tap.entries }, {
    force: tap.force, inputs: [trace.input], generator: 'pasid-ledger audit --report', notice: 'stderr', mark: trace.mark,
  }, io);
  return written.ok ? null : refuse(io, 'audit', written.error.message);
}
