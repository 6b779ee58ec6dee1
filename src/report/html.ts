/**
 * The report as one HTML file: the page's markup, style and script inline, and the data as JSON in
 * a non-executed script element (as Porcupine's visualisation does). A Content-Security-Policy
 * forbids every fetch, so the page cannot reach the network even by mistake. Pure.
 */
import type { ReportData } from './reportData.js';
import { PAGE_CSS, PAGE_JS } from './page.js';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The HTML, in chunks (the embedded JSON of a long trace is tens of MB). */
export function* reportHtml(data: ReportData): Generator<string> {
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pasid-ledger report: ${escapeHtml(data.meta.file)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header id="hdr"></header>
<main>
<section id="left"><h2>Findings: <span id="finding-count"></span></h2><div id="findings"></div></section>
<section id="center">
<div id="tl-bar"><strong>Timeline</strong><button id="zoom-in" title="zoom in (w, ctrl+wheel)">+</button><button id="zoom-out" title="zoom out (s)">−</button><button id="zoom-fit">fit</button>
<span class="meta">drag to pan (a/d) · ctrl+wheel to zoom · hover for the record · click a call to scrub to it, a ◆ for its finding, an object for its history</span></div>
<div id="tl-wrap"><canvas id="tl"></canvas><div id="tl-spacer"></div></div>
<div id="scrub"><button id="prev" title="previous record (←)">◀</button><input id="scrub-range" type="range" step="1" aria-label="record"><button id="next" title="next record (→)">▶</button>
<label>seq <input id="seq-input" type="number" min="0"></label><span id="pos-text"></span></div>
<div id="panels"><div><h3 id="changes-title">What changed</h3><div id="changes"></div></div>
<div><h3><span id="state-title">State</span><input id="state-filter" placeholder="filter objects"></h3><div id="state" style="height:calc(100% - 34px);overflow:auto"></div></div></div>
</section>
<section id="right"><h3 id="chain-title">Chain</h3><div id="chain"><div class="note">Click a finding to see the records that led to it.</div></div>
<h3 id="history-title">History</h3><div id="history"><div class="note">Click an object (state list, timeline lane) for every record that changed it.</div></div></section>
</main>
<div id="tip"></div>
<script type="application/json" id="report-data">`;
  // Why: "</script>" (or "<!--") inside a string would end the element; \u003c is the same JSON.
  yield JSON.stringify(data).replace(/</g, '\\u003c');
  yield `</script>
<script>${PAGE_JS}</script>
</body>
</html>
`;
}
