/** One test per reader error code: each corrupts the small valid sample and asserts the code and the line. */
import { describe, it, expect } from 'vitest';
import { readTraceSync } from '../../src/log/reader.js';
import { CODES } from '../../src/log/codes.js';
import { SAMPLE, SAMPLE_LINES, HEADER_LINE, RECORD_LINES, withLine, LOG_SAMPLE } from './sample.js';

const read = (text: string | Uint8Array, kind: 'trace' | 'log' = 'trace') => readTraceSync(text, { file: 't.jsonl', kind });

function firstError(text: string | Uint8Array, kind: 'trace' | 'log' = 'trace') {
  const r = read(text, kind);
  expect(r.errors.length).toBeGreaterThan(0);
  return r.errors[0];
}

describe('the sample', () => {
  it('is a valid trace with six records', () => {
    const r = read(SAMPLE);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.entries.map((e) => e.record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('is a valid log with four facts when read as a log', () => {
    const r = read(LOG_SAMPLE, 'log');
    expect(r.errors).toEqual([]);
    expect(r.facts).toHaveLength(4);
  });
});

describe('reader error codes', () => {
  it('EMPTY_FILE: refuses a file with no bytes', () => {
    expect(firstError('')).toMatchObject({ code: CODES.EMPTY_FILE, line: 1 });
  });

  it('BOM: refuses a UTF-8 byte order mark on line 1 and says to strip it', () => {
    const e = firstError(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)]));
    expect(e).toMatchObject({ code: CODES.BOM, line: 1 });
    expect(e.message).toMatch(/strip it/);
  });

  it('HEADER_MISSING: refuses a trace whose first line is a record', () => {
    const e = firstError(RECORD_LINES.map((l) => `${l}\n`).join(''));
    expect(e).toMatchObject({ code: CODES.HEADER_MISSING, line: 1 });
    expect(e.message).toMatch(/^t\.jsonl:1: /);
  });

  it('HEADER_INVALID: refuses a header that breaks its schema, naming the field', () => {
    const e = firstError(withLine(1, HEADER_LINE.replace('"source":"hand-written"', '"source":"guessed"')));
    expect(e).toMatchObject({ code: CODES.HEADER_INVALID, line: 1, field: 'source' });
  });

  it('HEADER_INVALID: says to use --kind log when a log is read as a trace', () => {
    const e = firstError(LOG_SAMPLE);
    expect(e).toMatchObject({ code: CODES.HEADER_INVALID, line: 1 });
    expect(e.message).toMatch(/--kind log/);
  });

  it('HEADER_VERSION_UNSUPPORTED: refuses a future format version and says which version it reads', () => {
    const e = firstError(withLine(1, HEADER_LINE.replace('"version":1', '"version":2')));
    expect(e).toMatchObject({ code: CODES.HEADER_VERSION_UNSUPPORTED, line: 1 });
    expect(e.message).toMatch(/version 2 .*reads \(version 1\)/);
  });

  it('NOT_JSON: refuses a line that does not parse', () => {
    expect(firstError(withLine(3, '{"seq":2,'))).toMatchObject({ code: CODES.NOT_JSON, line: 3 });
  });

  it('INVALID_UTF8: refuses a line with malformed UTF-8', () => {
    const bytes = Buffer.from(withLine(4, RECORD_LINES[2].replace('dom1', 'd\u00e9m1')));
    const bad = Buffer.from(bytes);
    const at = bad.indexOf(0xc3);
    bad[at] = 0xff; // not a UTF-8 lead byte
    expect(firstError(bad)).toMatchObject({ code: CODES.INVALID_UTF8, line: 4 });
  });

  it('LINE_TOO_LONG: refuses a line over the 64 KiB limit', () => {
    const long = RECORD_LINES[0].replace('"ret":0', `"comm":"${'x'.repeat(70000)}","ret":0`);
    expect(firstError(withLine(2, long))).toMatchObject({ code: CODES.LINE_TOO_LONG, line: 2 });
  });

  it('BLANK_LINE: refuses an empty line before the last record', () => {
    const text = [HEADER_LINE, RECORD_LINES[0], '', RECORD_LINES[1]].map((l) => `${l}\n`).join('');
    expect(firstError(text)).toMatchObject({ code: CODES.BLANK_LINE, line: 3 });
  });

  it('FORBIDDEN_KEY: refuses a __proto__ key and pollutes nothing', () => {
    const e = firstError(withLine(2, RECORD_LINES[0].replace('"group":"grp7"', '"__proto__":{"polluted":true}')));
    expect(e).toMatchObject({ code: CODES.FORBIDDEN_KEY, line: 2, field: 'args.__proto__' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('FORBIDDEN_KEY: refuses a constructor key inside the header host map', () => {
    const e = firstError(withLine(1, HEADER_LINE.replace('"cpus":4', '"constructor":"x"')));
    expect(e).toMatchObject({ code: CODES.FORBIDDEN_KEY, line: 1, field: 'host.constructor' });
  });

  it('UNSAFE_NUMBER: refuses an integer beyond 2^53 and asks for a hex string', () => {
    const e = firstError(withLine(3, RECORD_LINES[1].replace('"ts":1000100', '"ts":18446744073709551615')));
    expect(e).toMatchObject({ code: CODES.UNSAFE_NUMBER, line: 3, field: 'ts' });
    expect(e.message).toMatch(/18446744073709551615/);
    expect(e.message).toMatch(/hex strings/);
  });

  it('UNKNOWN_RECORD_TYPE: names the nearest known function', () => {
    const e = firstError(withLine(4, RECORD_LINES[2].replace('iommu_attach_device_pasid', 'iommu_atach_device_pasid')));
    expect(e).toMatchObject({ code: CODES.UNKNOWN_RECORD_TYPE, line: 4 });
    expect(e.message).toMatch(/unknown record type "iommu_atach_device_pasid"; did you mean iommu_attach_device_pasid\?/);
  });

  it('FIELD_INVALID: names args.pasid and says ioasid_t is a u32', () => {
    const e = firstError(withLine(4, RECORD_LINES[2].replace('"pasid":5', '"pasid":4294967296')));
    expect(e).toMatchObject({ code: CODES.FIELD_INVALID, line: 4, field: 'args.pasid' });
    expect(e.message).toMatch(/^t\.jsonl:4: field "args\.pasid": must be <= 4294967295 \(ioasid_t is a u32\)/);
  });

  it('C1: a PASID above 20 bits (a u32 the kernel takes) is a valid record', () => {
    expect(readTraceSync([HEADER_LINE, ...RECORD_LINES.map((l, i) => (i === 2 ? l.replace('"pasid":5', '"pasid":4294967295') : l))].join('\n') + '\n', { file: 't.jsonl' }).errors ?? []).toEqual([]);
  });

  it('SEQ_NOT_INCREASING: refuses a seq equal to the previous one', () => {
    const e = firstError(withLine(3, RECORD_LINES[1].replace('"seq":2', '"seq":1')));
    expect(e).toMatchObject({ code: CODES.SEQ_NOT_INCREASING, line: 3, seq: 1 });
  });

  it('PARENT_UNKNOWN: refuses a parent that names no earlier record', () => {
    const e = firstError(withLine(5, RECORD_LINES[3].replace('"parent":3', '"parent":9')));
    expect(e).toMatchObject({ code: CODES.PARENT_UNKNOWN, line: 5, field: 'parent' });
  });

  it('TORN_TAIL: warns about an unterminated, unparseable last line and keeps every record before it', () => {
    const text = SAMPLE + RECORD_LINES[5].replace('"seq":6', '"seq":7').slice(0, 40);
    const r = read(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toMatchObject({ code: CODES.TORN_TAIL, line: 8, offset: Buffer.byteLength(SAMPLE) });
    expect(r.warnings[0].message).toMatch(/torn/);
    expect(r.entries).toHaveLength(6);
  });

  it('ERROR_LIMIT: stops after maxErrors errors with allErrors', () => {
    const text = SAMPLE + 'x\n'.repeat(5);
    const r = readTraceSync(text, { file: 't.jsonl', allErrors: true, maxErrors: 3 });
    expect(r.errors.map((e) => e.line)).toEqual([8, 9, 10]);
    expect(r.warnings[0]).toMatchObject({ code: CODES.ERROR_LIMIT });
  });
});
