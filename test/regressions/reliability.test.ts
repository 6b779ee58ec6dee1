/**
 * One regression test per failure of the reliability review that this branch fixes (F1, F7-F21 but
 * F2-F6 and F22: importers; F3: audit --json streaming), and problems 4, 8 and 9 of the usability
 * review. Each says what the review saw and checks that it no longer happens.
 */
import { describe, it, expect } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, sample } from '../support/cli.js';
import { readTrace, readTraceSync } from '../../src/log/reader.js';
import { TraceWriter } from '../../src/log/writer.js';
import { CODES } from '../../src/log/codes.js';
import { HEADER_LINE, SAMPLE } from '../log/sample.js';

const CAPTURES = new URL('../fixtures/captures/', import.meta.url).pathname;
const dir = () => mkdtempSync(join(tmpdir(), 'pl-reg-'));
const NO_STACK = /\n\s+at |internal error|Unhandled/;
const deep = (n: number) => `{"seq":1,"ts":1,"cpu":0,"tid":1,"fn":"iommu_release_device","args":{"dev":"0000:6a:01.0","x":${'['.repeat(n)}${']'.repeat(n)}},"ret":null}`;

async function generated(d: string, records = 9000): Promise<string> {
  const path = join(d, 't.jsonl');
  const r = await cli(['generate', '--records', String(records), '--seed', '1', '-o', path]);
  expect(r.code).toBe(0);
  return path;
}

