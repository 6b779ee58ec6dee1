/**
 * The phases the bench measures on one trace file: the JSON.parse floor, ajv validation, replay
 * through XState's pure transition() and through the compiled tables, and the full pipeline
 * (read + validate + replay + end-of-trace audit) as `pasid-ledger audit` runs it.
 */
import { readFileSync } from 'node:fs';
import type { CallRecord } from '../events/records.js';
import { validateRecord } from '../events/validate.js';
import type { StepMode } from '../machines/kit/world.js';
import type { Profile } from '../machines/profile.js';
import { runReplay } from '../src/audit/runReplay.js';
import type { ReadItem } from '../src/log/readItem.js';
import { readTraceFile } from '../src/log/reader.js';
import type { Replay } from '../src/replay/replay.js';
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

/** The whole pipeline as the audit command runs it: file → reader → validate → replay → end-of-trace. */
export async function pipeline(path: string, memory?: PeakMemory, every = 65536): Promise<Replay> {
  const items = readTraceFile(path);
  async function* sampled(): AsyncGenerator<ReadItem> {
    let n = 0;
    for await (const item of items) {
      if (++n % every === 0) memory?.sample();
      yield item;
    }
  }
  const result = await runReplay(memory ? sampled() : items, { file: path, mode: 'fast', validateFacts: true });
  if (!result.ok) throw new Error(`bench trace failed to replay: ${result.error.message}`);
  memory?.sample();
  return result.value.replay;
}
