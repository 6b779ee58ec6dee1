import { cli as runCommand } from '../support/cli.js';
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureAsTrace } from '../../src/import/openCapture.js';
import { withTrailer } from '../support/trailer.js';

const DIR = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));

const cli = (argv: string[], stdin = '') => runCommand(argv, { stdin });
/** An expected trace as `import` writes it: the header repeats the import's counts. */
const asWritten = (expectedFile: string, counts: object): string => {
  const [header, ...rest] = readFileSync(DIR + expectedFile, 'utf8').split('\n');
  return [JSON.stringify({ ...(JSON.parse(header) as object), import: counts }), ...rest].join('\n');
};

describe('pasid-ledger import', () => {
  it('writes the trace on stdout and exits 0 for a clean capture', async () => {
    const r = await cli(['import', DIR + 'idxd-v6.8.bpftrace.ndjson', '--from', 'bpftrace']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(withTrailer(asWritten('idxd-v6.8.bpftrace.expected.jsonl', { kept: 18, skipped: 0, reasons: {}, lostEvents: 0 })));
    expect(r.stderr).toContain('clean; kept 18 records');
  });
  it('exits 1 when the capture imported with problems', async () => {
    expect((await cli(['import', DIR + 'problems.ftrace.txt', '--from', 'ftrace', '--kernel', '6.6.0'])).code).toBe(1);
  });
  it('exits 2 and says why for ftrace without --kernel', async () => {
    const r = await cli(['import', DIR + 'problems.ftrace.txt', '--from', 'ftrace']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--kernel');
    expect(r.stdout).toBe('');
  });
  it('exits 2 for a missing file, a missing --from and an unknown option', async () => {
    expect((await cli(['import', DIR + 'nope.txt', '--from', 'ftrace'])).code).toBe(2);
    expect((await cli(['import', DIR + 'problems.ftrace.txt'])).code).toBe(2);
    expect((await cli(['import', DIR + 'problems.ftrace.txt', '--from', 'ftrace', '--bogus'])).code).toBe(2);
  });
  it('reads the capture from stdin for -', async () => {
    const r = await cli(['import', '-', '--from', 'bpftrace'], readFileSync(DIR + 'idxd-v6.8.bpftrace.ndjson', 'utf8'));
    expect(r.stdout).toBe(withTrailer(asWritten('idxd-v6.8.bpftrace.expected.jsonl', { kept: 18, skipped: 0, reasons: {}, lostEvents: 0 })));
  });
  it('writes the trace to -o and the summary as JSON with --json', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pl-import-')), 'trace.jsonl');
    const r = await cli(['import', DIR + 'buggy-v6.2.ftrace.txt', '--from', 'ftrace', '--kernel', '6.2.0', '-o', out, '--json']);
    expect(readFileSync(out, 'utf8')).toBe(withTrailer(asWritten('buggy-v6.2.ftrace.expected.jsonl', { kept: 23, skipped: 0, reasons: {}, lostEvents: 0 })));
    const report = JSON.parse(r.stderr) as { summary: { kept: number; clean: boolean }; problems: unknown[] };
    expect(report.summary).toMatchObject({ kept: 23, clean: true });
    expect(report.problems).toEqual([]);
  });
});

describe('import counts in the trace header', () => {
  it('says how many calls were skipped and why, in the header of the trace it writes', async () => {
    const r = await cli(['import', DIR + 'problems.ftrace.txt', '--from', 'ftrace', '--kernel', '6.6.0']);
    const header = JSON.parse(r.stdout.split('\n')[0]) as { import: { kept: number; skipped: number; reasons: Record<string, number>; notes: Record<string, number>; lostEvents: number } };
    expect(header.import.skipped).toBeGreaterThan(0);
    expect(header.import.reasons.FIELD_INVALID).toBe(1);
    // A call that never returned is kept (#20): a note, not a reason for a skip.
    expect(header.import.reasons.ENTRY_WITHOUT_RETURN).toBeUndefined();
    expect(header.import.notes.ENTRY_WITHOUT_RETURN).toBe(1);
    expect(header.import.lostEvents).toBe(17);
    expect(r.stderr).toContain(`skipped ${header.import.skipped}`);
  });
  it('writes no trace for a capture with nothing to audit, and exits 2 saying what it saw', async () => {
    const r = await cli(['import', '-', '--from', 'ftrace', '--kernel', '6.8.0'], ' 1)               |  iommu_sva_bind_device() {\n 1)   0.812 us    |    mutex_lock();\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('NO_LIFECYCLE_RECORD');
    expect(r.stderr).toContain('2 function_graph lines');
  });
});

describe('openCaptureAsTrace', () => {
  it('yields the header then the records in seq order, like a trace reader', async () => {
    const opened = await openCaptureAsTrace(DIR + 'buggy-v6.2.ftrace.txt', 'ftrace', '6.2.0');
    if (!opened.ok) throw new Error(opened.error.message);
    const kinds: string[] = [];
    const seqs: number[] = [];
    for await (const item of opened.value) {
      kinds.push(item.kind);
      if (item.kind === 'record') seqs.push(item.entry.record.seq);
    }
    expect(kinds[0]).toBe('header');
    expect(kinds.slice(1).every((k) => k === 'record')).toBe(true);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
  it('gives each record the line and byte offset of its return in the capture', async () => {
    const path = DIR + 'buggy-v6.2.ftrace.txt';
    const opened = await openCaptureAsTrace(path, 'ftrace', '6.2.0');
    if (!opened.ok) throw new Error(opened.error.message);
    const text = readFileSync(path);
    for await (const item of opened.value) {
      if (item.kind !== 'record') continue;
      const { line, offset } = item.entry;
      const lineText = text.subarray(offset, text.indexOf(10, offset)).toString('utf8');
      expect(lineText).toBe(text.toString('utf8').split('\n')[line - 1]);
    }
  });
  it('turns a fatal import problem into a reader error', async () => {
    const opened = await openCaptureAsTrace(DIR + 'buggy-v6.2.ftrace.txt', 'ftrace');
    if (!opened.ok) throw new Error(opened.error.message);
    const items = [];
    for await (const item of opened.value) items.push(item);
    expect(items.map((i) => (i.kind === 'error' ? i.error.code : i.kind))).toEqual(['KERNEL_UNKNOWN']);
  });
  it('returns an error value for a file it cannot read', async () => {
    const opened = await openCaptureAsTrace(DIR + 'nope.txt', 'ftrace', '6.2.0');
    expect(opened.ok ? null : opened.error.code).toBe('CAPTURE_UNREADABLE');
  });
});

