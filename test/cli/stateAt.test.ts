import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anyTrace } from '../support/arbitraries.js';
import { records } from '../support/calls.js';
import { withNested } from '../timetravel/support.js';
import { cli } from './harness.js';

const FIXTURE = 'test/fixtures/travel-v6.8.jsonl';
const LINES = readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l !== '');
const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-at-'));

/** The fixture cut right after the record on line n (header + records up to it). */
function cutFile(lines: readonly string[], n: number, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, lines.slice(0, n).map((l) => `${l}\n`).join(''));
  return path;
}

describe('state --at SEQ', () => {
  it('equals `state` of the trace cut right after SEQ, for every seq of the walkthrough trace', async () => {
    for (let n = 2; n <= LINES.length; n++) {
      const seq = (JSON.parse(LINES[n - 1]) as { seq: number }).seq;
      const at = await cli(['state', FIXTURE, '--at', String(seq), '--json']);
      const cut = await cli(['state', cutFile(LINES, n, `cut-${seq}.jsonl`), '--json']);
      expect(at.code, at.stderr).toBe(0);
      expect(at.stdout, `seq ${seq}`).toBe(cut.stdout);
    }
  });

  for (const name of ['clean-v6.8.jsonl', 'buggy-v6.2.jsonl', 'custom-allocators-v5.10.jsonl', 'vtd-boot-race-v5.15.jsonl', 'global-pasid-v6.6.jsonl']) {
    it(`equals \`state\` of the trace cut right after SEQ, for every seq of samples/${name}`, async () => {
      const path = `samples/${name}`;
      const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
      for (let n = 2; n <= lines.length; n++) {
        const seq = (JSON.parse(lines[n - 1]) as { seq: number }).seq;
        const at = await cli(['state', path, '--at', String(seq), '--json']);
        const cut = await cli(['state', cutFile(lines, n, `${name}-${seq}.jsonl`), '--json']);
        expect(at.stdout, `${name} seq ${seq}`).toBe(cut.stdout);
      }
    });
  }

  it('gives the same output through a sidecar index as without one', async () => {
    const path = cutFile(LINES, LINES.length, 'indexed.jsonl');
    const plain = await cli(['state', path, '--at', '8']);
    const writing = await cli(['state', path, '--at', '8', '--write-index']);
    expect(existsSync(`${path}.idx`)).toBe(true);
    const reading = await cli(['state', path, '--at', '8']);
    expect(writing.stdout).toBe(plain.stdout);
    expect(reading.stdout).toBe(plain.stdout);
    expect(reading.stderr).toBe('');
  });

  it('ignores a sidecar index once the trace changed, with a warning', async () => {
    const path = cutFile(LINES, LINES.length - 1, 'changed.jsonl');
    await cli(['state', path, '--at', '3', '--write-index']);
    appendFileSync(path, `${LINES[LINES.length - 1]}\n`);
    const r = await cli(['state', path, '--at', '13']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/changed\.jsonl\.idx:1: the trace changed since the index was written/);
    expect(r.stdout).toBe((await cli(['state', path])).stdout);
  });

  it('refuses a seq that is not in the trace with exit 2, naming the file and the nearest seqs', async () => {
    const r = await cli(['state', FIXTURE, '--at', '40']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${FIXTURE}: field "--at": --at 40: no record has seq 40 (the trace has seqs 1..13); the nearest seqs are 13`);
  });
});

describe('state --at on generated traces (seed 2026)', () => {
  beforeAll(() => fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'large' }));
  afterAll(() => fc.resetConfigureGlobal());
  it('equals `state` of the trace cut right after a random seq', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(anyTrace(400), fc.nat(), async ([kernel, calls], pick) => {
        const header = JSON.stringify({ type: 'header', format: 'pasid-ledger-trace', version: 1, kernel, source: 'generated' });
        const lines = [header, ...records(withNested(calls)).map((r) => JSON.stringify(r))];
        const n = 2 + (pick % (lines.length - 1));
        const seq = n - 1;
        run++;
        const full = cutFile(lines, lines.length, `gen-${run}.jsonl`);
        const at = await cli(['state', full, '--at', String(seq), '--json']);
        const cut = await cli(['state', cutFile(lines, n, `gen-${run}-cut.jsonl`), '--json']);
        expect(at.stdout).toBe(cut.stdout);
      }),
      { seed: 2026, numRuns: 40 },
    );
  }, 60_000);
});