describe('F1: deep nesting', () => {
  it('5,000 levels in a record: NESTING_TOO_DEEP on line 2, not "Maximum call stack size exceeded" on line 3', async () => {
    const d = dir();
    writeFileSync(join(d, 'deep.jsonl'), `${HEADER_LINE}\n${deep(5000)}\n`);
    const r = await cli(['validate', join(d, 'deep.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deep\.jsonl:2: objects and arrays nest deeper than 64 levels/);
  });

  it('in the header too, and through the API (readTraceSync) as an error value', () => {
    const r = readTraceSync(`{"type":"header","x":${'['.repeat(9000)}}\n`, { file: 'h' });
    expect(r.errors[0]).toMatchObject({ code: CODES.NESTING_TOO_DEEP, line: 1 });
  });
});

describe('F7, F8 (usability 4): import -o never destroys a file', () => {
  it('import FILE -o FILE is refused and the capture is untouched', async () => {
    const d = dir();
    const c = join(d, 'c.ndjson');
    copyFileSync(join(CAPTURES, 'idxd-v6.8.bpftrace.ndjson'), c);
    const before = readFileSync(c);
    const r = await cli(['import', c, '--from', 'bpftrace', '-o', c, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the output is one of the inputs');
    expect(readFileSync(c)).toEqual(before);
  });

  it('a failed import leaves what -o named as it was', async () => {
    const d = dir();
    writeFileSync(join(d, 'out.jsonl'), '{"my":"previous trace"}\n');
    writeFileSync(join(d, 'bad.txt'), 'garbage\n');
    const r = await cli(['import', join(d, 'bad.txt'), '--from', 'ftrace', '--kernel', '6.8.0', '-o', join(d, 'out.jsonl'), '--force']);
    expect(r.code).toBe(2);
    expect(readFileSync(join(d, 'out.jsonl'), 'utf8')).toBe('{"my":"previous trace"}\n');
    expect(readdirSync(d).sort()).toEqual(['bad.txt', 'out.jsonl']);
  });

  it('a successful import does not overwrite an existing file without --force', async () => {
    const d = dir();
    writeFileSync(join(d, 'exist.jsonl'), 'precious\n');
    const r = await cli(['import', join(CAPTURES, 'idxd-v6.8.bpftrace.ndjson'), '--from', 'bpftrace', '-o', join(d, 'exist.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exist\.jsonl: the output exists; pass --force/);
    expect(readFileSync(join(d, 'exist.jsonl'), 'utf8')).toBe('precious\n');
  });

  it('-o /dev/null (a device node) is refused, never removed', async () => {
    const r = await cli(['import', join(CAPTURES, 'idxd-v6.8.bpftrace.ndjson'), '--from', 'bpftrace', '-o', '/dev/null', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a regular file');
    expect(existsSync('/dev/null')).toBe(true);
  });

  it('generate -o refuses an existing file the same way, and --force replaces it', async () => {
    const d = dir();
    writeFileSync(join(d, 'g.jsonl'), 'old\n');
    expect((await cli(['generate', '--records', '10', '-o', join(d, 'g.jsonl')])).code).toBe(2);
    expect(readFileSync(join(d, 'g.jsonl'), 'utf8')).toBe('old\n');
    expect((await cli(['generate', '--records', '10', '-o', join(d, 'g.jsonl'), '--force'])).code).toBe(0);
    expect((await cli(['validate', '--complete', join(d, 'g.jsonl')])).code).toBe(0);
  });
});

describe('F10: a partial output never validates as complete', () => {
  it('replay --out ends the log with a trailer: validate says complete; a cut copy says incomplete', async () => {
    const d = dir();
    const log = join(d, 'l.jsonl');
    expect((await cli(['replay', sample('clean-v6.8.jsonl'), '--out', log])).code).toBe(0);
    const whole = await cli(['validate', '--kind', 'log', log]);
    expect(whole.stdout).toMatch(/valid log, 56 facts, complete \(trailer: 56 facts, SHA-256 checked\)/);
    const lines = readFileSync(log, 'utf8').split('\n');
    writeFileSync(join(d, 'cut.jsonl'), `${lines.slice(0, 20).join('\n')}\n`);
    const cut = await cli(['validate', '--kind', 'log', join(d, 'cut.jsonl')]);
    expect(cut.code).toBe(0);
    expect(cut.stdout).toContain('incomplete: no trailer');
    expect((await cli(['validate', '--kind', 'log', '--complete', join(d, 'cut.jsonl')])).code).toBe(2);
  });

  it('the writer\'s short-write advice names the command, not a JS API', async () => {
    const { CODE_SPECS } = await import('../../src/log/codes.js');
    const text = readFileSync(new URL('../../src/log/writer.ts', import.meta.url), 'utf8');
    expect(text).toContain('pasid-ledger repair ${this.#file}');
    expect(CODE_SPECS.TORN_TAIL.fix).toContain('pasid-ledger repair FILE');
  });
});

describe('F11: a corrupt index body is never used', () => {
  it('every digit edit of a checkpoint line that keeps it valid JSON is caught: a warning, and the answer of a replay', async () => {
    const d = dir();
    const t = await generated(d);
    const a = await cli(['state', t, '--at', '8500', '--write-index']);
    const idx = `${t}.idx`;
    const lines = readFileSync(idx, 'utf8').split('\n');
    lines[3] = lines[3].replace(/"pasid":(\d+)/g, '"pasid":9$1');
    writeFileSync(idx, lines.join('\n'));
    const b = await cli(['state', t, '--at', '8500']);
    expect(b.stderr).toMatch(/t\.jsonl\.idx:\d+: the index content does not match its checksum/);
    expect(b.stdout).toBe(a.stdout);
  });

  it('random byte flips anywhere in the index: never a crash, never a wrong answer', async () => {
    const d = dir();
    const t = await generated(d, 3000);
    const a = await cli(['state', t, '--at', '2500', '--write-index']);
    const original = readFileSync(`${t}.idx`);
    for (let k = 0; k < 12; k++) {
      const bytes = Buffer.from(original);
      const at = Math.floor(((k * 7919) % 1000) / 1000 * bytes.length);
      bytes[at] ^= 1 << (k % 8);
      writeFileSync(`${t}.idx`, bytes);
      const b = await cli(['state', t, '--at', '2500']);
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
      expect(b.stderr).toMatch(/^warning: /);
    }
  });
});

describe('F12: a same-size edit of the trace is caught', () => {
  it('one digit changed in the middle: the stale index is not used, the answer is that of the edited trace', async () => {
    const d = dir();
    const t = await generated(d);
    // As in the review: `generate | head -9001`, a trace without trailer (so the edit is not refused outright).
    writeFileSync(t, readFileSync(t, 'utf8').split('\n').slice(0, 9001).join('\n') + '\n');
    await cli(['state', t, '--at', '8500', '--write-index']);
    const text = readFileSync(t, 'utf8');
    const lines = text.split('\n');
    const i = lines.findIndex((l, n) => n > 5000 && /"pasid":\d{3}[,}]/.test(l));
    lines[i] = lines[i].replace(/"pasid":(\d)(\d\d)/, (_m, a: string, b: string) => `"pasid":${(Number(a) % 9) + 1}${b}`);
    writeFileSync(t, lines.join('\n'));
    expect(readFileSync(t).length).toBe(Buffer.byteLength(text));
    const b = await cli(['state', t, '--at', '8500']);
    expect(b.stderr).toContain('the trace changed since the index was written (same size, different content)');
    copyFileSync(t, join(d, 'fresh.jsonl'));
    const c = await cli(['state', join(d, 'fresh.jsonl'), '--at', '8500']);
    expect(b.stdout).toBe(c.stdout);
  });
});

describe('F12 with a trailer', () => {
  it('the same edit of a complete trace is refused as TRAILER_MISMATCH before any index is looked at', async () => {
    const d = dir();
    const t = await generated(d, 3000);
    const text = readFileSync(t, 'utf8');
    writeFileSync(t, text.replace(/"ts":(\d)/, (_m, a: string) => `"ts":${(Number(a) % 9) + 1}`));
    const r = await cli(['state', t, '--at', '2000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the file was changed or cut after it was written/);
  });
});

describe('F13: explore --emit never replaces or crashes on what is there', () => {
  const race = sample('races/vtd-boot-race-v5.10.jsonl');
  it('a file named as the directory: exit 2 with a message', async () => {
    const d = dir();
    writeFileSync(join(d, 'notadir'), 'x\n');
    const r = await cli(['explore', race, '--emit', join(d, 'notadir')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/notadir: exists and is not a directory/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('a user file or a directory of an emitted name: refused, nothing written, the file kept', async () => {
    const d = dir();
    const user = join(d, 'vtd-boot-race-v5.10.VTD_SM_DISABLED_AFTER_ROOT.jsonl');
    writeFileSync(user, 'mine\n');
    mkdirSync(join(d, 'vtd-boot-race-v5.10.ALLOCATOR_REGISTER_OUTSTANDING.jsonl'));
    const r = await cli(['explore', race, '--emit', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(readFileSync(user, 'utf8')).toBe('mine\n');
    expect(readdirSync(d).length).toBe(2);
  });

  it('a re-run with --force replaces its earlier traces, which audit reproduces', async () => {
    const d = dir();
    expect((await cli(['explore', race, '--emit', d])).code).toBe(1);
    expect((await cli(['explore', race, '--emit', d])).code).toBe(2);
    expect((await cli(['explore', race, '--emit', d, '--force'])).code).toBe(1);
    for (const f of readdirSync(d)) expect((await cli(['validate', '--complete', join(d, f)])).code).toBe(0);
  });
});

describe('F17: duplicate JSON keys', () => {
  it('a record with seq twice is DUPLICATE_KEY naming seq, not replayed as the last one', () => {
    const line = '{"seq":1,"ts":1,"cpu":0,"tid":1,"fn":"iommu_release_device","args":{"dev":"0000:6a:01.0"},"ret":null,"seq":0}';
    const r = readTraceSync(`${HEADER_LINE}\n${line}\n`, { file: 'd.jsonl' });
    expect(r.errors[0]).toMatchObject({ code: CODES.DUPLICATE_KEY, line: 2, field: 'seq' });
    expect(r.entries).toEqual([]);
  });

  it('inside args and in the header too', () => {
    const args = readTraceSync(`${HEADER_LINE}\n{"seq":1,"ts":1,"cpu":0,"tid":1,"fn":"iommu_release_device","args":{"dev":"a","dev":"b"},"ret":null}\n`, { file: 'd' });
    expect(args.errors[0]).toMatchObject({ code: CODES.DUPLICATE_KEY, field: 'args.dev' });
    const header = readTraceSync(`${HEADER_LINE.replace('"kernel":"6.8.0"', '"kernel":"6.8.0","kernel":"5.10.0"')}\n`, { file: 'd' });
    expect(header.errors[0]).toMatchObject({ code: CODES.DUPLICATE_KEY, line: 1, field: 'kernel' });
  });
});

describe('F18-F20: messages', () => {
  it('F18: a null record says "got null"', () => {
    const r = readTraceSync(`${HEADER_LINE}\nnull\n`, { file: 'n' });
    expect(r.errors[0].message).toContain('must be a JSON object, got null');
  });

  it('F19: validate refuses a header kernel that audit refuses', async () => {
    const d = dir();
    writeFileSync(join(d, 'k.jsonl'), `${HEADER_LINE.replace('6.8.0', '1.0')}\n`);
    const v = await cli(['validate', join(d, 'k.jsonl')]);
    const a = await cli(['audit', join(d, 'k.jsonl')]);
    expect([v.code, a.code]).toEqual([2, 2]);
    expect(v.stderr).toContain('not one pasid-ledger models (5.5 or later)');
  });

  it('F20: an over-long line with bad UTF-8 is LINE_TOO_LONG whatever the chunking', async () => {
    const line = Buffer.concat([Buffer.from('{"seq":1,"comm":"'), Buffer.alloc(70_000, 0x61), Buffer.from([0xff]), Buffer.from('"}\n')]);
    const text = Buffer.concat([Buffer.from(`${HEADER_LINE}\n`), line]);
    expect(readTraceSync(text, { file: 'l' }).errors[0].code).toBe(CODES.LINE_TOO_LONG);
    for (const size of [1000, 4096, 65536, 1 << 20]) {
      async function* chunks() {
        for (let i = 0; i < text.length; i += size) yield text.subarray(i, i + size);
      }
      const codes: string[] = [];
      for await (const item of readTrace(chunks(), { file: 'l' })) if (item.kind === 'error') codes.push(item.error.code);
      expect(codes, `chunks of ${size}`).toEqual([CODES.LINE_TOO_LONG]);
    }
  });

  it('F20: a CR-only file says the line ends look like "\\r"', () => {
    const r = readTraceSync(SAMPLE.replace(/\n/g, '\r'), { file: 'cr' });
    expect(r.errors[0].message).toMatch(/are the line ends "\\r" only\?/);
  });
});

describe('F21: TraceWriter.append returns errors as values', () => {
  it('deep nesting, a cycle, a BigInt and a throwing getter are FIELD_INVALID, never a throw', async () => {
    const d = dir();
    const w = new TraceWriter(join(d, 'w.jsonl'));
    expect(await w.open()).toBeNull();
    expect(w.append(JSON.parse(HEADER_LINE))).toBeNull();
    const base = { seq: 1, ts: 1, cpu: 0, tid: 1, fn: 'iommu_release_device', args: { dev: '0000:6a:01.0' }, ret: null };
    let deepValue: unknown = [];
    for (let i = 0; i < 20_000; i++) deepValue = [deepValue];
    const cyclic: Record<string, unknown> = { ...base, args: { dev: 'x' } };
    (cyclic.args as Record<string, unknown>).self = cyclic;
    const getter = { ...base };
    Object.defineProperty(getter, 'comm', { enumerable: true, get: () => { throw new Error('boom'); } });
    for (const bad of [{ ...base, args: { dev: 'x', deep: deepValue } }, cyclic, { ...base, ts: 1n }, getter]) {
      let e: unknown;
      expect(() => (e = w.append(bad as never))).not.toThrow();
      expect((e as { code: string }).code).toBe(CODES.FIELD_INVALID);
    }
    expect(w.append(base as never)).toBeNull();
    expect(w.finish()).toBeNull();
    const r = readTraceSync(readFileSync(join(d, 'w.jsonl')), { file: 'w' });
    expect(r.errors).toEqual([]);
    expect(r.summary.trailer).toMatchObject({ count: 1 });
    expect((await new TraceWriter(join(d, 'w.jsonl')).open())?.code).toBe(CODES.FILE_COMPLETE);
  });
});

describe('usability 9: file-system mistakes get one line, not a stack', () => {
  it('generate -o DIR, import DIR, import -o DIR and -o missing-dir/x', async () => {
    const d = dir();
    const runs = [
      await cli(['generate', '--records', '10', '-o', d]),
      await cli(['import', d, '--from', 'ftrace', '--kernel', '6.8.0']),
      await cli(['import', join(CAPTURES, 'idxd-v6.8.bpftrace.ndjson'), '--from', 'bpftrace', '-o', d]),
      await cli(['import', join(CAPTURES, 'idxd-v6.8.bpftrace.ndjson'), '--from', 'bpftrace', '-o', join(d, 'no-such-dir', 'x.jsonl')]),
    ];
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr.trim().split('\n').length).toBe(1);
    }
    expect(runs[0].stderr).toContain('the output is a directory');
    expect(runs[1].stderr).toContain('is a directory; name a file inside it');
    expect(runs[3].stderr).toContain('no-such-dir does not exist; create it first');
  });
});
