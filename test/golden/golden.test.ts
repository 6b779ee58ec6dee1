/**
 * The behaviour corpus: every bundled sample, generated traces of every era and a fixed set of
 * random traces of every kernel, with what the audit, the fact log and the state view said of them
 * when the corpus was recorded. A change to the core must leave every byte of it as it was; a change
 * to a rule on purpose re-records it (`PASID_LEDGER_GOLDEN=record npx vitest run test/golden`) and the
 * diff of test/fixtures/golden/ shows exactly what the rule changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../events/records.js';
import { anyTrace, ALL_KERNELS } from '../support/arbitraries.js';
import { profile, records } from '../support/calls.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { cli } from '../support/cli.js';

const DIR = new URL('../fixtures/golden/', import.meta.url).pathname;
const RECORD = process.env.PASID_LEDGER_GOLDEN === 'record';
const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

interface Observation {
  readonly findings: unknown[];
  readonly facts: string;
  readonly state: string;
}

function observe(kernel: string, recs: readonly CallRecord[]): Observation {
  const r = replayEntries(recs.map((record, i) => ({ record, line: i + 2 })), profile(kernel));
  r.end();
  return {
    findings: [...r.findings].map((f) => JSON.parse(JSON.stringify(f))),
    facts: sha(JSON.stringify(r.log.all())),
    state: sha(JSON.stringify(projectWorld(r.world))),
  };
}

function check(name: string, actual: unknown): void {
  const file = join(DIR, `${name}.json`);
  const text = JSON.stringify(actual, null, 1) + '\n';
  if (RECORD) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  expect(existsSync(file), `${file} is missing: record the corpus`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const SAMPLES = new URL('../../samples/', import.meta.url).pathname;
const sampleFiles = [
  ...readdirSync(SAMPLES).filter((f) => f.endsWith('.jsonl')),
  // Why: scenario files (format pasid-ledger-scenario) are explore's input, not traces to audit.
  ...readdirSync(join(SAMPLES, 'races'))
    .filter((f) => f.endsWith('.jsonl') && !readFileSync(join(SAMPLES, 'races', f), 'utf8').startsWith('{"type":"header","format":"pasid-ledger-scenario"'))
    .map((f) => `races/${f}`),
];

describe('the audit of every bundled sample is as recorded', () => {
  for (const f of sampleFiles) {
    it(f, async () => {
      const audit = await cli(['audit', join(SAMPLES, f), '--json']);
      // --dead: the whole state view, as recorded (the default lists the live objects only).
      const state = await cli(['state', join(SAMPLES, f), '--json', '--dead']);
      check(`sample-${f.replace(/[/.]/g, '_')}`, { code: audit.code, audit: JSON.parse(audit.stdout), state: sha(state.stdout) });
    });
  }
});

const GENERATED = ['5.10.0', '5.15.0', '6.1.0', '6.2.0', '6.6.0', '6.8.0', '6.12.0'];
describe('the audit of generated traces of every era is as recorded', () => {
  for (const kernel of GENERATED) {
    it(`generate --records 3000 --kernel ${kernel} --seed 7`, () => {
      const g = generateTrace({ records: 3000, kernel, seed: 7 });
      if (!g.ok) throw new Error(g.error.message);
      const recs = [...g.value.records()];
      check(`generated-${kernel}`, { trace: sha(JSON.stringify(recs)), ...observe(kernel, recs) });
    });
  }
});

describe('random traces of every kernel are replayed as recorded (seed 2026)', () => {
  it(`${ALL_KERNELS.length} kernels × 24 traces`, () => {
    // The traces themselves are part of the corpus, so a change to the arbitraries cannot move it.
    const file = join(DIR, 'random-traces.jsonl');
    if (RECORD) {
      mkdirSync(DIR, { recursive: true });
      const traces = fc.sample(anyTrace(60), { seed: 2026, numRuns: 24 * ALL_KERNELS.length });
      writeFileSync(file, traces.map(([kernel, calls]) => JSON.stringify({ kernel, records: records(calls) })).join('\n') + '\n');
    }
    const traces = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kernel: string; records: CallRecord[] });
    const out: Record<string, unknown> = {};
    traces.forEach(({ kernel, records: recs }, i) => {
      out[`${i} ${kernel}`] = observe(kernel, recs);
    });
    check('random', out);
  });
});
