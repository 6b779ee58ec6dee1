/**
 * Fuzzing both importers with generated corruptions of real-layout captures: whatever the input,
 * the import never throws, ends with one summary, names a line (within the input) for every
 * problem, writes only records the trace schema accepts in increasing seq, and maps to exit 0/1/2.
 * PASID_LEDGER_FUZZ_RUNS raises the number of runs (default 10,000 per importer, 20,000 a CI run).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importCapture } from '../../src/import/importCapture.js';
import { parseFtraceLine } from '../../src/import/ftraceLine.js';
import { parseBpftraceLine } from '../../src/import/bpftraceLine.js';
import { splitLineBatches } from '../../src/import/lines.js';
import type { ImportItem } from '../../src/import/importTypes.js';
import { validateHeader, validateRecord } from '../../events/validate.js';

const DIR = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));
const RUNS = Number(process.env.PASID_LEDGER_FUZZ_RUNS ?? '10000');
const read = (name: string) => readFileSync(DIR + name, 'utf8');

const FTRACE_BASES = ['buggy-v6.2.ftrace.txt', 'problems.ftrace.txt', 'vtd-boot-v6.2.ftrace.txt', 'fprobe-v6.6.trace-cmd.txt', 'lab-v6.12.ftrace.txt', 'idxd-v6.8.trace-cmd.txt', 'idxd-v6.8.perf-script.txt', 'real-v6.12-global-pasid-attach.ftrace.txt', 'real-v6.1-ioasid-allocators.ftrace.txt'].map(read);
const BPFTRACE_BASES = ['idxd-v6.8.bpftrace.ndjson', 'problems.bpftrace.ndjson', 'buggy-sample-v6.2.bpftrace.ndjson'].map(read);

/** Lines that broke or slowed the importers once, and their relatives. */
const NASTY = [
  'x-1 [000] ..... 1.000001: p_x: (' + ' <- '.repeat(500),
  'x-1 [000] ..... 1.000001: p_x: (x+0x4/0x10) ' + 'a '.repeat(800),
  'x-1 [000] ..... 1.000001: p_x: (x+0x4/0x10) dev="' + 'q"'.repeat(300),
  '{"type":"printf","data":"{\\"ts\\":1,\\"cpu\\":0,\\"tid\\":1,\\"fn\\":\\"iommu_release_device\\",\\"ph\\":\\"call\\",\\"dev\\":' + '['.repeat(3000) + ']'.repeat(3000) + '}\\n"}',
  '[' .repeat(5000) + ']'.repeat(5000),
  '{"type":"printf","data":"{\\"__proto__\\":{\\"polluted\\":1},\\"fn\\":\\"ioasid_free\\",\\"ts\\":1,\\"cpu\\":0,\\"tid\\":1,\\"ioasid\\":1}\\n"}',
  '{"type":"printf","data":"{\\"ts\\":1e400,\\"cpu\\":-0,\\"tid\\":9007199254740993,\\"fn\\":\\"ioasid_free\\"}"}',
  '{"type":"lost_events","data":{"events":"many"}}',
  'CPU:1 [LOST 99999999999999999999 EVENTS]',
  '  <...>-1 [000] ..... 99999999999999999999.000001: iommu_free_global_pasid: (iommu_free_global_pasid+0x4/0x40) pasid=4294967296',
  '   a-1 [000] ..... 1.000001: iommu_sva_unbind_device__return: (ffffffff81000000 <- ffffffff81000010)',
  '   a-1 [000] ..... 1.000001: tracing_mark_write: pasid_ledger: capture kernel=banana noreturn=,,,',
  '   a-1 [000] ..... 1.000001: tracing_mark_write: pasid_ledger: device dev= max_pasids=-1 group=',
  '   a-1 [000] ..... 1.000001: iommu_alloc_global_pasid: (iommu_alloc_global_pasid+0x4/0x50) dev="d" max_pasids=99999999999',
  '\u0000\u0000\ufeff# tracer: nop',
  '\r\r\r',
  ' 1)   0.123 us    |  foo();',
  '  bash-1977  [000] .... 17284.993652: sys_close <-system_call_fastpath',
];

/** One corruption of a capture's lines. */
const mutation = (pool: readonly string[]) =>
  fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('deleteLine' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('duplicateLine' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('swapLines' as const), at: fc.nat(), to: fc.nat() }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...NASTY), fc.constantFrom(...pool), fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 })) }),
    fc.record({ op: fc.constant('retag' as const), at: fc.nat(), tid: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ op: fc.constant('replaceChar' as const), at: fc.nat(), ch: fc.constantFrom('"', '(', ')', ' ', '=', ':', '\\', '{', '}', '-', '\n', '\r', '\u0000', 'é') }),
  );
type Mutation = ReturnType<typeof mutation> extends fc.Arbitrary<infer M> ? M : never;

