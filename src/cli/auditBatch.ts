/**
 * `audit` over many inputs: expand them (files, directories, globs), keep this shard's, audit them
 * on the worker pool, stream each file's result in path order, and print or write one report in
 * the chosen format. The IO of a batch lives here; the pieces are in src/batch.
 */
import { availableParallelism } from 'node:os';
import type { CliIo } from './command.js';
import { EXIT, refuse } from './command.js';
import { intFlag } from './args.js';
import { CAPTURE_FORMATS, wantsColour } from './input.js';
import { openProgress } from './progress.js';
import { toolVersion } from './version.js';
import { ANSI, PLAIN } from '../audit/formatText.js';
import { AtomicOutput } from '../io/output.js';
import { expandInputs } from '../batch/inputs.js';
import { inShard, parseShard } from '../batch/shard.js';
import { runBatch } from '../batch/pool.js';
import { BatchTally, batchExit } from '../batch/summary.js';
import { JsonDocumentWriter } from '../batch/render/json.js';
import { batchSummaryText, fileText } from '../batch/render/text.js';
import { junitReport } from '../batch/render/junit.js';
import { sarifReport } from '../batch/render/sarif.js';
import type { AuditTask, BatchSummary, FileResult, ShardSpec } from '../batch/types.js';
import type { CaptureFormat } from '../import/importTypes.js';

