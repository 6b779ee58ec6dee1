import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './harness.js';
import { cli as run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-tti-'));
/** Longer than one checkpoint interval, so answers come from later checkpoints and deltas. */
const RECORDS = 5000;
let plain = '';
let indexed = '';

beforeAll(async () => {
  plain = join(dir, 'plain.jsonl');
  const g = await cli(['generate', '--records', String(RECORDS), '--seed', '3', '-o', plain]);
  expect(g.code).toBe(0);
  indexed = join(dir, 'indexed.jsonl');
  copyFileSync(plain, indexed);
  const w = await cli(['state', indexed, '--at', '10', '--write-index']);
  expect(w.code, w.stderr).toBe(0);
  expect(existsSync(`${indexed}.idx`)).toBe(true);
  expect(readFileSync(`${indexed}.idx`).subarray(0, 5).toString()).toBe('PLIDX');
}, 120_000);

describe('the commands through the binary index give the answers of a replay from the start', () => {
  for (const seq of ['1', '1500', '3333', String(RECORDS)]) {
    it(`state --at ${seq}`, async () => {
      const a = await cli(['state', plain, '--at', seq, '--json']);
      const b = await cli(['state', indexed, '--at', seq, '--json']);
      expect(b.stderr).toBe('');
      expect(b.stdout).toBe(a.stdout);
    });
  }

  it('diff --from 1000 --to 4200 (facts and findings in between, read from A\'s checkpoint on)', async () => {
    const a = await cli(['diff', plain, '--from', '1000', '--to', '4200', '--json']);
    const b = await cli(['diff', indexed, '--from', '1000', '--to', '4200', '--json']);
    expect(b.stderr).toBe('');
    expect(b.stdout).toBe(a.stdout);
  });

  it('history --pasid (the per-object record lists)', async () => {
    const a = await cli(['history', plain, '--pasid', '3', '--json']);
    const b = await cli(['history', indexed, '--pasid', '3', '--json']);
    expect(b.stderr).toBe('');
    expect(JSON.parse(b.stdout).records.length).toBeGreaterThan(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('travel: seeks, steps, findings', async () => {
    const script = ['seek 2500', 'step 3', 'back 2', 'findings', 'seek finding 1', 'diff', 'continue', 'watch pasid 3', 'continue', 'continue', 'where', 'quit'];
    const a = await cli(['travel', plain], script);
    const b = await cli(['travel', indexed], script);
    expect(b.stderr).toBe('');
    expect(b.stdout.replaceAll(indexed, plain)).toBe(a.stdout);
  });
});

describe('an index that does not fit is never used', () => {
  it('a byte flipped anywhere: a warning, the answer of a replay; --write-index rebuilds it', async () => {
    const t = join(dir, 'flip.jsonl');
    copyFileSync(plain, t);
    await cli(['state', t, '--at', '10', '--write-index']);
    const bytes = readFileSync(`${t}.idx`);
    bytes[Math.floor(bytes.length / 2)] ^= 0x40;
    writeFileSync(`${t}.idx`, bytes);
    const a = await cli(['state', t, '--at', '4000']);
    expect(a.stderr).toMatch(/^warning: .*flip\.jsonl\.idx:1: the index content does not match its checksum \(damaged or edited\); it is not used; pass --write-index to rebuild it/);
    expect(a.stdout).toBe((await cli(['state', plain, '--at', '4000'])).stdout);
    await cli(['state', t, '--at', '10', '--write-index']);
    expect((await cli(['state', t, '--at', '4000'])).stderr).toBe('');
  });

  it('a damaged block of an index checked block by block: refused when read, a warning naming it, the answer of a replay', async () => {
    const t = join(dir, 'lazy.jsonl');
    copyFileSync(plain, t);
    await cli(['state', t, '--at', '10', '--write-index']);
    const bytes = readFileSync(`${t}.idx`);
    const n = bytes.length;
    const len = bytes.readUInt32LE(n - 8 - 36);
    const footer = JSON.parse(bytes.subarray(n - 8 - 36 - len, n - 8 - 36).toString()) as { checkpoints: [number, number][] };
    // The checkpoint that `state --at 4000` restores (at or before record 4000), one byte of its payload flipped.
    const cp = footer.checkpoints.filter(([at]) => at <= 3999).pop() as [number, number];
    bytes[cp[1] + 30] ^= 0x08;
    writeFileSync(`${t}.idx`, bytes);
    const env = { PASID_LEDGER_INDEX_WHOLE_CHECK: '0' };
    const a = await run(['state', t, '--at', '4000'], { env });
    expect(a.stderr).toMatch(new RegExp(`^warning: .*lazy\\.jsonl\\.idx:1: the index content does not match its checksum \\(damaged or edited: the checkpoint block at byte ${cp[1]}\\); it is not used; pass --write-index to rebuild it, or delete it; answering from a replay of the whole trace\\n$`));
    expect(a.stdout).toBe((await cli(['state', plain, '--at', '4000'])).stdout);
    // A seek that reads other blocks answers from the index and says nothing: only what is read is checked.
    const b = await run(['state', t, '--at', '200'], { env });
    expect(b.stderr).toBe('');
    expect(b.stdout.replaceAll(t, plain)).toBe((await cli(['state', plain, '--at', '200'])).stdout);
  });

  it('a truncated index: refused as cut short', async () => {
    const t = join(dir, 'cut.jsonl');
    copyFileSync(plain, t);
    await cli(['state', t, '--at', '10', '--write-index']);
    const bytes = readFileSync(`${t}.idx`);
    writeFileSync(`${t}.idx`, bytes.subarray(0, bytes.length - 100));
    const a = await cli(['state', t, '--at', '4000']);
    expect(a.stderr).toContain('the index has no checksum (cut short, or not written by this version)');
  });

  for (const v of [3, 4, 5, 6, 7, 8, 9]) it(`an index of an older format version (${v}): refused by its version, the answer of a replay; --write-index replaces it`, async () => {
    const t = join(dir, `old${v}.jsonl`);
    copyFileSync(plain, t);
    await cli(['state', t, '--at', '10', '--write-index']);
    const bytes = readFileSync(`${t}.idx`);
    // The version byte after "PLIDX": what a pasid-ledger of format 3 to 9 wrote starts the same way.
    bytes[5] = v;
    writeFileSync(`${t}.idx`, bytes);
    const a = await cli(['state', t, '--at', '4000']);
    expect(a.stderr).toMatch(new RegExp(`^warning: .*old${v}\\.jsonl\\.idx:1: an index of format version ${v}, this pasid-ledger reads version 10; it is not used; pass --write-index to rebuild it`));
    expect(a.stdout).toBe((await cli(['state', plain, '--at', '4000'])).stdout);
    const w = await cli(['state', t, '--at', '10', '--write-index']);
    expect(w.code, w.stderr).toBe(0);
    expect(readFileSync(`${t}.idx`)[5]).toBe(10);
    expect((await cli(['state', t, '--at', '4000'])).stderr).toBe('');
  });

  it('a trace appended to after indexing: stale', async () => {
    const t = join(dir, 'grown.jsonl');
    const lines = readFileSync(plain, 'utf8').split('\n').filter((l) => l !== '' && !l.includes('"trailer"'));
    writeFileSync(t, lines.slice(0, -1).map((l) => `${l}\n`).join(''));
    await cli(['state', t, '--at', '10', '--write-index']);
    writeFileSync(t, lines.map((l) => `${l}\n`).join(''));
    const a = await cli(['state', t, '--at', '4000']);
    expect(a.stderr).toMatch(/grown\.jsonl\.idx:1: the trace changed since the index was written/);
  });
});

describe('without an index on a large trace', () => {
  it('says once how to build one', async () => {
    const r = await run(['history', plain, '--pasid', '3'], { env: { PASID_LEDGER_INDEX_HINT: '1000' } });
    expect(r.stderr.match(/--write-index/g)?.length).toBe(1);
    expect(r.stderr).toMatch(/^note: .*plain\.jsonl has \d+ records and no index, so it is replayed from its first record; `pasid-ledger history FILE --write-index` builds /);
  });
});

describe('travel prints a summary per move', () => {
  it('a move that changes many objects shows the first few and says how to see the rest', async () => {
    const r = await cli(['travel', plain], ['seek 4000', 'quit']);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^at seq 4000 /);
    expect(lines.length).toBeLessThan(20);
    expect(r.stdout).toMatch(/\.\.\. \d+ more change\(s\) of \d+: `diff` lists them all, `state` shows the whole state/);
  });
});
