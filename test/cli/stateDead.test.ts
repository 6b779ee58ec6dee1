import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './harness.js';

/**
 * What `state` printed before it listed only the live objects: the sha256 of its stdout for every
 * sample and two generated traces, at the end and at positions (the generated ones through an
 * index), text and JSON (test/fixtures/state-dead/outputs.json, recorded with the build before).
 */
interface Recorded {
  readonly file: string;
  readonly args: readonly string[];
  readonly sha256: string;
}
const RECORDED = JSON.parse(readFileSync('test/fixtures/state-dead/outputs.json', 'utf8')) as Recorded[];
const GENERATED: Readonly<Record<string, readonly string[]>> = {
  'gen20k.jsonl': ['--records', '20000', '--seed', '1'],
  'gen3k-6.2.jsonl': ['--records', '3000', '--kernel', '6.2.0', '--seed', '3'],
};
const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-state-dead-'));
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const pathOf = (file: string) => (file in GENERATED ? join(dir, file) : file);

describe('state --dead prints what state printed before (every object, dead ones included)', () => {
  beforeAll(async () => {
    // Given the generated traces, each with its index.
    for (const [name, args] of Object.entries(GENERATED)) {
      expect((await cli(['generate', ...args, '-o', join(dir, name)])).code).toBe(0);
      expect((await cli(['state', join(dir, name), '--at', '1', '--write-index', '--quiet'])).code).toBe(0);
    }
  }, 120_000);

  for (const r of RECORDED) {
    it(`state ${r.args.join(' ').replace('FILE', r.file)} --dead`, async () => {
      const run = await cli(['state', ...r.args.map((a) => (a === 'FILE' ? pathOf(r.file) : a)), '--dead']);
      expect(run.code, run.stderr).toBe(0);
      expect(sha(run.stdout)).toBe(r.sha256);
    });
  }
});
