import { describe, it, expect } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-views-'));
const BUGGY = 'samples/buggy-v6.2.jsonl';
/** A trace whose line 3 does not validate (an unknown kernel function). */
const BAD = join(dir, 'bad.jsonl');
writeFileSync(BAD, [readFileSync(BUGGY, 'utf8').split('\n')[0], readFileSync(BUGGY, 'utf8').split('\n')[1], '{"seq":2,"ts":5,"cpu":0,"tid":1,"fn":"iommu_frobnicate","args":{},"ret":0}', ''].join('\n'));

const COMMANDS: readonly [string, (out: string) => string[]][] = [
  ['export', (out) => ['export', '--format', 'perfetto', '-o', out]],
  ['report', (out) => ['report', '-o', out]],
  ['audit --report', (out) => ['audit', '--report', out]],
];

describe.each(COMMANDS)('%s: outputs and bad input', (name, args) => {
  const run = (file: string, out: string, ...more: string[]) => {
    const [cmd, ...rest] = args(out);
    return cli([cmd, file, ...rest, ...more]);
  };

  it('writes the output, and refuses to replace it without --force', async () => {
    const out = join(dir, `${name.replace(/\W/g, '_')}-once`);
    const first = await run(BUGGY, out);
    expect(first.code, first.stderr).toBeLessThan(2);
    const before = readFileSync(out, 'utf8');
    const again = await run(BUGGY, out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/OUTPUT_EXISTS|exists/);
    expect(readFileSync(out, 'utf8')).toBe(before);
    const forced = await run(BUGGY, out, '--force');
    expect(forced.code, forced.stderr).toBeLessThan(2);
  });

  it('a trace that does not validate: exit 2 naming the line, nothing at the output', async () => {
    const out = join(dir, `${name.replace(/\W/g, '_')}-bad`);
    const r = await run(BAD, out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:3/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('an output in a directory that does not exist: exit 2 with the fix', async () => {
    const r = await run(BUGGY, join(dir, 'no-such-dir', 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist; create it first/);
  });

  it('an output under a regular file (cannot be a directory): exit 2 with the fix', async () => {
    const r = await run(BUGGY, join(BAD, 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a directory/);
  });

  it('the input as the output: exit 2, the trace untouched', async () => {
    const copy = join(dir, `${name.replace(/\W/g, '_')}-self.jsonl`);
    writeFileSync(copy, readFileSync(BUGGY));
    const r = await run(copy, copy, '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/OUTPUT_IS_INPUT|one of the inputs/);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(BUGGY, 'utf8'));
  });

  it.skipIf(process.getuid?.() === 0)('an unwritable directory: exit 2, nothing left', async () => {
    const ro = join(dir, `${name.replace(/\W/g, '_')}-ro`);
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const r = await run(BUGGY, join(ro, 'out'));
    expect(r.code).toBe(2);
    expect(readdirSync(ro)).toEqual([]);
  });
});

describe('the views on the command line', () => {
  it('export without --format or with another format is a usage error', async () => {
    expect((await cli(['export', BUGGY, '-o', join(dir, 'x.json')])).stderr).toMatch(/--format is required/);
    const other = await cli(['export', BUGGY, '--format', 'svg', '-o', join(dir, 'x.json')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/unknown format svg/);
  });

  it('report without -o is a usage error', async () => {
    const r = await cli(['report', BUGGY]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-o REPORT\.html/);
  });

  it('audit --report keeps the audit: same findings on stdout and exit 1', async () => {
    const plain = await cli(['audit', BUGGY, '--json']);
    const out = join(dir, 'audit.html');
    const withReport = await cli(['audit', BUGGY, '--json', '--report', out]);
    expect(withReport.code).toBe(1);
    expect(withReport.stdout).toBe(plain.stdout);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('audit --report of a capture that lost events marks the same findings as possible artefacts', async () => {
    const out = join(dir, 'lost.html');
    const capture = readFileSync('test/fixtures/captures/problems.bpftrace.ndjson', 'utf8');
    const r = await cli(['audit', '--json', '--from', 'bpftrace', '--kernel', '6.8.0', '--report', out, '-'], { stdin: capture });
    const audit = (JSON.parse(r.stdout) as { findings: { code: string; maybeLostEvents?: boolean }[] }).findings;
    const page = readFileSync(out, 'utf8');
    const data = JSON.parse(page.slice(page.indexOf('id="report-data">') + 17, page.indexOf('</script>'))) as { findings: { code: string; maybeLostEvents: boolean }[] };
    expect(data.findings.map((f) => [f.code, f.maybeLostEvents])).toEqual(audit.map((f) => [f.code, f.maybeLostEvents === true]));
    expect(data.findings.some((f) => f.maybeLostEvents)).toBe(true);
  });

  it('audit --report on stdin writes the report of what came in', async () => {
    const out = join(dir, 'stdin.html');
    const r = await cli(['audit', '-', '--report', out], { stdin: readFileSync(BUGGY, 'utf8') });
    expect(r.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toContain('"records":41');
  });
});
