/**
 * A live input that pauses (a slow pipe) gives the findings of the file, for any chunking and any
 * pause (reliability F14): the idle flush only steps records whose steps cannot depend on nested
 * records still to come, and a capture's importer output is sealed at every pause.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { runReplay, type IdleItem } from '../../src/audit/runReplay.js';
import { replayEntries, type Entry } from '../../src/replay/replayTrace.js';
import { readTraceSync } from '../../src/log/reader.js';
import type { ReadItem } from '../../src/log/readItem.js';
import type { Finding } from '../../src/replay/finding.js';
import { generateTrace } from '../../src/generate/generateTrace.js';
import { profileFor } from '../../machines/profile.js';
import { importCapture } from '../../src/import/importCapture.js';
import { withIdleTicks } from '../../src/cli/live.js';
import { anyTrace } from '../support/arbitraries.js';
import { entriesOf, header, withNested } from '../timetravel/support.js';
import { cli, sample } from '../support/cli.js';
import type { TraceHeader } from '../../events/records.js';

const key = (f: Finding) => `${f.seq}:${f.line}:${f.code}:${f.message}`;

async function* paused(h: TraceHeader, entries: readonly Entry[], idleAfter: ReadonlySet<number>): AsyncGenerator<ReadItem | IdleItem> {
  yield { kind: 'header', header: h, line: 1 };
  for (let i = 0; i < entries.length; i++) {
    yield { kind: 'record', entry: { record: entries[i].record, line: entries[i].line ?? 0, offset: 0 } };
    if (idleAfter.has(i)) yield { kind: 'idle' };
  }
}

async function liveFindings(h: TraceHeader, entries: readonly Entry[], idleAfter: ReadonlySet<number>): Promise<string[]> {
  const r = await runReplay(paused(h, entries, idleAfter), { file: 't' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.replay.findings.map(key);
}

const fileFindings = (kernel: string, entries: readonly Entry[]) => replayEntries(entries, profileFor(kernel)!).findings.map(key);

const fromText = (text: string) => {
  const r = readTraceSync(text, { file: 't' });
  return { header: r.header as TraceHeader, entries: r.entries.map((e) => ({ record: e.record, line: e.line })) };
};

describe('the idle flush of a live trace (fast-check seed 15)', () => {
  it('random traces with nested records, paused anywhere: the findings of the file', async () => {
    await fc.assert(
      fc.asyncProperty(anyTrace(80), fc.array(fc.nat(200)), async ([kernel, calls], pauses) => {
        const entries = entriesOf(withNested(calls));
        const idle = new Set(pauses.map((p) => p % Math.max(1, entries.length)));
        expect(await liveFindings(header(kernel), entries, idle)).toEqual(fileFindings(kernel, entries));
      }),
      { seed: 15, numRuns: 150 },
    );
  });

  it('the buggy sample (binds with nested records) paused after every record: the findings of the file', async () => {
    const { header: h, entries } = fromText(readFileSync(sample('buggy-v6.2.jsonl'), 'utf8'));
    const all = new Set(entries.map((_, i) => i));
    expect(await liveFindings(h, entries, all)).toEqual(fileFindings(h.kernel, entries));
  });

  it('the samples paused at random points: the findings of the file', async () => {
    const traces = ['buggy-v6.2.jsonl', 'clean-v6.8.jsonl'].map((f) => fromText(readFileSync(sample(f), 'utf8')));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1), fc.array(fc.nat(60), { maxLength: 20 }), async (which, pauses) => {
        const { header: h, entries } = traces[which];
        const idle = new Set(pauses.map((p) => p % entries.length));
        expect(await liveFindings(h, entries, idle)).toEqual(fileFindings(h.kernel, entries));
      }),
      { seed: 15, numRuns: 200 },
    );
  });

  it('generated traces of every era, paused at random: the findings of the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('5.10.0', '5.15.0', '6.1.0', '6.2.0', '6.6.0', '6.8.0', '6.12.0'), fc.nat(), fc.array(fc.nat(599), { minLength: 50, maxLength: 400 }), async (kernel, seed, pauses) => {
        const g = generateTrace({ records: 600, kernel, seed });
        if (!g.ok) throw new Error(g.error.message);
        const entries = [...g.value.records()].map((record, i) => ({ record, line: i + 2 }));
        const idle = new Set(pauses.map((p) => p % entries.length));
        expect(await liveFindings(g.value.header, entries, idle)).toEqual(fileFindings(kernel, entries));
      }),
      { seed: 15, numRuns: 20 },
    );
  });

  it('still steps early what cannot depend on later records, so the replay advances during a pause', async () => {
    const { call } = await import('../support/calls.js');
    const entries = entriesOf([
      call('iommu_probe_device', { dev: '0000:00:01.0', max_pasids: 32 }, 0),
      call('iommu_domain_alloc', { type: 'dma' }, 'dom1'),
      call('iommu_domain_free', { domain: 'dom1' }, null),
      call('iommu_domain_free', { domain: 'dom1' }, null),
    ]);
    let steppedAtPause = -1;
    let live: { records: number } | undefined;
    async function* upToPause(): AsyncGenerator<ReadItem | IdleItem> {
      yield { kind: 'header', header: header('6.8.0'), line: 1 };
      for (const e of entries) yield { kind: 'record', entry: { record: e.record, line: e.line ?? 0, offset: 0 } };
      yield { kind: 'idle' };
      steppedAtPause = live?.records ?? -1; // the producer pauses here
    }
    const r = await runReplay(upToPause(), { file: 't', onStart: (replay) => (live = replay) });
    expect(r.ok).toBe(true);
    // Without the pause nothing would be stepped before the end (4 records, a window of 256).
    // The probe, the alloc and the first free read no nested record; a step that raises a finding
    // may (where its finding is raised), so the double free may wait for the end.
    expect(steppedAtPause).toBeGreaterThanOrEqual(3);
  });
});

const CAPTURES = new URL('../fixtures/captures/', import.meta.url).pathname;

describe('the idle flush of a live capture (sealed: the importer releases a call with its nested records)', () => {
  const cases = [
    { file: 'buggy-sample-v6.2.bpftrace.ndjson', from: 'bpftrace', kernel: '6.2.0' },
    { file: 'idxd-v6.8.bpftrace.ndjson', from: 'bpftrace', kernel: '6.8.0' },
    { file: 'problems.bpftrace.ndjson', from: 'bpftrace', kernel: '6.8.0' },
    { file: 'buggy-v6.2.ftrace.txt', from: 'ftrace', kernel: '6.2.0' },
    { file: 'vtd-boot-v6.2.ftrace.txt', from: 'ftrace', kernel: '6.2.0-rc3' },
    { file: 'problems.ftrace.txt', from: 'ftrace', kernel: '6.6.0' },
  ] as const;

  async function findingsOf(text: Buffer, from: 'ftrace' | 'bpftrace', kernel: string, cuts: readonly number[] | null): Promise<string[]> {
    async function* chunks(): AsyncGenerator<Buffer> {
      if (cuts === null) return yield text;
      let at = 0;
      for (const c of [...cuts].sort((a, b) => a - b)) {
        yield text.subarray(at, c);
        at = c;
        await new Promise((r) => setTimeout(r, 4));
      }
      yield text.subarray(at);
    }
    async function* items(): AsyncGenerator<ReadItem> {
      for await (const item of importCapture(chunks(), { from, file: 'c', kernel })) {
        if (item.kind === 'header') yield { kind: 'header', header: item.header, line: 1 };
        else if (item.kind === 'record') yield { kind: 'record', entry: { record: item.record, line: item.line, offset: item.offset } };
      }
    }
    const source = cuts === null ? items() : withIdleTicks(items(), 1, { stopped: false }, true);
    const r = await runReplay(source, { file: 'c' });
    if (!r.ok) throw new Error(r.error.message);
    return r.value.replay.findings.map(key);
  }

  for (const c of cases) {
    it(`${c.file} cut into random chunks with pauses between them`, async () => {
      const text = readFileSync(CAPTURES + c.file);
      const whole = await findingsOf(text, c.from, c.kernel, null);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(text.length), { maxLength: 12 }), async (cuts) => {
          expect(await findingsOf(text, c.from, c.kernel, cuts)).toEqual(whole);
        }),
        { seed: 15, numRuns: 12 },
      );
    });
  }
});

describe('live audit from a slow pipe (reliability F14)', () => {
  it('pauses longer than the idle tick between records give the findings of the file', async () => {
    const text = readFileSync(sample('buggy-v6.2.jsonl'), 'utf8');
    const lines = text.split('\n').filter((l) => l !== '');
    // Why: pauses right after the binds and attaches whose nested records follow (seq 5-8 in the review).
    const slowAfter = new Set([5, 6, 7, 8, 12]);
    async function* slow(): AsyncGenerator<Buffer> {
      for (let i = 0; i < lines.length; i++) {
        yield Buffer.from(`${lines[i]}\n`);
        if (slowAfter.has(i)) await new Promise((r) => setTimeout(r, 260));
      }
    }
    const stdin = Readable.from(slow(), { objectMode: false });
    const { runCli } = await import('../../src/cli/main.js');
    const { Writable } = await import('node:stream');
    let out = '';
    const sink = new Writable({ write(c, _e, done) { out += c.toString(); done(); } });
    const code = await runCli(['audit', '--json', '-'], { stdout: sink, stderr: sink, stdin, env: {} });
    const file = await cli(['audit', '--json', sample('buggy-v6.2.jsonl')]);
    expect(code).toBe(file.code);
    const codes = (s: string) => (JSON.parse(s) as { findings: { seq: number; code: string }[] }).findings.map((f) => `${f.seq}:${f.code}`);
    expect(codes(out)).toEqual(codes(file.stdout));
    expect(codes(out).filter((c) => c.includes('NESTED_CALL'))).toEqual([]);
  });
});

