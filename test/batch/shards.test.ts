/** `--shard i/n` and `merge`: the shards of a run, merged, give the report of the whole run. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { cli } from '../support/cli.js';
import { shardOf, parseShard } from '../../src/batch/shard.js';
import { samplesDir, scratchSamples } from './support.js';

async function shards(dir: string, n: number, extra: string[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const path = join(dir, `shard-${i}.json`);
    const run = await cli(['audit', samplesDir, join(dir, 'nope.jsonl'), '--shard', `${i}/${n}`, '--json', '--jobs', '1', '-o', path, ...extra]);
    expect([0, 1, 2]).toContain(run.code);
    out.push(path);
  }
  return out;
}

describe('shards and merge', () => {
  it('puts every file in exactly one shard, and a file stays in its shard when others are added', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 30 }), fc.array(fc.string({ minLength: 1 })), fc.integer({ min: 1, max: 9 }), (files, added, n) => {
        const before = files.map((f) => shardOf(f, n));
        expect(before.every((s) => s >= 1 && s <= n)).toBe(true);
        const after = [...files, ...added].map((f) => shardOf(f, n)).slice(0, files.length);
        expect(after).toEqual(before);
      }),
    );
  });

  it('refuses a shard outside 1..n', () => {
    expect(parseShard('0/3').ok).toBe(false);
    expect(parseShard('4/3').ok).toBe(false);
    expect(parseShard('2/3').ok).toBe(true);
  });

  for (const format of ['json', 'text', 'junit', 'sarif'] as const) {
    it(`merges 3 shards into the ${format} report of the unsharded run`, async () => {
      const dir = scratchSamples();
      const parts = await shards(dir, 3, ['--chains']);
      const whole = await cli(['audit', samplesDir, join(dir, 'nope.jsonl'), '--format', format, '--chains', '--jobs', '2']);
      const merged = await cli(['merge', ...parts, '--format', format]);
      expect(merged.stdout).toBe(whole.stdout);
      expect(merged.code).toBe(whole.code);
      expect(merged.code).toBe(2);
    });
  }

  it('warns when a shard of the set is missing', async () => {
    const dir = scratchSamples();
    const parts = await shards(dir, 3, []);
    const merged = await cli(['merge', parts[0], parts[2]]);
    expect(merged.stderr).toContain('shard(s) 2/3 are missing');
  });

  it('refuses a file that is in two results, naming both', async () => {
    const dir = scratchSamples();
    const parts = await shards(dir, 2, []);
    const merged = await cli(['merge', parts[0], parts[1], parts[0]]);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toMatch(/is in .*shard-1\.json and in .*shard-1\.json/);
  });

  it('refuses the report of a one-file audit with the fix', async () => {
    const dir = scratchSamples();
    const single = join(dir, 'single.json');
    writeFileSync(single, (await cli(['audit', '--json', join(samplesDir, 'buggy-v6.2.jsonl')])).stdout);
    const merged = await cli(['merge', single]);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toContain('--shard');
  });
});