function apply(text: string, muts: readonly Mutation[]): string {
  let t = text;
  for (const m of muts) {
    const lines = t.split('\n');
    const li = lines.length === 0 ? 0 : m.at % lines.length;
    switch (m.op) {
      case 'flip': {
        if (t.length === 0) break;
        const i = m.at % t.length;
        t = t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (1 << m.bit)) + t.slice(i + 1);
        break;
      }
      case 'cut':
        t = t.slice(0, t.length === 0 ? 0 : m.at % t.length);
        break;
      case 'deleteLine':
        lines.splice(li, 1);
        t = lines.join('\n');
        break;
      case 'duplicateLine':
        lines.splice(li, 0, lines[li] ?? '');
        t = lines.join('\n');
        break;
      case 'swapLines': {
        const lj = m.to % Math.max(1, lines.length);
        [lines[li], lines[lj]] = [lines[lj] ?? '', lines[li] ?? ''];
        t = lines.join('\n');
        break;
      }
      case 'insert':
        lines.splice(li, 0, m.text);
        t = lines.join('\n');
        break;
      case 'retag':
        lines[li] = (lines[li] ?? '').replace(/-(\d+)(\s)/, `-${m.tid}$2`).replace(/"tid\\?":\d+/, `"tid":${m.tid}`);
        t = lines.join('\n');
        break;
      case 'replaceChar': {
        if (t.length === 0) break;
        const i = m.at % t.length;
        t = t.slice(0, i) + m.ch + t.slice(i + 1);
        break;
      }
    }
  }
  return t;
}

async function importAll(text: string, from: 'ftrace' | 'bpftrace', kernel: string | undefined, chunk: number): Promise<ImportItem[]> {
  async function* source() {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const items: ImportItem[] = [];
  for await (const item of importCapture(source(), { from, file: 'fuzz', ...(kernel !== undefined ? { kernel } : {}) })) items.push(item);
  return items;
}

/** What every import must give, whatever its input (plain checks: expect() per item would dominate the run). */
function checkItems(items: ImportItem[], text: string): void {
  const fail = (what: string): never => {
    throw new Error(`${what}\n--- input ---\n${text.slice(0, 2000)}`);
  };
  const lineCount = text.split('\n').length;
  const last = items.at(-1);
  if (last?.kind !== 'summary' || items.filter((i) => i.kind === 'summary').length !== 1) fail('the import must end with exactly one summary');
  const summary = last?.kind === 'summary' ? last.summary : undefined;
  const exit = summary?.fatal ? 2 : summary?.clean ? 0 : 1;
  let lastSeq = 0;
  let headers = 0;
  let fatal = false;
  for (const item of items) {
    if (item.kind === 'header') {
      headers++;
      const bad = validateHeader(item.header);
      if (bad !== null) fail(`invalid header: ${bad.message}`);
    } else if (item.kind === 'record') {
      if (headers !== 1) fail('a record before the header');
      const bad = validateRecord(item.record);
      if (bad !== null) fail(`invalid record ${JSON.stringify(item.record)}: ${bad.path} ${bad.message}`);
      if (item.record.seq <= lastSeq) fail(`seq ${item.record.seq} after ${lastSeq}`);
      lastSeq = item.record.seq;
    } else if (item.kind === 'problem') {
      const p = item.problem;
      if (p.severity === 'fatal') fatal = true;
      if (!(p.line >= 0 && p.line <= lineCount)) fail(`problem line ${p.line} outside 0..${lineCount}`);
      // The message names the capture and, for a line problem, the line; never a stack trace.
      if (!p.message.startsWith(p.line > 0 ? `fuzz:${p.line}: ` : 'fuzz: ')) fail(`message does not name the line: ${p.message}`);
      if (/\n\s+at /.test(p.message)) fail(`stack trace in ${p.message}`);
    }
  }
  if (exit === 2 && !fatal) fail('exit 2 without a fatal problem');
  if (exit !== 2 && headers !== 1) fail('a usable import without a header');
  if (({} as Record<string, unknown>).polluted !== undefined) fail('Object.prototype polluted');
}

describe(`fuzzing the importers (${RUNS} corruptions each)`, () => {
  it('the ftrace importer never throws and names the line of every problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: FTRACE_BASES.length - 1 }), fc.array(mutation(FTRACE_BASES.flatMap((b) => b.split('\n').slice(0, 40))), { minLength: 1, maxLength: 4 }), fc.constantFrom(undefined, '6.8.0', '6.12.0'), fc.constantFrom(1 << 20, 61), async (base, muts, kernel, chunk) => {
        const text = apply(FTRACE_BASES[base], muts);
        checkItems(await importAll(text, 'ftrace', kernel, chunk), text);
        return true;
      }),
      { numRuns: RUNS, seed: 16_15_2026 },
    );
  }, 600_000);
  it('the bpftrace importer never throws and names the line of every problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: BPFTRACE_BASES.length - 1 }), fc.array(mutation(BPFTRACE_BASES.flatMap((b) => b.split('\n').slice(0, 40))), { minLength: 1, maxLength: 4 }), fc.constantFrom(undefined, '6.8.0'), fc.constantFrom(1 << 20, 61), async (base, muts, kernel, chunk) => {
        const text = apply(BPFTRACE_BASES[base], muts);
        checkItems(await importAll(text, 'bpftrace', kernel, chunk), text);
        return true;
      }),
      { numRuns: RUNS, seed: 16_15_2027 },
    );
  }, 600_000);
});

