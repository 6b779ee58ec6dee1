/**
 * Progress of long work (records or files done, rate, ETA) on stderr, drawn by cli-progress: only
 * when stderr is a terminal, never on a pipe or with --quiet, without colour under NO_COLOR. The
 * output a command prints (stdout, files) is never touched.
 */
import cliProgress from 'cli-progress';
import type { CliIo } from './command.js';

export interface Progress {
  /** `value` of `total` done; `items` (records, files, replays) done, for the rate. */
  update(value: number, items?: number): void;
  setTotal(total: number): void;
  /** Prints a line on stderr above the bar (the bar is redrawn below it). */
  note(line: string): void;
  stop(): void;
}

const silent = (io: CliIo): Progress => ({ update: () => undefined, setTotal: () => undefined, note: (line) => void io.stderr.write(`${line}\n`), stop: () => undefined });

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** What `items` counts: records, files, replays, executions. */
  readonly unit: string;
  readonly quiet?: boolean;
}

export function progressShown(io: CliIo, quiet = false): boolean {
  return !quiet && io.stderr.isTTY === true;
}

export function openProgress(io: CliIo, options: ProgressOptions): Progress {
  if (!progressShown(io, options.quiet)) return silent(io);
  const colour = io.env.NO_COLOR === undefined || io.env.NO_COLOR === '';
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: `${options.label} ${colour ? '\x1b[36m{bar}\x1b[39m' : '{bar}'} {percentage}% | {items} ${options.unit} | {rate} ${options.unit}/s | ETA {eta_formatted}`,
      barsize: 24,
      hideCursor: false,
      clearOnComplete: true,
      stopOnComplete: false,
      fps: 5,
      // Why: cli-progress skips drawing an unchanged line, and SingleBar.render() takes no force flag
      // (its render(true) dropped the flag), so a note would leave the bar erased until it moved.
      forceRedraw: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = Date.now();
  bar.start(Math.max(1, options.total), 0, { items: 0, rate: 0 });
  let stopped = false;
  return {
    update(value, items = value) {
      if (stopped) return;
      const s = (Date.now() - start) / 1000;
      bar.update(Math.min(value, bar.getTotal()), { items, rate: s > 0 ? Math.round(items / s) : 0 });
    },
    setTotal(total) {
      if (!stopped) bar.setTotal(Math.max(1, total));
    },
    note(line) {
      if (stopped) return void io.stderr.write(`${line}\n`);
      io.stderr.write(`\r\x1b[2K${line}\n`);
      // Why: the note just erased the bar's line; forceRedraw makes render() draw it even unchanged.
      bar.render();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/**
 * Passes reader items (or chunks of them) through, moving a progress bar by bytes read (records
 * counted), every 1024 records.
 */
export async function* withProgress<T extends { kind: string; entry?: { offset: number } }, C extends T | readonly T[]>(items: AsyncIterable<C>, p: Progress): AsyncGenerator<C> {
  let records = 0;
  const see = (item: T) => {
    if (item.kind === 'record' && ++records % 1024 === 0) p.update(item.entry?.offset ?? 0, records);
  };
  try {
    for await (const x of items) {
      if (Array.isArray(x)) for (const item of x as readonly T[]) see(item);
      else see(x as T);
      yield x;
    }
  } finally {
    p.stop();
  }
}
