/** Test support for the report and the export: a trace file as entries with its profile. */
import { readFileSync } from 'node:fs';
import type { TraceHeader } from '../../events/records.js';
import type { Profile } from '../../machines/profile.js';
import { profileOf, type Entry } from '../../src/replay/replayTrace.js';

export interface TraceInput {
  readonly header: TraceHeader;
  readonly profile: Profile;
  readonly entries: Entry[];
}

/** Reads a trace the simple way (tests only: one JSON value per line, header first). */
export function readTrace(path: string): TraceInput {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const header = JSON.parse(lines[0]) as TraceHeader;
  const p = profileOf(header);
  if (!p.ok) throw new Error(p.error.message);
  // The trailer a complete output ends with (events/trailer.ts) is no record.
  const body = lines.slice(1).map((l, i) => ({ value: JSON.parse(l) as { type?: string }, line: i + 2 })).filter((x) => x.value.type !== 'trailer');
  return { header, profile: p.value, entries: body.map((x) => ({ record: x.value as never, line: x.line })) };
}

export const SAMPLES = ['clean-v6.8.jsonl', 'buggy-v6.2.jsonl', 'custom-allocators-v5.10.jsonl', 'vtd-boot-race-v5.15.jsonl', 'global-pasid-v6.6.jsonl'].map((n) => `samples/${n}`);
export const RACES = ['global-pasid-free-vs-attach-v6.6.jsonl', 'scaled-private-slots-v6.8.jsonl', 'sva-bind-two-devices-v6.8.jsonl', 'unbind-vs-mm-exit-v6.8.jsonl', 'viommu-hotunplug-v5.10.jsonl', 'vtd-boot-race-v5.10.jsonl'].map((n) => `samples/races/${n}`);
