import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildReportData, type ReportData } from '../../src/report/reportData.js';
import { reportHtml } from '../../src/report/html.js';
import { cli } from '../support/cli.js';
import { readTrace, SAMPLES } from './support.js';

const reportOf = (path: string, options = {}) => buildReportData({ file: path, ...readTrace(path) }, options);
const text = (d: ReportData, id: number) => d.strings[id];

describe('the report data', () => {
  for (const path of SAMPLES) {
    it(`lists the findings audit --json reports, in its order, for ${path}`, async () => {
      const audit = JSON.parse((await cli(['audit', path, '--json'])).stdout) as { findings: { code: string; seq: number | null; message: string }[] };
      const d = reportOf(path);
      expect(d.findings.map((f) => [f.code, f.seq, f.message])).toEqual(audit.findings.map((f) => [f.code, f.seq, f.message]));
      expect(d.meta.findings).toBe(audit.findings.length);
    });

    it(`gives each finding the chain history --finding lists, with the same changes, for ${path}`, async () => {
      const d = reportOf(path);
      const nth = new Map<string, number>();
      for (const f of d.findings) {
        const n = (nth.get(f.code) ?? 0) + 1;
        nth.set(f.code, n);
        const h = JSON.parse((await cli(['history', path, '--finding', `${f.code}:${n}`, '--json'])).stdout) as { tokens: string[]; records: { seq: number; changes: { text: string }[] }[] };
        expect(f.chain.tokens).toEqual(h.tokens);
        expect(f.chain.items.map(([p]) => d.rec.seq[p])).toEqual(h.records.map((r) => r.seq));
        expect(f.chain.items.map(([, changes]) => changes.map((c) => text(d, c)))).toEqual(h.records.map((r) => r.changes.map((c) => c.text)));
      }
    });
  }

  it('with --max-records covers the first records only, keeps every finding and says what it left out', () => {
    const d = reportOf('samples/buggy-v6.2.jsonl', { maxRecords: 10 });
    expect(d.rec.seq).toHaveLength(10);
    expect(d.delta.off).toHaveLength(11);
    expect(d.findings).toHaveLength(10);
    expect(d.meta.leftOut.join(' ')).toMatch(/first 10 of 41 records \(up to seq 10\)/);
    expect(d.findings.filter((f) => f.pos >= 10)).toEqual([]);
  });

  it('without an exact budget marks the records whose state is not the one state --at gives', () => {
    const exact = reportOf('samples/buggy-v6.2.jsonl');
    const approx = reportOf('samples/buggy-v6.2.jsonl', { exactBudget: 0 });
    expect(exact.meta.mode).toBe('exact');
    expect(exact.rec.inexact).toEqual([]);
    expect(approx.meta.mode).toBe('full-call');
    expect(approx.rec.inexact.length).toBeGreaterThan(0);
    expect(approx.meta.leftOut.join(' ')).toMatch(/marked ≈/);
  });
});

describe('the report HTML', () => {
  const html = [...reportHtml(reportOf('samples/buggy-v6.2.jsonl'))].join('');

  it('is one file with no external script, style, font or fetch', () => {
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(|https?:\/\//i);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
  });

  it('keeps a trace whose strings look like markup inside its data element', () => {
    const t = readTrace('samples/buggy-v6.2.jsonl');
    const evil = { ...t, header: { ...t.header, description: '</script><script>alert(1)</script><!--' } };
    const page = [...reportHtml(buildReportData({ file: 'x.jsonl', ...evil }))].join('');
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    const data = JSON.parse(page.slice(page.indexOf('id="report-data">') + 17, page.indexOf('</script>'))) as ReportData;
    expect(data.meta.description).toBe(evil.header.description);
  });

  it('embeds the state data that reproduces the trace (the page script reads it)', () => {
    const data = JSON.parse(html.slice(html.indexOf('id="report-data">') + 17, html.indexOf('</script>'))) as ReportData;
    expect(data.rec.seq).toEqual(readFileSync('samples/buggy-v6.2.jsonl', 'utf8').split('\n').filter(Boolean).slice(1).map((l) => (JSON.parse(l) as { seq: number }).seq));
  });
});
