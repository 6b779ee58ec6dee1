/**
 * The views' bench section (loaded by bench/hooks.ts): building the HTML report and the Perfetto
 * export of the generated 10 k and 100 k-record traces (time and size), and, when Debian's
 * chromium is there, how long the 100 k report takes to open in a headless browser (until the
 * page has parsed its data, built its keyframes and drawn). 1 M records is left out: the report
 * covers 250 k records by default.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceHeader } from '../../events/records.js';
import { profileOf, type Entry } from '../../src/replay/replayTrace.js';
import { analyse } from '../../src/report/analysis.js';
import { perfettoEvents, perfettoJson } from '../../src/report/perfetto.js';
import { buildReportData } from '../../src/report/reportData.js';
import { reportHtml } from '../../src/report/html.js';
import type { BenchContext, BenchSection } from '../hooks.js';

const CHROMIUM = '/usr/bin/chromium';

function load(path: string) {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const header = JSON.parse(lines[0]) as TraceHeader;
  const p = profileOf(header);
  if (!p.ok) throw new Error(p.error.message);
  const entries: Entry[] = lines.slice(1).map((l, i) => ({ record: JSON.parse(l), line: i + 2 }));
  return { file: path, header, profile: p.value, entries };
}

async function openInBrowser(html: string): Promise<{ openMs: number; seekMs: number; paintMs: number }> {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'pasid-ledger-bench-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    const t0 = performance.now();
    await page.goto(`file://${html}`, { waitUntil: 'load', timeout: 300_000 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 300_000 });
    const ms = performance.now() - t0;
    // One seek to the middle: the scrubber's cost on the largest trace.
    const seekMs = (await page.evaluate(`(function () { var t = performance.now(); window.pasidReport.seek(Math.floor(window.pasidReport.data.rec.seq.length / 2)); return performance.now() - t; })()`)) as number;
    // A zoomed-out repaint of the timeline (the densest view): until two animation frames have passed.
    const paintMs = (await page.evaluate(`(async function () { var t = performance.now(); document.getElementById('zoom-fit').click(); document.getElementById('zoom-in').click(); await new Promise(function (r) { requestAnimationFrame(function () { requestAnimationFrame(r); }); }); return performance.now() - t; })()`)) as number;
    return { openMs: Math.round(ms), seekMs: Math.round(seekMs * 10) / 10, paintMs: Math.round(paintMs * 10) / 10 };
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export const benchSection: BenchSection = {
  name: 'views (report and Perfetto export)',
  async run(ctx: BenchContext) {
    const out: Record<string, number | string | boolean> = {};
    const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-bench-views-'));
    try {
      for (const [records, path] of [...ctx.traces].sort((a, b) => a[0] - b[0])) {
        if (records > 100_000) continue;
        const k = `${records / 1000}k`;
        const input = load(path);
        // CPU time as well as wall time: on a shared machine the wall clock also counts other jobs.
        const cpu = () => {
          const u = process.cpuUsage();
          return (u.user + u.system) / 1000;
        };
        let t0 = performance.now();
        let c0 = cpu();
        const events = perfettoEvents(analyse(input));
        const json = [...perfettoJson(events, {})].join('');
        out[`${k}_perfettoMs`] = Math.round(performance.now() - t0);
        out[`${k}_perfettoCpuMs`] = Math.round(cpu() - c0);
        out[`${k}_perfettoMb`] = Math.round(json.length / 1e5) / 10;
        t0 = performance.now();
        c0 = cpu();
        const data = buildReportData(input);
        const html = [...reportHtml(data)].join('');
        out[`${k}_reportMs`] = Math.round(performance.now() - t0);
        out[`${k}_reportCpuMs`] = Math.round(cpu() - c0);
        out[`${k}_reportMb`] = Math.round(html.length / 1e5) / 10;
        out[`${k}_reportMode`] = data.meta.mode;
        out[`${k}_reportInexactRecords`] = data.meta.inexact;
        if (existsSync(CHROMIUM)) {
          const file = join(dir, `${k}.html`);
          writeFileSync(file, html);
          const b = await openInBrowser(file);
          out[`${k}_browserOpenMs`] = b.openMs;
          out[`${k}_browserSeekMs`] = b.seekMs;
          out[`${k}_browserTwoFramesAfterZoomMs`] = b.paintMs;
        } else out[`${k}_browser`] = `skipped: ${CHROMIUM} missing`;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};
