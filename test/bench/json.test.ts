/** `npm run -s bench -- --json`: stdout is one JSON object, whatever the bench says on the way (stderr). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../support/spawnCli.js';

const BENCH = join(ROOT, 'dist', 'bench', 'main.js');

describe('the bench with --json', () => {
  it('prints one JSON object on stdout and its progress (each phase with its seconds) on stderr', () => {
    ensureBuilt();
    // Given the smallest bench: one 2,000-record size, the audit phases only.
    const r = spawnSync(process.execPath, [BENCH, '--sizes', '2000', '--audit-only', '--json'], { encoding: 'utf8', timeout: 120_000 });
    // Then stdout parses whole as one object with the figures of that size, and stderr has the progress.
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { records: number; pipelineEventsPerSec: number; sizes: { records: number; live: number; phaseSeconds: Record<string, number> }[]; reference: unknown; sections: unknown[]; totalSeconds: number };
    // (a generated trace of N calls has a few more records: the nested ones)
    expect(out.sizes).toHaveLength(1);
    expect(out.records).toBe(out.sizes[0].records);
    expect(out.records).toBeGreaterThanOrEqual(2000);
    expect(out.pipelineEventsPerSec).toBeGreaterThan(0);
    expect(Object.keys(out.sizes[0].phaseSeconds)).toContain('pipeline');
    expect(out.sections).toEqual([]);
    expect(out.sizes[0].live).toBe(20);
    // no 1 M size, so no 1 M trace of earlier runs beside it
    expect(out.reference).toBeNull();
    // (below 100 k records a trace keeps the generator's default live population: 1 % of N, at least 20)
    expect(r.stderr).toMatch(/^measured 2,000 records, 20 live in \d+ s: parse floor [\d.]+ s, /m);
  });

  it('refuses a size that is not a record count, with exit status 2 and nothing on stdout', () => {
    ensureBuilt();
    const r = spawnSync(process.execPath, [BENCH, '--sizes', '10k', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--sizes takes record counts');
  });
});
