/**
 * One file of a batch: opened, replayed and summarised into a plain-data result (it crosses a
 * worker boundary). Never throws: a file that cannot be read or is not a trace becomes a failed
 * result with the reader's code and message, and the batch goes on.
 */
import type { CliIo } from '../cli/command.js';
import { openTrace } from '../cli/input.js';
import { runReplay } from '../audit/runReplay.js';
import { markLost } from '../audit/lostEvents.js';
import { FindingTally } from '../audit/tally.js';
import type { LedgerError } from '../core/result.js';
import type { Entry } from '../replay/replayTrace.js';
import { profileOf } from '../replay/replayTrace.js';
import type { Finding } from '../replay/finding.js';
import type { TraceHeader } from '../../events/records.js';
import { buildIndex } from '../timetravel/index.js';
import { chainsOf } from './chains.js';
import type { AuditTask, BatchFinding, FileResult } from './types.js';

/** openTrace reads stdin only for `-`, which a batch never passes; files need no terminal. */
const NO_IO = { stdin: undefined, stdout: undefined, stderr: undefined, env: {} } as unknown as CliIo;

const failed = (task: AuditTask, e: Pick<LedgerError, 'code' | 'message'>): FileResult => ({ file: task.file, ok: false, error: { code: e.code, message: e.message } });

export async function auditFile(task: AuditTask): Promise<FileResult> {
  try {
    return task.chains ? await withChains(task) : await streaming(task);
  } catch (e) {
    return failed(task, { code: 'INTERNAL_ERROR', message: `${task.file}: internal error (please report): ${(e as Error).stack ?? String(e)}` });
  }
}

async function streaming(task: AuditTask): Promise<FileResult> {
  const input = openTrace(task.path, NO_IO, { from: task.from, kernel: task.kernel });
  if ('code' in input) return failed(task, input);
  const findings: Finding[] = [];
  const tally = new FindingTally();
  const mark = (f: Finding) => markLost(f, input.lostAfter);
  const result = await runReplay(input.items, {
    file: task.file,
    kernel: task.kernel,
    mode: task.xstate ? 'xstate' : 'fast',
    validateFacts: true,
    onStart: (replay) =>
      replay.on('finding', (f) => {
        const m = mark(f);
        findings.push(m);
        tally.add(m);
        // Why: the result carries them; the replay's own copy would double the memory.
        replay.findings.length = 0;
      }),
  });
  if (!result.ok) return failed(task, result.error);
  return { file: task.file, ok: true, summary: tally.summary(result.value.replay, result.value.warnings), findings };
}

/** Chains need the whole trace (records before a finding are looked up by object), so the trace is loaded. */
async function withChains(task: AuditTask): Promise<FileResult> {
  const input = openTrace(task.path, NO_IO, { from: task.from, kernel: task.kernel });
  if ('code' in input) return failed(task, input);
  const entries: Entry[] = [];
  const warnings: LedgerError[] = [];
  let header: TraceHeader | undefined;
  for await (const item of input.items) {
    if (item.kind === 'header') header = item.header;
    else if (item.kind === 'record') entries.push({ record: item.entry.record, line: item.entry.line });
    else if (item.kind === 'warning') warnings.push(item.warning);
    else if (item.kind === 'error') return failed(task, item.error);
    else return failed(task, { code: 'HEADER_MISSING', message: `${task.file}:1: a derived-event log was given where a trace is expected; pass the trace, not the log` });
  }
  if (header === undefined) return failed(task, { code: 'EMPTY_FILE', message: `${task.file}: no header and no records; capture or write a trace first` });
  const profile = profileOf(header, task.kernel, task.file);
  if (!profile.ok) return failed(task, profile.error);
  // Why: one checkpoint (the start) is enough: chains read the facts, never seek.
  const index = buildIndex(entries, profile.value, Number.MAX_SAFE_INTEGER, task.xstate ? 'xstate' : 'fast');
  const all = [...index.findings, ...index.endFindings];
  const chains = chainsOf(index, all);
  const tally = new FindingTally();
  const findings: BatchFinding[] = all.map((f, i) => {
    const m = markLost(f, input.lostAfter);
    tally.add(m);
    return { ...m, chain: chains[i].filter((c) => c.seq !== m.seq) };
  });
  const summary = tally.summary({ profile: profile.value, records: entries.length, log: { length: index.facts.length } as never }, warnings);
  return { file: task.file, ok: true, summary, findings };
}
