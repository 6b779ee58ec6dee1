/**
 * The trace reader under generated corruptions (reliability 1a/1b): at least 20,000 per run
 * (PASID_LEDGER_FUZZ_RUNS=N for more). Never a throw or a stack trace; exit only 0/1/2; every error
 * names its line (but a file that cannot be read at all); nothing accepted that breaks the format
 * (an independent check of every accepted record); no prototype polluted; linear time per line.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Readable, Writable } from 'node:stream';
import { readTrace, readTraceSync } from '../../src/log/reader.js';
import { CODES } from '../../src/log/codes.js';
import { scanJson, findDuplicateKey } from '../../src/log/hazards.js';
import { validateRecord } from '../../events/validate.js';
import { runCli } from '../../src/cli/main.js';
import { TraceChecker } from '../../src/log/traceChecker.js';
import { LineSplitter } from '../../src/log/lineSplitter.js';
import { recordsArb, traceLines } from './arbitraries.js';
import { withTrailer } from '../support/trailer.js';

const RUNS = Math.max(20_000, Number(process.env.PASID_LEDGER_FUZZ_RUNS ?? 0) || 0);
const FILE = 'fz.jsonl';

const enc = (s: string) => Buffer.from(s, 'utf8');
const nest = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A small seeded PRNG (mulberry32) for the mutators, so a fast-check counterexample replays exactly. */
class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  nextInt(min: number, max: number): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return min + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (max - min + 1));
  }
}

/** A mutation of a whole file (bytes) or of its lines; each returns new bytes. */
type Mutator = (bytes: Buffer, r: Rng) => Buffer;
const pick = <T,>(r: Rng, xs: readonly T[]) => xs[r.nextInt(0, xs.length - 1)];
const lineOps = (f: (lines: string[], r: Rng) => void): Mutator => (bytes, r) => {
  const lines = bytes.toString('latin1').split('\n');
  f(lines, r);
  return Buffer.from(lines.join('\n'), 'latin1');
};
const atLine = (f: (line: string, r: Rng) => string): Mutator =>
  lineOps((lines, r) => {
    const i = r.nextInt(0, Math.max(0, lines.length - 2));
    lines[i] = Buffer.from(f(Buffer.from(lines[i], 'latin1').toString('utf8'), r), 'utf8').toString('latin1');
  });
/** Inserts text just after the first `"args":{` of a line (or at a random point). */
const intoArgs = (text: (r: Rng) => string) =>
  atLine((l, r) => {
    const at = l.indexOf('"args":{');
    const p = at >= 0 ? at + 8 : r.nextInt(0, l.length);
    return `${l.slice(0, p)}${text(r)}${at >= 0 ? ',' : ''}${l.slice(p)}`;
  });

