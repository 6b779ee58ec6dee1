/**
 * A full disk and a read-only file system (reliability F9, F13; usability 9): every writer exits 2
 * with one line naming the path and the fix, no stack trace, no partial or temporary file, and an
 * existing file keeps its content. Mounts a 64 KiB tmpfs, so it needs root; otherwise skipped with
 * the reason printed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, canMount, run } from '../support/spawnCli.js';

const SAMPLE = join(ROOT, 'samples', 'buggy-v6.2.jsonl');
const CAPTURE = join(ROOT, 'test', 'fixtures', 'captures', 'idxd-v6.8.bpftrace.ndjson');
const RACE = join(ROOT, 'samples', 'races', 'vtd-boot-race-v5.10.jsonl');
const NO_STACK = /\n\s+at |internal error|Unhandled/;

const MOUNTS = canMount();
if (!MOUNTS) console.warn('skipping the disk-full and read-only tests: they mount a tmpfs, which needs root on Linux');

describe.skipIf(!MOUNTS)('disk full and read-only (tmpfs of 64 KiB)', () => {
  const base = mkdtempSync(join(tmpdir(), 'pl-mnt-'));
  const full = join(base, 'full');
  const ro = join(base, 'ro');
  let big: string;

  beforeAll(async () => {
    mkdirSync(full);
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', ro]);
    writeFileSync(join(ro, 'old.jsonl'), 'old content\n');
    copyFileSync(SAMPLE, join(ro, 'sample.jsonl'));
    execFileSync('mount', ['-o', 'remount,ro', ro]);
    big = join(base, 'big.jsonl');
    expect((await run(['generate', '--records', '5000', '-o', big])).code).toBe(0);
  }, 60_000);

  afterAll(() => {
    for (const m of [full, ro]) {
      try {
        execFileSync('umount', [m]);
      } catch {
        /* not mounted */
      }
    }
    rmSync(base, { recursive: true, force: true });
  });

  const writers: [string, (d: string) => string[], (d: string) => string][] = [
    ['generate -o', (d) => ['generate', '--records', '5000', '-o', join(d, 'g.jsonl')], (d) => join(d, 'g.jsonl')],
    ['import -o', (d) => ['import', CAPTURE, '--from', 'bpftrace', '-o', join(d, 'i.jsonl')], (d) => join(d, 'i.jsonl')],
    ['replay --out', (d) => ['replay', big, '--out', join(d, 'r.log.jsonl')], (d) => join(d, 'r.log.jsonl')],
    ['explore --emit', (d) => ['explore', RACE, '--emit', join(d, 'emit')], (d) => join(d, 'emit')],
  ];

  for (const [name, args, target] of writers) {
    it(`${name} on a full disk: exit 2, "is full" naming the directory, nothing left behind`, async () => {
      // Fill the disk first (ENOSPC on the first write, or on a later one for the bigger outputs).
      const filler = join(full, 'filler');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k', 'count=62'], { stdio: 'ignore' });
      } catch {
        /* dd stops at the end of the space */
      }
      const r = await run(args(full));
      rmSync(filler, { force: true });
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/full; free space or write elsewhere/);
      expect(r.stderr).toContain(full);
      // Nothing: no partial output, no temporary file, no empty --emit directory.
      expect(readdirSync(full)).toEqual([]);
      void target;
    });

    it(`${name} on a read-only file system: exit 2, "read-only" naming the directory`, async () => {
      const r = await run(args(ro));
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/read-only file system; write elsewhere/);
      expect(r.stderr).toContain(ro);
    });
  }

  it('a --force replace that fails for space keeps the old file byte for byte', async () => {
    writeFileSync(join(full, 'keep.jsonl'), 'old\n');
    const r = await run(['generate', '--records', '5000', '-o', join(full, 'keep.jsonl'), '--force']);
    expect(r.code).toBe(2);
    expect(readFileSync(join(full, 'keep.jsonl'), 'utf8')).toBe('old\n');
    expect(readdirSync(full)).toEqual(['keep.jsonl']);
    rmSync(join(full, 'keep.jsonl'));
  });

  it('the index sidecar on a read-only file system: a warning, and the answer still prints', async () => {
    const r = await run(['state', join(ro, 'sample.jsonl'), '--at', '20', '--write-index']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*read-only file system.*continuing without writing the index/);
    expect(r.stdout).toContain('PASID slots');
  });
});
