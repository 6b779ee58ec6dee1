/** The readers of the batch: merge's result documents (fuzzed), raw captures in a directory, XML text escaping. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { cli } from '../support/cli.js';
import { mergeDocuments } from '../../src/batch/merge.js';
import { xmlDocument } from '../../src/batch/render/xml.js';
import { samplesDir } from './support.js';

const captures = new URL('../fixtures/captures/', import.meta.url).pathname;

describe('merge reads result documents', () => {
  it('returns an error value, never a throw, for any corruption of a valid result', async () => {
    const valid = (await cli(['audit', samplesDir, '--json', '--jobs', '1'])).stdout;
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.nat(valid.length), fc.string({ maxLength: 8 }), (at, len, insert) => {
        const text = valid.slice(0, at) + insert + valid.slice(Math.min(valid.length, at + (len % 16)));
        const r = mergeDocuments([{ name: 'shard.json', text }]);
        if (!r.ok) expect(r.error.message).toContain('shard.json');
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses JSON values of any other shape with the fix', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = mergeDocuments([{ name: 'x.json', text: JSON.stringify(v) }]);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.message).toContain('x.json');
      }),
      { numRuns: 500 },
    );
  });
});

describe('a directory of raw captures with --from', () => {
  it('takes the ftrace text captures of a directory and audits each', async () => {
    const run = await cli(['audit', captures, '--from', 'ftrace', '--kernel', '6.2.0', '--json', '--jobs', '1']);
    const doc = JSON.parse(run.stdout) as { files: { file: string; ok: boolean }[] };
    const texts = readdirSync(captures).filter((f) => f.endsWith('.txt')).sort();
    expect(texts.length).toBeGreaterThan(4);
    expect(doc.files.map((f) => f.file.split('/').pop())).toEqual(texts);
    expect(doc.files.filter((f) => f.ok).length).toBeGreaterThan(0);
  });

  it('takes the bpftrace captures (*.ndjson) with --from bpftrace', async () => {
    const run = await cli(['audit', captures, '--from', 'bpftrace', '--json', '--jobs', '1']);
    const doc = JSON.parse(run.stdout) as { files: { file: string }[] };
    expect(doc.files.map((f) => f.file.split('/').pop())).toEqual(['buggy-sample-v6.2.bpftrace.ndjson', 'idxd-v6.8.bpftrace.ndjson', 'problems.bpftrace.ndjson']);
    expect(run.stdout).not.toContain('.expected.jsonl');
  });
});

describe('XML text of the JUnit report', () => {
  it('reads back any text and attribute, characters XML cannot hold replaced by U+FFFD', () => {
    const parser = new XMLParser({ ignoreAttributes: false, trimValues: false, processEntities: true, htmlEntities: true, parseTagValue: false, parseAttributeValue: false });
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), (s) => {
        const xml = xmlDocument({ name: 'r', attrs: { a: s }, children: [{ name: 't', text: s }] });
        const doc = parser.parse(xml) as { r: { '@_a': string; t: string } };
        // eslint-disable-next-line no-control-regex
        const want = s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
        expect(doc.r.t).toBe(want.replace(/\r\n?/g, '\n'));
        expect(doc.r['@_a']).toBe(want);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a directory walk and race scenario files', () => {
  it('leaves the scenario files of samples/races out and audits the traces beside them', async () => {
    const { expandInputs } = await import('../../src/batch/inputs.js');
    const races = new URL('../../samples/races/', import.meta.url).pathname;
    const names = expandInputs([races]).files.map((f) => f.file.split('/').pop() as string);
    const scenarios = readdirSync(races).filter((f) => f.endsWith('.jsonl') && readFileSync(races + f, 'utf8').split('\n', 1)[0].includes('"format":"pasid-ledger-scenario"'));
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) expect(names).not.toContain(s);
    expect(names).toContain('vtd-boot-race-v5.10.jsonl');
  });
});
