/** The bench's audit phases measure what they say: the chunked floor parses every record, the pipeline audits them all. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { writeTraceLines } from '../../src/log/writeTraceLines.js';
import { chunkedParseFloor, loadEntries, parseFloor, pipeline, replayOnly } from '../../bench/phases.js';

function trace(records: number): { path: string; profile: NonNullable<ReturnType<typeof generateTrace> & { ok: true }>['value']['profile'] } {
  const g = generateTrace({ records, kernel: '6.8.0', seed: 3 });
  if (!g.ok) throw new Error(g.error.message);
  const path = join(mkdtempSync(join(tmpdir(), 'pasid-ledger-phases-')), 't.jsonl');
  writeTraceLines(path, g.value.header, g.value.records());
  return { path, profile: g.value.profile };
}

describe('the bench audit phases', () => {
  it('the chunked JSON.parse floor parses as many records as the whole-file floor (lines span its 1 MiB chunks)', () => {
    const { path } = trace(12_000);
    expect(chunkedParseFloor(path)).toBe(parseFloor(path));
    expect(parseFloor(path)).toBe(loadEntries(path).length);
  });

  it('the pipeline audits every record with the findings and facts of the in-memory replay', async () => {
    const { path, profile } = trace(3_000);
    const entries = loadEntries(path);
    const seen: unknown[] = [];
    const replay = await pipeline(path, undefined, 65536, (f) => seen.push(f));
    const direct = replayOnly(entries, profile, 'fast');
    expect(replay.records).toBe(entries.length);
    expect(JSON.stringify(seen)).toBe(JSON.stringify(direct.findings));
    expect(replay.log.length).toBe(direct.log.length);
  });

  it('the pipeline keeps no finding, as the audit does (it writes each one as it comes)', async () => {
    const { path } = trace(3_000);
    let seen = 0;
    const replay = await pipeline(path, undefined, 65536, () => seen++);
    expect(seen).toBeGreaterThan(0);
    expect(replay.findings).toEqual([]);
  });
});