const MUTATORS: readonly [string, Mutator][] = [
  ['byte flip', (b, r) => { const c = Buffer.from(b); if (c.length) c[r.nextInt(0, c.length - 1)] = r.nextInt(0, 255); return c; }],
  ['bit flip', (b, r) => { const c = Buffer.from(b); if (c.length) c[r.nextInt(0, c.length - 1)] ^= 1 << r.nextInt(0, 7); return c; }],
  ['truncate', (b, r) => b.subarray(0, r.nextInt(0, b.length))],
  ['delete line', lineOps((ls, r) => void ls.splice(r.nextInt(0, ls.length - 1), 1))],
  ['duplicate line', lineOps((ls, r) => { const i = r.nextInt(0, ls.length - 1); ls.splice(i, 0, ls[i]); })],
  ['swap lines', lineOps((ls, r) => { const i = r.nextInt(0, ls.length - 1); const j = r.nextInt(0, ls.length - 1); [ls[i], ls[j]] = [ls[j], ls[i]]; })],
  ['deep nesting', intoArgs((r) => `"x":${nest(pick(r, [10, 63, 64, 65, 100, 4000, 5000, 20000]))}`)],
  ['deep objects', intoArgs((r) => { const d = pick(r, [30, 65, 3000]); return `"x":${'{"a":'.repeat(d)}1${'}'.repeat(d)}`; })],
  ['forbidden key', intoArgs((r) => `${pick(r, ['"__proto__"', '"constructor"', '"prototype"', '"\\u005f_proto__"'])}:{"polluted":1}`)],
  ['duplicate key', atLine((l, r) => l.replace(/"(seq|fn|parent|ts|dev)":/, (m) => `${m}${pick(r, ['0', '"iommu_release_device"', '1'])},${m}`))],
  ['long string', intoArgs((r) => `"x":"${'y'.repeat(pick(r, [1000, 65_000, 70_000]))}"`)],
  ['number spelling', atLine((l, r) => l.replace(/:(\d+)/, `:${pick(r, ['1e400', '-1e400', '-0', '1.0', '1.5e3', '9007199254740993', '123456789012345678901234567890', '0x10', 'NaN', '01'])}`))],
  ['bad utf-8', (b, r) => { const at = r.nextInt(0, b.length); return Buffer.concat([b.subarray(0, at), Buffer.from(pick(r, [[0xc3], [0xff], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0x80]])), b.subarray(at)]); }],
  ['bom', (b, r) => { const at = pick(r, [0, b.indexOf(10) + 1]); return Buffer.concat([b.subarray(0, at), Buffer.from([0xef, 0xbb, 0xbf]), b.subarray(at)]); }],
  ['nul', (b, r) => { const at = r.nextInt(0, b.length); return Buffer.concat([b.subarray(0, at), Buffer.from([0]), b.subarray(at)]); }],
  ['cr line ends', (b, r) => Buffer.from(b.toString('latin1').replace(/\n/g, pick(r, ['\r', '\r\n', '\n\r']))) ],
  ['type swap', atLine((l, r) => l.replace(/"(seq|ts|cpu|tid|args|fn|ret)":("[^"]*"|\d+|\{[^}]*\}|null)/, (_m, k: string) => `"${k}":${pick(r, ['null', '"s"', '[]', '{}', 'true', '-1', '1.5'])}`))],
  ['field deletion', atLine((l) => l.replace(/"(seq|ts|fn|args)":("[^"]*"|\d+|\{[^}]*\}),?/, ''))],
  ['seq near limits', atLine((l, r) => l.replace(/"seq":\d+/, `"seq":${pick(r, [2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 0])}`))],
  ['parent mess', atLine((l, r) => l.replace(/"tid":(\d+)/, (m) => `${m},"parent":${pick(r, [0, 1, 2, 999999, -1])}`))],
  ['header mutation', lineOps((ls, r) => { ls[0] = ls[0].replace(pick(r, ['"kernel":"6.8.0"', '"version":1', '"source":"hand-written"', '"format":"pasid-ledger-trace"']), pick(r, ['"kernel":"1.0"', '"version":2', '"source":"x"', '"format":"pasid-ledger-log"', '"kernel":"6.8.0","kernel":"5.10.0"'])); })],
  ['trailer mutation', lineOps((ls, r) => { const i = ls.findIndex((l) => l.startsWith('{"type":"trailer"')); if (i >= 0) ls[i] = ls[i].replace(pick(r, [/"count":\d+/, /[0-9a-f]"}/]), pick(r, ['"count":0', '0"}', '"count":99'])); else ls.push('{"type":"trailer","count":1,"sha256":"' + '0'.repeat(64) + '"}'); })],
  ['line after trailer', lineOps((ls) => void ls.splice(ls.length - 1, 0, ls[1] ?? ''))],
  ['blank line', lineOps((ls, r) => void ls.splice(r.nextInt(1, ls.length), 0, pick(r, ['', ' ', '\t'])))],
  ['many host keys', lineOps((ls, r) => { const n = pick(r, [64, 65, 5000]); ls[0] = ls[0].replace('"host":{', `"host":{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')},`); })],
  ['concatenation', (b) => Buffer.concat([b, b])],
  ['splice', (b, r) => { const a = r.nextInt(0, b.length); const c = r.nextInt(0, b.length); return Buffer.concat([b.subarray(0, Math.min(a, c)), b.subarray(Math.max(a, c))]); }],
];

/** A valid trace (with or without trailer) then 1-3 stacked corruptions, named for the report. */
const corrupted: fc.Arbitrary<{ bytes: Buffer; applied: string[] }> = fc
  .tuple(recordsArb(8), fc.boolean(), fc.array(fc.nat(MUTATORS.length - 1), { minLength: 1, maxLength: 3 }), fc.integer())
  .map(([records, trailer, ops, seed]) => {
    const lines = traceLines(records);
    const body = lines.map((l) => `${l}\n`).join('');
    let bytes: Buffer = enc(trailer ? withTrailer(body) : body);
    const r = new Rng(seed);
    for (const i of ops) bytes = MUTATORS[i][1](bytes, r);
    return { bytes, applied: ops.map((i) => MUTATORS[i][0]) };
  });

const PROTOS = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const protoKeys = () => PROTOS.map((p) => Object.getOwnPropertyNames(p).sort().join(','));

/** An independent check of an accepted trace: seqs increase, parents name earlier seqs, every record validates. */
function acceptedIsValid(entries: { record: { seq: number; parent?: number } }[]): boolean {
  const seen = new Set<number>();
  let last = -1;
  for (const { record } of entries) {
    if (!(record.seq > last) || validateRecord(record) !== null) return false;
    if (record.parent !== undefined && !seen.has(record.parent)) return false;
    seen.add(record.seq);
    last = record.seq;
  }
  return true;
}

const LINELESS = new Set<string>([CODES.READ_FAILED]);

describe(`the trace reader under ${RUNS} generated corruptions (fast-check seed 1515)`, () => {
  it('never throws, names the line of every error, accepts nothing invalid, pollutes no prototype', () => {
    const before = protoKeys();
    const codes = new Map<string, number>();
    let accepted = 0;
    fc.assert(
      fc.property(corrupted, ({ bytes, applied }) => {
        let r;
        try {
          r = readTraceSync(bytes, { file: FILE, allErrors: applied.length > 1 });
        } catch (e) {
          throw new Error(`threw on ${applied.join(' + ')}: ${(e as Error).stack}`);
        }
        for (const e of r.errors) {
          codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
          expect(Object.keys(CODES), applied.join(' + ')).toContain(e.code);
          if (!LINELESS.has(e.code)) expect(e.message, applied.join(' + ')).toMatch(/^fz\.jsonl:\d+: /);
          expect(e.message).not.toMatch(/Maximum call stack|RangeError|TypeError/);
        }
        if (r.errors.length === 0) {
          accepted++;
          expect(acceptedIsValid(r.entries), applied.join(' + ')).toBe(true);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { seed: 1515, numRuns: RUNS },
    );
    expect(protoKeys()).toEqual(before);
    // Every mutator family reached the refusals it is meant for.
    for (const c of [CODES.NESTING_TOO_DEEP, CODES.DUPLICATE_KEY, CODES.FORBIDDEN_KEY, CODES.UNSAFE_NUMBER, CODES.INVALID_UTF8, CODES.LINE_TOO_LONG, CODES.TRAILER_MISMATCH, CODES.TRAILER_NOT_LAST, CODES.BOM]) {
      expect(codes.get(c) ?? 0, c).toBeGreaterThan(0);
    }
    expect(accepted).toBeGreaterThan(RUNS / 50);
  }, 600_000);

  it('gives the same verdict streamed in random chunks as read whole', async () => {
    await fc.assert(
      fc.asyncProperty(corrupted, fc.array(fc.nat(), { maxLength: 6 }), async ({ bytes }, cuts) => {
        const whole = readTraceSync(bytes, { file: FILE });
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const c of at) {
          chunks.push(bytes.subarray(prev, c));
          prev = c;
        }
        chunks.push(bytes.subarray(prev));
        const errors: string[] = [];
        for await (const item of readTrace(Readable.from(chunks.filter((c) => c.length > 0)), { file: FILE })) if (item.kind === 'error') errors.push(`${item.error.code}@${item.error.line}`);
        expect(errors).toEqual(whole.errors.map((e) => `${e.code}@${e.line}`));
      }),
      { seed: 1515, numRuns: Math.round(RUNS / 20) },
    );
  }, 600_000);

  it('through the CLI (validate, audit): exit 0, 1 or 2 only, never a stack trace, exit 2 names the line', async () => {
    class Sink extends Writable {
      text = '';
      override _write(c: Buffer, _e: BufferEncoding, done: () => void): void {
        this.text += c.toString();
        done();
      }
    }
    await fc.assert(
      fc.asyncProperty(corrupted, fc.constantFrom(['validate', '-'], ['audit', '-'], ['validate', '--all-errors', '--json', '-']), async ({ bytes, applied }, argv) => {
        const stdout = new Sink();
        const stderr = new Sink();
        const code = await runCli(argv, { stdout, stderr, stdin: Readable.from([bytes]), env: {} });
        expect([0, 1, 2], applied.join(' + ')).toContain(code);
        expect(stderr.text).not.toMatch(/\n\s+at |internal error|Maximum call stack/);
        if (code === 2 && argv[1] !== '--all-errors') expect(stderr.text, applied.join(' + ')).toMatch(/<stdin>:\d+: |pasid-ledger audit: <stdin>: (no header|a derived|the trace holds no record of the PASID lifecycle)/);
      }),
      { seed: 1515, numRuns: Math.round(RUNS / 25) },
    );
  }, 600_000);
});

describe('linear time per line (a quadratic scan shows as 16x for 4x the length; linear as 4x)', () => {
  const best = (f: () => void) => {
    let t = Infinity;
    for (let i = 0; i < 5; i++) {
      const s = process.hrtime.bigint();
      f();
      t = Math.min(t, Number(process.hrtime.bigint() - s));
    }
    return t;
  };
  /** The smallest of up to six measured ratios: other processes (and the suite's other files, run in parallel) only ever inflate a ratio; a quadratic scan fails all six. */
  const ratio = (make: (n: number) => string, f: (s: string) => void) => {
    const small = make(16_000);
    const large = make(64_000);
    f(small);
    f(large);
    let r = Infinity;
    for (let attempt = 0; attempt < 6 && r >= 10; attempt++) r = Math.min(r, best(() => f(large)) / best(() => f(small)));
    return r;
  };
  const inputs: [string, (n: number) => string][] = [
    ['escaped quotes', (n) => `{"a":"${'\\\\\\"'.repeat(n / 4)}"}`],
    ['nesting brackets', (n) => '['.repeat(n)],
    ['backslash runs', (n) => `"${'\\'.repeat(n)}"`],
    ['many keys', (n) => `{${Array.from({ length: n / 8 }, (_, i) => `"k${i}":1`).join(',')}}`],
    ['many duplicate keys', (n) => `{${Array.from({ length: n / 6 }, () => '"k":1').join(',')}}`],
  ];
  for (const [name, make] of inputs) {
    it(`scanJson and findDuplicateKey on ${name}`, () => {
      expect(ratio(make, (s) => scanJson(s, 1 << 30))).toBeLessThan(10);
      expect(ratio(make, (s) => findDuplicateKey(s))).toBeLessThan(10);
    });
  }

  it('the line splitter fed one byte at a time (a line near the 64 KiB limit)', () => {
    const feed = (s: string) => {
      const b = Buffer.from(s);
      const checker = new TraceChecker({ file: FILE });
      const splitter = new LineSplitter(checker);
      for (let i = 0; i < b.length; i++) splitter.push(b.subarray(i, i + 1));
      splitter.end();
    };
    const make = (n: number) => `{"type":"header","format":"pasid-ledger-trace","version":1,"kernel":"6.8.0","source":"x","description":"${'d'.repeat(n)}"}\n`;
    expect(ratio(make, feed)).toBeLessThan(10);
  });
});