export const FORMATS = ['text', 'json', 'junit', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

/** Where a report goes: stdout (with backpressure) or an atomic output file. */
export interface Sink {
  write(text: string): Promise<void>;
  /** Makes a file output visible; false when writing failed (the message is on stderr). */
  finish(): boolean;
}

export function openSink(io: CliIo, command: string, path: string | undefined, options: { force: boolean; inputs: readonly string[] }): Sink | number {
  if (path === undefined) {
    return {
      async write(text) {
        if (!io.stdout.write(text)) await new Promise((r) => io.stdout.once('drain', r));
      },
      finish: () => true,
    };
  }
  const opened = AtomicOutput.open(path, options);
  if (!opened.ok) return refuse(io, command, opened.error.message);
  const out = opened.value;
  return {
    async write(text) {
      out.write(text);
    },
    finish() {
      const done = out.commit();
      if (!done.ok) refuse(io, command, done.error.message);
      return done.ok;
    },
  };
}

/** Renders a whole report of results in path order; `text` and `json` can also stream (see renderStream). */
export function renderReport(format: Format, results: readonly FileResult[], summary: BatchSummary, shard: ShardSpec | null, chains: boolean, colour: boolean): string {
  switch (format) {
    case 'junit':
      return junitReport(results, summary);
    case 'sarif':
      return sarifReport(results, summary, toolVersion());
    case 'json': {
      const w = new JsonDocumentWriter();
      return w.opening(shard, chains) + results.map((r) => w.file(r)).join('') + w.closing(summary);
    }
    case 'text': {
      const style = colour ? ANSI : PLAIN;
      return results.map((r) => `${fileText(r, style)}\n`).join('') + `${batchSummaryText(summary, style)}\n`;
    }
  }
}

/** A report written file by file as results arrive in path order (text and json stream; junit and sarif are built at the end). */
export class ReportStream {
  readonly #tally = new BatchTally();
  readonly #held: FileResult[] = [];
  readonly #json = new JsonDocumentWriter();
  #started = false;

  constructor(
    readonly format: Format,
    readonly sink: Sink,
    readonly shard: ShardSpec | null,
    readonly chains: boolean,
    readonly colour: boolean,
  ) {}

  async add(r: FileResult): Promise<void> {
    this.#tally.add(r);
    if (this.format === 'json') {
      if (!this.#started) {
        this.#started = true;
        await this.sink.write(this.#json.opening(this.shard, this.chains));
      }
      await this.sink.write(this.#json.file(r));
    } else if (this.format === 'text') await this.sink.write(`${fileText(r, this.colour ? ANSI : PLAIN)}\n`);
    else this.#held.push(r);
  }

  async end(): Promise<BatchSummary> {
    const summary = this.#tally.summary();
    if (this.format === 'json') {
      if (!this.#started) await this.sink.write(this.#json.opening(this.shard, this.chains));
      await this.sink.write(this.#json.closing(summary));
    } else if (this.format === 'text') await this.sink.write(`${batchSummaryText(summary, this.colour ? ANSI : PLAIN)}\n`);
    else await this.sink.write(renderReport(this.format, this.#held, summary, this.shard, this.chains, false));
    return summary;
  }
}

export async function auditBatch(paths: readonly string[], flags: Record<string, string | boolean | string[]>, format: Format, io: CliIo): Promise<number> {
  if (paths.includes('-')) return refuse(io, 'audit', 'stdin (-) cannot be part of a batch; audit it on its own');
  const from = flags['--from'] as string | undefined;
  if (from !== undefined && !CAPTURE_FORMATS.includes(from as CaptureFormat)) return refuse(io, 'audit', `--from takes ${CAPTURE_FORMATS.join(' or ')}, got ${from}`);
  const jobsFlag = intFlag(flags['--jobs'], '--jobs');
  if (!jobsFlag.ok) return refuse(io, 'audit', jobsFlag.error.message);
  if (jobsFlag.value === 0) return refuse(io, 'audit', '--jobs takes at least 1');
  const jobs = jobsFlag.value ?? availableParallelism();
  let shard: ShardSpec | null = null;
  if (typeof flags['--shard'] === 'string') {
    const s = parseShard(flags['--shard']);
    if (!s.ok) return refuse(io, 'audit', s.error.message);
    shard = s.value;
  }
  const expanded = expandInputs(paths, { from });
  const files = expanded.files.filter((f) => inShard(f.file, shard));
  const missing = expanded.failed.filter((f) => inShard(f.file, shard));
  const chains = format === 'sarif' || flags['--chains'] === true;
  const outPath = (flags['-o'] ?? flags['--output']) as string | undefined;
  const sink = openSink(io, 'audit', outPath, { force: flags['--force'] === true, inputs: files.map((f) => f.path) });
  if (typeof sink === 'number') return sink;
  const colour = outPath === undefined && format === 'text' && wantsColour(io);
  const report = new ReportStream(format, sink, shard, chains, colour);
  // Inputs that named nothing are results too, placed in path order among the files.
  const tasks: AuditTask[] = files.map((f) => ({
    // Why: the display name opens the same file (relative to the same cwd) and names it in every message.
    path: f.file,
    file: f.file,
    ...(typeof flags['--kernel'] === 'string' ? { kernel: flags['--kernel'] } : {}),
    ...(from !== undefined ? { from } : {}),
    xstate: flags['--xstate'] === true,
    chains,
  }));
  const quiet = flags['--quiet'] === true || (format === 'text' && outPath === undefined && io.stdout.isTTY === true);
  const progress = openProgress(io, { label: 'audit', total: tasks.length, unit: 'files', quiet });
  let finished = 0;
  const ordered = [...missing].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  // The text report says it in its stream; the other formats are documents, so stderr says it.
  const say = (r: FileResult) => {
    if (!r.ok && format !== 'text') io.stderr.write(`pasid-ledger audit: ${r.error.message}\n`);
  };
  try {
    let m = 0;
    const flushMissingBefore = async (file: string | null) => {
      while (m < ordered.length && (file === null || ordered[m].file < file)) {
        say(ordered[m]);
        await report.add(ordered[m++]);
      }
    };
    const how = await runBatch(tasks, {
      jobs,
      onDone: () => progress.update(++finished),
      onResult: async (r) => {
        await flushMissingBefore(r.file);
        say(r);
        await report.add(r);
      },
    });
    await flushMissingBefore(null);
    if (how.inProcess && jobs > 1 && tasks.length > 1) io.stderr.write('pasid-ledger audit: warning: the worker pool needs the built dist/ (npm run build); the files were audited in one thread\n');
  } finally {
    progress.stop();
  }
  const summary = await report.end();
  if (!sink.finish()) return EXIT.USAGE;
  if (flags['--demo'] === true) return EXIT.OK;
  return batchExit(summary);
}
