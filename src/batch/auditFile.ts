/**
 * One file of a batch: opened, replayed and summarised into a plain-data result (it crosses a
 * worker boundary). Never throws: a file that cannot be read or is not a trace becomes a failed
 * result with the reader's code and message, and the batch goes on.
 */
import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../cli/command.js';
import { openTrace } from '../cli/input.js';
import { loadTrace } from '../cli/traceFile.js';
import { runReplay } from '../audit/runReplay.js';
import { markLost } from '../audit/lostEvents.js';
import { FindingTally } from '../audit/tally.js';
import type { LedgerError } from '../core/result.js';
import type { Finding } from '../replay/finding.js';
import { buildIndex } from '../timetravel/index.js';
import { chainsOf } from './chains.js';
import type { AuditTask, BatchFinding, FileResult } from './types.js';

/** openTrace reads stdin only for `-`, which a batch never passes (an empty stream if it did); files need no terminal. */
const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });
const NO_IO: CliIo = { stdin: Readable.from([]), stdout: discard(), stderr: discard(), env: {} };

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
  const result = await runReplay(input.chunks, {
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
  const loaded = await loadTrace(task.path, NO_IO, task.kernel, task.from);
  if (!loaded.ok) return failed(task, loaded.error);
  const { entries, warnings, lostAfter } = loaded.value;
  // Why: one checkpoint (the start) is enough: chains read the facts, never seek.
  const index = buildIndex(entries, loaded.value.profile, Number.MAX_SAFE_INTEGER, task.xstate ? 'xstate' : 'fast');
  const all = [...index.findings, ...index.endFindings];
  const chains = chainsOf(index, all);
  const tally = new FindingTally();
  const findings: BatchFinding[] = all.map((f, i) => {
    const m = markLost(f, lostAfter);
    tally.add(m);
    return { ...m, chain: chains[i].filter((c) => c.seq !== m.seq) };
  });
  const summary = tally.summary({ profile: loaded.value.profile, records: entries.length, log: { length: index.facts.length } }, warnings);
  return { file: task.file, ok: true, summary, findings };
}
