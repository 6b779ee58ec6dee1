/**
 * The phases the bench measures on one trace file: the JSON.parse floor, ajv validation, replay
 * through XState's pure transition() and through the compiled tables, and the full pipeline
 * (read + validate + replay + end-of-trace audit) as `pasid-ledger audit` runs it.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { CallRecord } from '../events/records.js';
import { validateRecord } from '../events/validate.js';
import type { StepMode } from '../machines/kit/world.js';
import type { Profile } from '../machines/profile.js';
import { runReplay } from '../src/audit/runReplay.js';
import { readTraceFileChunks } from '../src/log/reader.js';
import { RecordCounter } from '../src/audit/coverage.js';
import { CallerIndex } from '../src/audit/callers.js';
import type { Replay } from '../src/replay/replay.js';
import type { Finding } from '../src/replay/finding.js';
import { replayEntries, type Entry } from '../src/replay/replayTrace.js';
import type { PeakMemory } from './measure.js';

/** split + JSON.parse of every line of the file (read included): the floor any JSON Lines reader pays. */
export function parseFloor(path: string): number {
  const lines = readFileSync(path, 'utf8').split('\n');
  let n = 0;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].length === 0) continue;
    JSON.parse(lines[i]);
    n++;
  }
  return n;
}

/**
 * The same floor read in 1 MiB chunks (no whole-file string: it works for any size, and it is what a
 * streaming reader can reach), split at "\n" and JSON.parse per line.
 */
export function chunkedParseFloor(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const decoder = new TextDecoder();
  let rest = '';
  let n = -1; // the header line is not a record
  try {
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      const text = rest + decoder.decode(buf.subarray(0, got), { stream: got > 0 });
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        if (nl > start) {
          JSON.parse(text.slice(start, nl));
          n++;
        }
        start = nl + 1;
      }
      rest = text.slice(start);
      if (got === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

/** The parsed records of a trace, with their lines (for the in-memory phases). */
export function loadEntries(path: string): Entry[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: Entry[] = [];
  for (let i = 1; i < lines.length; i++) if (lines[i].length > 0) out.push({ record: JSON.parse(lines[i]) as CallRecord, line: i + 1 });
  return out;
}

/** ajv validation of already parsed records; returns the number of invalid ones (0 expected). */
export function validateAll(entries: readonly Entry[]): number {
  let bad = 0;
  for (const e of entries) if (validateRecord(e.record) !== null) bad++;
  return bad;
}

/** Replay of parsed records (no reading, no schema checks), end-of-trace checks included. */
export function replayOnly(entries: readonly Entry[], profile: Profile, mode: StepMode): Replay {
  return replayEntries(entries, profile, mode, true);
}

/**
 * The whole pipeline as `pasid-ledger audit` runs it: file → reader (chunks) → validate → replay →
 * end-of-trace, with the audit's per-record observers (record counter, caller index). Findings are
 * dropped as they come, as the audit does (it writes each one and keeps none): a 10 M
 * generated trace raises 376 k of them, which a pipeline keeping them would measure instead of the audit.
 * `onFinding` sees each one before it goes (the tests).
 */
export async function pipeline(path: string, memory?: PeakMemory, every = 65536, onFinding?: (f: Finding) => void): Promise<Replay> {
  const counter = new RecordCounter();
  const callers = new CallerIndex();
  let n = 0;
  const result = await runReplay(readTraceFileChunks(path), {
    file: path,
    mode: 'fast',
    validateFacts: true,
    onRecord: (e) => {
      counter.add(e.record);
      callers.add(e.record);
      if (memory !== undefined && ++n % every === 0) memory.sample();
    },
    onStart: (replay) =>
      replay.on('finding', (f) => {
        onFinding?.(f);
        replay.findings.length = 0;
      }),
  });
  if (!result.ok) throw new Error(`bench trace failed to replay: ${result.error.message}`);
  memory?.sample();
  return result.value.replay;
}
