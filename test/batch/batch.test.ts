/** `audit PATH...` as a batch: formats a CI reads, a corrupt file among good ones, the same output for any --jobs. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { cli } from '../support/cli.js';
import { FINDING_CODES } from '../../machines/findings.js';
import { loadTrace } from '../../src/cli/traceFile.js';
import { buildIndex } from '../../src/timetravel/index.js';
import { chainTokens, historyOf, nthFinding, chainEnd } from '../../src/timetravel/history.js';
import { junitErrors, samplesDir, sarifErrors, scratchSamples } from './support.js';

const rel = (p: string) => relative(process.cwd(), p);

describe('audit over a directory (batch)', () => {
  it('writes SARIF 2.1.0 that the official schema accepts, from the samples directory on 2 workers', async () => {
    const run = await cli(['audit', samplesDir, '--jobs', '2', '--format', 'sarif']);
    const log = JSON.parse(run.stdout) as Log;
    expect(sarifErrors(log)).toEqual([]);
    expect(run.code).toBe(1);
  });

  it('lists the whole finding catalogue as SARIF rules with the fix and the kernel reference in the help', async () => {
    const log = JSON.parse((await cli(['audit', samplesDir, '--format', 'sarif'])).stdout) as Log;
    const rules = log.runs[0].tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(FINDING_CODES);
    const busy = rules.find((r) => r.id === 'ATTACH_BUSY');
    expect(busy?.help?.text).toContain('detach (or replace) the current domain first');
    expect(busy?.help?.text).toContain('A29 §4.1');
    expect(busy?.defaultConfiguration?.level).toBe('warning');
    expect(rules.find((r) => r.id === 'DETACH_WRONG_DOMAIN')?.defaultConfiguration?.level).toBe('error');
  });

  it('gives each SARIF result its file and line, and the records of its time-travel chain as related locations', async () => {
    const file = join(samplesDir, 'buggy-v6.2.jsonl');
    const log = JSON.parse((await cli(['audit', samplesDir, '--format', 'sarif'])).stdout) as Log;
    const result = log.runs[0].results?.find((r) => r.ruleId === 'DETACH_WRONG_DOMAIN');
    expect(result?.locations?.[0].physicalLocation?.artifactLocation?.uri).toBe(encodeURI(rel(file)));
    expect(result?.locations?.[0].physicalLocation?.region?.startLine).toBe(21);
    const t = await loadTrace(file, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: {} });
    if (!t.ok) throw new Error(t.error.message);
    const index = buildIndex(t.value.entries, t.value.profile);
    const f = nthFinding(index, 'DETACH_WRONG_DOMAIN', 1);
    if (!f.ok) throw new Error(f.error.message);
    const chain = historyOf(index, chainTokens(index, f.value), chainEnd(index, f.value)).filter((h) => h.seq !== f.value.seq);
    expect(result?.relatedLocations?.map((l) => l.physicalLocation?.region?.startLine)).toEqual(chain.map((h) => h.line));
    expect(result?.relatedLocations?.map((l) => l.message?.text)).toEqual(chain.map((h) => `seq ${h.seq}: ${h.fn}`));
  });

  it('writes JUnit XML valid against the schema Jenkins reads: a testsuite per trace, a testcase per finding code', async () => {
    const run = await cli(['audit', samplesDir, '--jobs', '2', '--format', 'junit']);
    expect(await junitErrors(run.stdout)).toEqual([]);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(run.stdout) as {
      testsuites: { testsuite: { '@_name': string; '@_failures': string; testcase: { '@_name': string; failure?: { '@_type': string; '#text': string } }[] }[] };
    };
    const buggy = doc.testsuites.testsuite.find((s) => s['@_name'].endsWith('samples/buggy-v6.2.jsonl'));
    expect(buggy?.testcase.map((c) => c['@_name'])).toEqual(FINDING_CODES);
    const failure = buggy?.testcase.find((c) => c['@_name'] === 'DETACH_WRONG_DOMAIN')?.failure;
    expect(failure?.['#text']).toMatch(/buggy-v6\.2\.jsonl:21 \[seq 20\] DETACH_WRONG_DOMAIN/);
    expect(failure?.['#text']).toContain('fix: pass the domain that is attached to that PASID');
    const clean = doc.testsuites.testsuite.find((s) => s['@_name'].endsWith('clean-v6.8.jsonl'));
    expect(clean?.['@_failures']).toBe('0');
  });

  it('reports a corrupt file and a missing path, audits the rest, and exits 2', async () => {
    const dir = scratchSamples();
    writeFileSync(join(dir, 'corrupt.jsonl'), '{"type":"header","format":"pasid-ledger-trace","version":1,"kernel":"6.8.0","source":"hand-written"}\n{"seq":1,\n');
    const run = await cli(['audit', dir, join(dir, 'missing.jsonl'), '--json']);
    expect(run.code).toBe(2);
    const doc = JSON.parse(run.stdout) as { files: { file: string; ok: boolean }[]; summary: { audited: number; failed: number; failedFiles: { file: string; code: string }[] } };
    expect(doc.summary.audited).toBe(5);
    expect(doc.summary.failedFiles.map((f) => [f.file.split('/').pop(), f.code])).toEqual([['corrupt.jsonl', 'NOT_JSON'], ['missing.jsonl', 'INPUT_NOT_FOUND']]);
    expect(run.stderr).toContain('corrupt.jsonl:2');
  });

  it('names a corrupt file in the SARIF log as a failed execution notification, and the log stays valid', async () => {
    const dir = scratchSamples();
    writeFileSync(join(dir, 'odd #1?.jsonl'), 'not a trace\n');
    const run = await cli(['audit', dir, '--format', 'sarif']);
    const log = JSON.parse(run.stdout) as Log;
    expect(sarifErrors(log)).toEqual([]);
    const invocation = log.runs[0].invocations?.[0];
    expect(invocation?.executionSuccessful).toBe(false);
    expect(invocation?.toolExecutionNotifications?.[0].locations?.[0].physicalLocation?.artifactLocation?.uri).toMatch(/odd%20%231%3F\.jsonl$/);
    expect(run.code).toBe(2);
  });

  it('names a corrupt file in the JUnit report as an error, and the report stays valid', async () => {
    const dir = scratchSamples();
    writeFileSync(join(dir, 'corrupt.jsonl'), 'not a trace\n');
    const run = await cli(['audit', dir, '--format', 'junit']);
    expect(await junitErrors(run.stdout)).toEqual([]);
    expect(run.stdout).toMatch(/<error message="[^"]*corrupt\.jsonl:1/);
  });

  it('prints the same report for 1 and 2 jobs (path order, whatever finishes first)', async () => {
    const one = await cli(['audit', samplesDir, '--jobs', '1', '--json']);
    const two = await cli(['audit', samplesDir, '--jobs', '2', '--json']);
    expect(two.stdout).toBe(one.stdout);
    const files = (JSON.parse(one.stdout) as { files: { file: string }[] }).files.map((f) => f.file);
    expect(files).toEqual([...files].sort());
  });

  it('streams the batch JSON as the text JSON.stringify would give for the whole document', async () => {
    const run = await cli(['audit', samplesDir, '--json', '--chains']);
    expect(run.stdout).toBe(`${JSON.stringify(JSON.parse(run.stdout), null, 2)}\n`);
  });

  it('ends the text report with one summary of files, records and findings per code', async () => {
    const run = await cli(['audit', samplesDir]);
    expect(run.stdout).toMatch(/\n(\d+) file\(s\): \1 audited; \d+ records, \d+ finding\(s\)/);
    expect(run.stdout).toMatch(/^\s+1\s+DETACH_WRONG_DOMAIN/m);
  });

  it('refuses stdin inside a batch and an unknown format with exit 2', async () => {
    expect((await cli(['audit', samplesDir, '-'])).code).toBe(2);
    const bad = await cli(['audit', samplesDir, '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format takes text, json, junit, sarif');
  });

  it('writes -o atomically and refuses an existing output without --force', async () => {
    const dir = scratchSamples();
    const out = join(dir, 'report.sarif');
    expect((await cli(['audit', dir, '--format', 'sarif', '-o', out])).code).toBe(1);
    const again = await cli(['audit', dir, '--format', 'sarif', '-o', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
  });
});

describe('audit --json of one file (streamed)', () => {
  it('prints the text JSON.stringify gives for {findings, summary} of the same replay', async () => {
    const { openTrace } = await import('../../src/cli/input.js');
    const { runReplay } = await import('../../src/audit/runReplay.js');
    const { summarize } = await import('../../src/audit/summary.js');
    for (const name of ['buggy-v6.2.jsonl', 'clean-v6.8.jsonl', 'global-pasid-v6.6.jsonl']) {
      const path = join(samplesDir, name);
      const input = openTrace(path, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: {} });
      if ('code' in input) throw new Error(input.message);
      const r = await runReplay(input.items, { file: input.file, validateFacts: true });
      if (!r.ok) throw new Error(r.error.message);
      const expected = `${JSON.stringify(summarize(r.value.replay, r.value.warnings), null, 2)}\n`;
      expect((await cli(['audit', '--json', path])).stdout).toBe(expected);
    }
  });
});
