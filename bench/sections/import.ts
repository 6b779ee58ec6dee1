/**
 * The importers' bench section (loaded by bench/hooks.ts): the 100 k generated trace is written as a
 * bpftrace `-f json` capture and as ftrace text (by the test emitter that the round-trip property
 * uses), then imported; throughput is compared with the JSON.parse floor of the same capture lines.
 */
import { readFileSync } from 'node:fs';
import type { CallRecord } from '../../events/records.js';
import { importCapture } from '../../src/import/importCapture.js';
import { emitBpftrace, emitFtrace } from '../../test/support/captureEmitter.js';
import type { BenchContext, BenchSection } from '../hooks.js';

/** The largest trace the section converts (the emitter holds a whole capture in memory). */
const MAX_RECORDS = 100_000;

function recordsOf(path: string): CallRecord[] {
  return readFileSync(path, 'utf8').split('\n').slice(1).filter((l) => l.length > 0).map((l) => JSON.parse(l) as CallRecord);
}

async function importRate(text: string, from: 'ftrace' | 'bpftrace', kernel: string): Promise<{ records: number; perSec: number }> {
  const t0 = performance.now();
  let records = 0;
  async function* chunks(): AsyncGenerator<string> {
    // 1 MiB chunks, as a file stream would deliver them.
    for (let i = 0; i < text.length; i += 1 << 20) yield text.slice(i, i + (1 << 20));
  }
  for await (const item of importCapture(chunks(), { from, kernel, file: 'bench' })) if (item.kind === 'record') records++;
  return { records, perSec: Math.round(records / ((performance.now() - t0) / 1000)) };
}

function parseFloor(text: string): number {
  const t0 = performance.now();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0 || line[0] === '#') continue;
    JSON.parse(line[0] === '{' ? line : JSON.stringify(line));
    n++;
  }
  return Math.round(n / ((performance.now() - t0) / 1000));
}

export const benchSection: BenchSection = {
  name: 'import throughput',
  async run(ctx: BenchContext): Promise<Record<string, number | string | boolean>> {
    const sizes = [...ctx.traces.keys()].filter((n) => n <= MAX_RECORDS).sort((a, b) => b - a);
    if (sizes.length === 0) return { skipped: `no trace of at most ${MAX_RECORDS} records` };
    const records = recordsOf(ctx.traces.get(sizes[0]) as string);
    const bpftrace = emitBpftrace(records, ctx.kernel).text;
    const ftrace = emitFtrace(records).text;
    const b = await importRate(bpftrace, 'bpftrace', ctx.kernel);
    const f = await importRate(ftrace, 'ftrace', ctx.kernel);
    const floor = parseFloor(bpftrace);
    return {
      'records': b.records,
      'bpftrace import records/s': b.perSec,
      'ftrace import records/s': f.perSec,
      'bpftrace capture JSON.parse floor lines/s': floor,
      'bpftrace import / parse floor': Math.round((b.perSec / floor) * 100) / 100,
    };
  },
};