describe('lines the importers once choked on', () => {
  it('refuses JSON nested deeper than the kit prints, naming the line, before parsing it', async () => {
    const deep = NASTY[3];
    const items = await importAll(`{"type":"printf","data":"{\\"capture\\":\\"pasid-ledger\\",\\"kernel\\":\\"6.8.0\\"}\\n"}\n${deep}\n`, 'bpftrace', undefined, 1 << 20);
    const problems = items.flatMap((i) => (i.kind === 'problem' ? [i.problem] : []));
    expect(problems[0]).toMatchObject({ code: 'FIELD_INVALID', line: 2 });
    expect(problems[0]?.message).toContain('nested deeper than 32 levels');
  });
  it('skips a line over 64 KiB as LINE_TOO_LONG on that line and reads the next one', async () => {
    const long = 'x'.repeat(70_000);
    const text = `${long}\n${read('buggy-v6.2.ftrace.txt')}`;
    const items = await importAll(text, 'ftrace', '6.2.0', 4096);
    const problems = items.flatMap((i) => (i.kind === 'problem' ? [i.problem] : []));
    expect(problems.map((p) => [p.code, p.line])).toEqual([['LINE_TOO_LONG', 1]]);
    expect(items.filter((i) => i.kind === 'record')).toHaveLength(23);
  });
  it('counts the bytes of a skipped line in the offsets of the lines after it', async () => {
    const text = `${'é'.repeat(40_000)}\n${read('buggy-v6.2.ftrace.txt')}`;
    const items = await importAll(text, 'ftrace', '6.2.0', 1000);
    const first = items.find((i) => i.kind === 'record');
    const whole = await importAll(read('buggy-v6.2.ftrace.txt'), 'ftrace', '6.2.0', 1 << 20);
    const firstWhole = whole.find((i) => i.kind === 'record');
    if (first?.kind !== 'record' || firstWhole?.kind !== 'record') throw new Error('no record');
    expect(first.offset).toBe(firstWhole.offset + 80_001);
  });
});

describe('time per line grows linearly with its length', () => {
  // A ratio within one run (not a figure): a quadratic scanner takes 16x for 4x the text, a linear one 4x.
  const PATTERNS: [string, (text: string) => unknown, (n: number) => string][] = [
    ['probe location with many arrows', parseFtraceLine, (n) => 'x-1 [000] ..... 1.000001: p_x: (' + ' <- '.repeat(n / 4)],
    ['bare words', parseFtraceLine, (n) => 'x-1 [000] ..... 1.000001: p_x: (x+0x4/0x10) ' + 'a '.repeat(n / 2)],
    ['unclosed quotes', parseFtraceLine, (n) => 'x-1 [000] ..... 1.000001: p_x: (x+0x4/0x10) dev="' + 'q"'.repeat(n / 2)],
    ['dashes and digits in the prefix', parseFtraceLine, (n) => '-1 '.repeat(n / 3)],
    ['spaces', parseFtraceLine, (n) => ' '.repeat(n) + 'x'],
    ['deep JSON', parseBpftraceLine, (n) => '['.repeat(n / 2) + ']'.repeat(n / 2)],
    ['long JSON string', parseBpftraceLine, (n) => `{"type":"printf","data":"${'\\\\'.repeat(n / 2)}"}`],
  ];
  /** The best of 15 runs: the per-byte work, not the machine's load. */
  const timeOf = (parse: (text: string) => unknown, text: string): number => {
    let best = Infinity;
    for (let i = 0; i < 15; i++) {
      const t0 = process.hrtime.bigint();
      parse(text);
      best = Math.min(best, Number(process.hrtime.bigint() - t0));
    }
    return best;
  };
  for (const [what, parse, make] of PATTERNS) {
    it(`${what}: 64 KB takes less than 8x the time of 16 KB`, () => {
      timeOf(parse, make(16_000)); // warm up
      const small = timeOf(parse, make(16_000));
      const large = timeOf(parse, make(64_000));
      expect(large / Math.max(small, 1)).toBeLessThan(8);
    });
  }
});

describe('the line splitter on one endless line', () => {
  const split = async (bytes: number): Promise<number> => {
    const chunk = 'a'.repeat(1024);
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      async function* source() {
        for (let i = 0; i < bytes; i += 1024) yield chunk;
      }
      const t0 = process.hrtime.bigint();
      for await (const batch of splitLineBatches(source())) void batch;
      best = Math.min(best, Number(process.hrtime.bigint() - t0));
    }
    return best;
  };
  it('takes less than 8x the time for 4x the bytes (it never rescans what it holds, and holds at most 64 KiB)', async () => {
    await split(256 * 1024);
    const small = await split(256 * 1024);
    const large = await split(1024 * 1024);
    expect(large / Math.max(small, 1)).toBeLessThan(8);
  });
});
