/**
 * The report page's own style and script, inlined into every report (no network, works from
 * file://). The script reads the embedded JSON (reportData.ts) and draws the timeline on a canvas.
 *
 * Why a hand-drawn canvas and no charting library: the timeline is swimlanes of slices (calls,
 * object states) with finding markers, 100 k+ slices at once. DOM/SVG timeline libraries
 * (vis-timeline and the like) build one element per item and stall there, and chart libraries
 * (uPlot, Chart.js) draw series, not lanes; a canvas with per-pixel culling is ~400 lines, draws
 * only the visible lanes (virtual scrolling) and merges slices narrower than a pixel, and needs
 * no dependency to inline and keep up to date.
 *
 * Kept as plain ES2017 in a String.raw literal: no backquote and no dollar-brace inside.
 */
export const PAGE_CSS = String.raw`
:root { --bg:#fff; --fg:#1d2330; --mut:#667085; --line:#e4e7ec; --bug:#d92d20; --misuse:#dc6803; --info:#1570ef; --sel:#fff4c2; }
* { box-sizing: border-box; }
body { margin:0; font:13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
header { padding:10px 16px; border-bottom:1px solid var(--line); }
header h1 { font-size:17px; margin:0 0 4px; }
.meta { color:var(--mut); }
.badge { display:inline-block; padding:1px 7px; border-radius:9px; color:#fff; font-size:12px; margin-right:4px; }
.badge.bug { background:var(--bug); } .badge.misuse { background:var(--misuse); } .badge.info { background:var(--info); }
.leftout { margin:6px 0 0; padding:6px 8px; background:#fffaeb; border:1px solid #fedf89; border-radius:4px; }
main { display:grid; grid-template-columns: minmax(260px, 23%) 1fr minmax(260px, 24%); height: calc(100vh - 92px); min-height:520px; }
main > section { overflow:auto; border-right:1px solid var(--line); min-width:0; }
h2, h3 { font-size:13px; margin:8px 10px 4px; text-transform:uppercase; letter-spacing:.04em; color:var(--mut); }
.group > .ghead { overflow-wrap:anywhere; padding:4px 10px; background:#f9fafb; border-top:1px solid var(--line); cursor:pointer; font-weight:600; }
.finding { padding:5px 10px 6px 14px; border-top:1px solid var(--line); cursor:pointer; }
.finding:hover { background:#f5f8ff; } .finding.selected { background:var(--sel); }
.finding .code { font-weight:600; overflow-wrap:anywhere; } .finding .fix { color:var(--mut); }
.sev { font-size:11px; font-weight:600; text-transform:uppercase; margin-right:4px; }
.sev.bug { color:var(--bug); } .sev.misuse { color:var(--misuse); } .sev.info { color:var(--info); }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size:12px; }
#center { display:flex; flex-direction:column; overflow:hidden; }
#tl-bar { display:flex; gap:6px; align-items:center; padding:6px 10px; border-bottom:1px solid var(--line); }
#tl-bar button, #scrub button { font:inherit; padding:1px 8px; }
#tl-wrap { position:relative; flex: 1 1 55%; overflow-y:auto; overflow-x:hidden; min-height:160px; }
#tl { position:sticky; top:0; left:0; display:block; }
#tip { position:fixed; pointer-events:none; background:#101828; color:#fff; padding:5px 8px; border-radius:4px; max-width:520px; font-size:12px; display:none; z-index:10; white-space:pre-wrap; }
#scrub { display:flex; gap:6px; align-items:center; padding:6px 10px; border-top:1px solid var(--line); border-bottom:1px solid var(--line); }
#scrub input[type=range] { flex:1; }
#seq-input { width:90px; }
#pos-text { color:var(--mut); white-space:nowrap; overflow:hidden; text-overflow:ellipsis; max-width:45%; }
#panels { display:grid; grid-template-columns: 1fr 1fr; flex: 1 1 45%; min-height:150px; overflow:hidden; }
#panels > div { overflow:auto; border-right:1px solid var(--line); }
.row { padding:1px 10px; white-space:nowrap; cursor:pointer; height:18px; overflow:hidden; text-overflow:ellipsis; }
.row:hover { background:#f5f8ff; } .row.changed { background:#ecfdf3; }
.item { padding:4px 10px; border-top:1px solid var(--line); cursor:pointer; }
.item:hover { background:#f5f8ff; } .item .sub { color:var(--mut); padding-left:12px; }
.item.here { background:var(--sel); }
.note { color:var(--mut); padding:4px 10px; }
#state-filter { font:inherit; width:45%; margin-left:6px; text-transform:none; }
.inexact { color:var(--misuse); font-weight:600; }
@media (max-width: 1100px) { main { grid-template-columns: 1fr; height:auto; } #center { height: 900px; } }
`;

export const PAGE_JS = String.raw`
(function () {
'use strict';
var D = JSON.parse(document.getElementById('report-data').textContent);
var S = D.strings, R = D.rec, N = R.seq.length, M = D.meta;
function $(id) { return document.getElementById(id); }
function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = text; return e; }
function objText(o, sum) { return S[D.objects.label[o]] + ': ' + S[sum]; }
var seqPos = new Map(); for (var i = 0; i < N; i++) seqPos.set(R.seq[i], i);
var inexact = new Set(R.inexact);

// ---------- header
(function header() {
  var h = $('hdr');
  h.appendChild(el('h1', null, 'pasid-ledger report: ' + M.file));
  var meta = 'Linux ' + M.kernel + ' (era ' + M.era + ') · source ' + M.source + ' · ' + M.records + ' records · ' + M.facts + ' facts · ' + M.findings + ' finding(s)';
  if (M.description) meta += ' · ' + M.description;
  if (M.host) meta += ' · host ' + Object.keys(M.host).map(function (k) { return k + '=' + M.host[k]; }).join(' ');
  var p = el('div', 'meta', meta);
  h.appendChild(p);
  var b = el('div', 'meta');
  ['bug', 'misuse', 'info'].forEach(function (s) { b.appendChild(el('span', 'badge ' + s, (M.bySeverity[s] || 0) + ' ' + s)); });
  b.appendChild(el('span', null, ' generated by ' + M.generator + (M.mode === 'exact' ? '' : ' · ≈ ' + M.inexact + ' record(s) approximated')));
  h.appendChild(b);
  M.leftOut.forEach(function (t) { h.appendChild(el('div', 'leftout', t)); });
})();

// ---------- state after every record: keyframes every KF records, deltas between
var KF = 4096, keyframes = [];
function applyDelta(m, t) { for (var k = D.delta.off[t]; k < D.delta.off[t + 1]; k++) { var s = D.delta.sum[k]; if (s < 0) m.delete(D.delta.obj[k]); else m.set(D.delta.obj[k], s); } }
(function () { var m = new Map(); D.initial.forEach(function (p) { m.set(p[0], p[1]); }); keyframes.push(new Map(m)); for (var t = 0; t < N; t++) { applyDelta(m, t); if ((t + 1) % KF === 0) keyframes.push(new Map(m)); } })();
function stateAt(p) { var k = Math.floor((p + 1) / KF), m = new Map(keyframes[k]); for (var t = k * KF; t <= p; t++) applyDelta(m, t); return m; }
var KIND_ORDER = ['allocator', 'allocatorEntry', 'ioasid', 'registration', 'vtd', 'rootTable', 'device', 'slot', 'domain', 'bond', 'handle', 'mm', 'globalPasid'];
function kindRank(o) { var r = KIND_ORDER.indexOf(S[D.objects.kind[o]]); return r < 0 ? 99 : r; }

// ---------- findings list, grouped by code
var selected = -1, chainSet = new Set();
var groups = new Map();
D.findings.forEach(function (f, k) { if (!groups.has(f.code)) groups.set(f.code, []); groups.get(f.code).push(k); });
(function list() {
  var c = $('finding-count'); c.textContent = String(D.findings.length); c.setAttribute('data-count', String(D.findings.length));
  var box = $('findings');
  if (D.findings.length === 0) box.appendChild(el('div', 'note', 'No findings: the trace follows the kernel rules of Linux ' + M.kernel + '.'));
  Array.from(groups.keys()).sort().forEach(function (code) {
    var ks = groups.get(code), f0 = D.findings[ks[0]];
    var g = el('div', 'group'); g.setAttribute('data-code', code);
    var head = el('div', 'ghead'); head.appendChild(el('span', 'sev ' + f0.severity, f0.severity)); head.appendChild(document.createTextNode(code + ' (' + ks.length + ') · ' + f0.ref));
    head.title = f0.title;
    var body = el('div');
    head.onclick = function () { body.style.display = body.style.display === 'none' ? '' : 'none'; };
    g.appendChild(head); g.appendChild(body);
    var shown = 0;
    function more(limit) {
      ks.slice(shown, limit).forEach(function (k) { body.appendChild(findingRow(k)); });
      shown = Math.min(limit, ks.length);
      if (shown < ks.length) { var b = el('div', 'note', 'show ' + (ks.length - shown) + ' more…'); b.style.cursor = 'pointer'; b.onclick = function () { b.remove(); more(ks.length); }; body.appendChild(b); }
    }
    more(200);
    box.appendChild(g);
  });
})();
function objectsText(o) { return Object.keys(o).map(function (k) { return k + '=' + o[k]; }).join(' '); }
function findingRow(k) {
  var f = D.findings[k], r = el('div', 'finding'); r.setAttribute('data-finding', String(k));
  var l1 = el('div'); l1.appendChild(el('span', 'sev ' + f.severity, f.severity)); l1.appendChild(el('span', 'code', f.code));
  l1.appendChild(document.createTextNode(' · ' + (f.seq === null ? 'end of trace' : 'seq ' + f.seq) + (f.line ? ' · line ' + f.line : '') + (f.atEnd ? ' · at end of trace' : '')));
  r.appendChild(l1);
  r.appendChild(el('div', 'mono', objectsText(f.objects)));
  r.appendChild(el('div', null, f.message + (f.maybeLostEvents ? ' (after lost events: may be an artefact)' : '')));
  r.appendChild(el('div', 'fix', f.ref + ' · kernel: ' + f.reaction + ' · fix: ' + f.fix));
  r.onclick = function () { selectFinding(k); };
  return r;
}
function selectFinding(k) {
  selected = k;
  document.querySelectorAll('.finding.selected').forEach(function (e) { e.classList.remove('selected'); });
  var row = document.querySelector('.finding[data-finding="' + k + '"]'); if (row) row.classList.add('selected');
  var f = D.findings[k], box = $('chain'); box.textContent = '';
  $('chain-title').textContent = 'Chain of ' + f.code + (f.seq === null ? '' : ' at seq ' + f.seq);
  box.appendChild(el('div', 'note', f.message));
  box.appendChild(el('div', 'note', 'records that touched ' + (f.chain.tokens.join(', ') || 'nothing named') + ':'));
  if (f.chain.omitted > 0) box.appendChild(el('div', 'note', '… ' + f.chain.omitted + ' earlier record(s) of the chain not listed'));
  chainSet = new Set();
  f.chain.items.forEach(function (it) {
    var p = it[0]; chainSet.add(p);
    var d = el('div', 'item' + (p === f.pos ? ' here' : '')); d.setAttribute('data-chain-seq', String(p < N ? R.seq[p] : ''));
    d.appendChild(el('div', 'mono', p < N ? S[R.text[p]] : 'record ' + (p + 1) + ' (past the covered part)'));
    it[2].forEach(function (t) { d.appendChild(el('div', 'sub mono', 'fact ' + S[t])); });
    it[1].forEach(function (t) { d.appendChild(el('div', 'sub', S[t])); });
    if (p < N) d.onclick = function () { seek(p); centerOn(p); };
    box.appendChild(d);
  });
  if (f.chain.items.length === 0) box.appendChild(el('div', 'note', 'no record touched the objects it names'));
  zoomTo(f.chain.items.map(function (it) { return it[0]; }).concat(f.pos >= 0 ? [f.pos] : []));
  if (f.pos >= 0) { seek(f.pos); centerOn(f.pos); } else draw();
}
/** Zooms the timeline to the records given (a finding's chain), with a margin. */
function zoomTo(ps) {
  ps = ps.filter(function (p) { return p >= 0 && p < N; }); if (ps.length === 0) return;
  var a = Infinity, b = -Infinity; ps.forEach(function (p) { a = Math.min(a, R.start[p]); b = Math.max(b, R.end[p]); });
  var m = Math.max((b - a) * 0.15, 12 * M.sliceUs); view.t0 = Math.max(T0, a - m); view.t1 = Math.min(T1, b + m);
}

// ---------- timeline (canvas, virtual lanes)
var LH = 18, LABEL = 190, AXIS = 20;
var lanes = [];
var taskRecs = new Map();
for (var t = 0; t < N; t++) { if (!taskRecs.has(R.tid[t])) taskRecs.set(R.tid[t], []); taskRecs.get(R.tid[t]).push(t); }
D.tasks.forEach(function (tk) { lanes.push({ kind: 'task', tid: tk.tid, label: (tk.comm ? tk.comm + ' ' : '') + 'tid ' + tk.tid, recs: taskRecs.get(tk.tid) || [], marks: [] }); });
var laneOfObj = new Map();
D.lanes.forEach(function (o) { var L = { kind: 'obj', obj: o, label: S[D.objects.label[o]], iv: [], marks: [] }; laneOfObj.set(o, L); lanes.push(L); });
(function intervals() {
  var open = new Map();
  D.initial.forEach(function (p) { if (laneOfObj.has(p[0])) { var iv = [-1, N, p[1]]; laneOfObj.get(p[0]).iv.push(iv); open.set(p[0], iv); } });
  for (var t = 0; t < N; t++) for (var k = D.delta.off[t]; k < D.delta.off[t + 1]; k++) {
    var o = D.delta.obj[k]; if (!laneOfObj.has(o)) continue;
    var prev = open.get(o); if (prev) prev[1] = t;
    if (D.delta.sum[k] >= 0) { var iv = [t, N, D.delta.sum[k]]; laneOfObj.get(o).iv.push(iv); open.set(o, iv); } else open.delete(o);
  }
})();
var laneOfTid = new Map(); lanes.forEach(function (L, n) { if (L.kind === 'task') laneOfTid.set(L.tid, L); });
var T0 = N > 0 ? R.start[0] : 0, T1 = T0 + 1;
for (var t2 = 0; t2 < N; t2++) if (R.end[t2] > T1) T1 = R.end[t2];
var pad = (T1 - T0) * 0.02 || 1; T0 -= pad; T1 += pad;
D.findings.forEach(function (f, k) {
  var ts = f.pos >= 0 && !f.atEnd ? R.start[f.pos] : T1 - pad / 2;
  if (f.tid !== null && laneOfTid.has(f.tid)) laneOfTid.get(f.tid).marks.push([ts, k]);
  f.objs.forEach(function (o) { if (laneOfObj.has(o)) laneOfObj.get(o).marks.push([ts, k]); });
});
var view = { t0: T0, t1: T1 }, cur = -1;
var wrap = $('tl-wrap'), cv = $('tl'), ctx = cv.getContext('2d');
$('tl-spacer').style.height = (AXIS + lanes.length * LH + 4) + 'px';
// The canvas width is read once per paint (a layout read per slice made a zoomed-out paint 10× slower).
var canvasW = 1;
function plotW() { return canvasW - LABEL; }
function xOf(ts) { return LABEL + (ts - view.t0) / (view.t1 - view.t0) * (canvasW - LABEL); }
function tOf(x) { return view.t0 + (x - LABEL) / plotW() * (view.t1 - view.t0); }
function hue(s) { var h = 0; for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 360; return h; }
var colors = new Map();
function colorOf(id) { var c = colors.get(id); if (!c) { c = 'hsl(' + hue(S[id]) + ',55%,62%)'; colors.set(id, c); } return c; }
var SEV = { bug: '#d92d20', misuse: '#dc6803', info: '#1570ef' };
function lowerBound(recs, ts) { var lo = 0, hi = recs.length; while (lo < hi) { var mid = (lo + hi) >> 1; if (R.start[recs[mid]] < ts) lo = mid + 1; else hi = mid; } return lo; }
var pending = false;
function draw() { if (!pending) { pending = true; requestAnimationFrame(paint); } }
function paint() {
  pending = false;
  var dpr = window.devicePixelRatio || 1, w = wrap.clientWidth, h = wrap.clientHeight;
  canvasW = w;
  if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) { cv.width = Math.round(w * dpr); cv.height = Math.round(h * dpr); cv.style.width = w + 'px'; cv.style.height = h + 'px'; }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif'; ctx.textBaseline = 'middle';
  var first = Math.max(0, Math.floor(wrap.scrollTop / LH)), last = Math.min(lanes.length, first + Math.ceil(h / LH) + 1);
  for (var n = first; n < last; n++) {
    var L = lanes[n], y = AXIS + (n - first) * LH - (wrap.scrollTop % LH);
    if (y + LH < AXIS) continue;
    ctx.fillStyle = n % 2 ? '#fafbfc' : '#fff'; ctx.fillRect(0, y, w, LH);
    if (L.kind === 'task') paintTask(L, y); else paintObj(L, y);
    L.marks.forEach(function (m) { var x = xOf(m[0]); if (x < LABEL || x > w) return; var f = D.findings[m[1]]; ctx.fillStyle = SEV[f.severity] || '#d92d20';
      ctx.beginPath(); ctx.moveTo(x, y + 1); ctx.lineTo(x + 5, y + 9); ctx.lineTo(x, y + LH - 1); ctx.lineTo(x - 5, y + 9); ctx.closePath(); ctx.fill();
      if (m[1] === selected) { ctx.strokeStyle = '#101828'; ctx.lineWidth = 2; ctx.stroke(); ctx.lineWidth = 1; } });
    ctx.fillStyle = '#fff'; ctx.fillRect(0, y, LABEL - 2, LH);
    ctx.fillStyle = L.kind === 'task' ? '#1d2330' : '#475467'; ctx.fillText(clip(L.label, LABEL - 8), 4, y + LH / 2);
  }
  // axis and the scrubber's cursor
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, AXIS); ctx.strokeStyle = '#e4e7ec'; ctx.beginPath(); ctx.moveTo(0, AXIS - 0.5); ctx.lineTo(w, AXIS - 0.5); ctx.stroke();
  var span = view.t1 - view.t0, step = Math.pow(10, Math.floor(Math.log10(span / 6))); if (span / step > 12) step *= 5; else if (span / step > 6) step *= 2;
  ctx.fillStyle = '#667085';
  // Ticks read as time since the first record, with as many decimals as the tick step needs.
  var base = N > 0 ? R.start[0] : 0;
  var labelEnd = -Infinity;
  for (var tk = Math.ceil((view.t0 - base) / step) * step; tk + base <= view.t1; tk += step) {
    var x = xOf(tk + base), label = fmtUs(tk, step); ctx.fillRect(x, AXIS - 5, 1, 5);
    if (x + 2 > labelEnd + 8) { ctx.fillText(label, x + 2, 8); labelEnd = x + 2 + ctx.measureText(label).width; }
  }
  if (cur >= 0) { var cx = xOf(R.start[cur]); ctx.fillStyle = '#101828'; ctx.fillRect(cx, 0, 1.5, h); }
}
function clip(s, px) { if (ctx.measureText(s).width <= px) return s; while (s.length > 1 && ctx.measureText(s + '…').width > px) s = s.slice(0, -1); return s + '…'; }
function fmtUs(v, step) {
  var big = Math.max(Math.abs(v), step), unit = big >= 1e5 ? [1e6, 's'] : big >= 100 ? [1e3, 'ms'] : [1, 'µs'];
  var digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step / unit[0]) + 1e-9)));
  return '+' + (v / unit[0]).toFixed(digits) + unit[1];
}
function paintTask(L, y) {
  var recs = L.recs, i = lowerBound(recs, view.t0);
  while (i > 0 && R.end[recs[i - 1]] >= view.t0) i--;
  var lastPx = [-1, -1, -1, -1, -1, -1];
  for (; i < recs.length; i++) {
    var t = recs[i]; if (R.start[t] > view.t1) break;
    var x0 = Math.max(LABEL, xOf(R.start[t])), x1 = xOf(R.end[t]), d = Math.min(R.depth[t], 5);
    if (x1 < LABEL) continue;
    var px = Math.floor(x0);
    if (x1 - x0 < 1 && px <= lastPx[d] && !chainSet.has(t) && t !== cur) continue;
    lastPx[d] = px;
    var top = y + 2 + d * 3, hh = Math.max(4, LH - 4 - d * 3);
    ctx.fillStyle = colorOf(R.fn[t]); ctx.fillRect(x0, top, Math.max(1, x1 - x0), hh);
    if (chainSet.has(t)) { ctx.strokeStyle = '#101828'; ctx.lineWidth = 2; ctx.strokeRect(x0, top, Math.max(2, x1 - x0), hh); ctx.lineWidth = 1; }
    if (x1 - x0 > 40) { ctx.fillStyle = '#101828'; ctx.fillText(clip(S[R.fn[t]], x1 - x0 - 4), x0 + 2, top + hh / 2); }
  }
}
function paintObj(L, y) {
  L.iv.forEach(function (iv) {
    var a = iv[0] < 0 ? T0 : R.start[iv[0]], b = iv[1] >= N ? T1 : R.start[iv[1]];
    if (b < view.t0 || a > view.t1) return;
    var x0 = Math.max(LABEL, xOf(a)), x1 = Math.min(canvasW, xOf(b));
    ctx.fillStyle = 'hsl(' + hue(S[iv[2]]) + ',35%,80%)'; ctx.fillRect(x0, y + 3, Math.max(1, x1 - x0 - 1), LH - 6);
    if (x1 - x0 > 40) { ctx.fillStyle = '#344054'; ctx.fillText(clip(S[iv[2]], x1 - x0 - 6), x0 + 3, y + LH / 2); }
  });
}
function hit(ev) {
  var r = cv.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
  if (y < AXIS) return null;
  var n = Math.floor((y - AXIS + wrap.scrollTop) / LH); if (n < 0 || n >= lanes.length) return null;
  var L = lanes[n], ts = tOf(x), tol = (view.t1 - view.t0) / plotW() * 5;
  if (x < LABEL) return { lane: L, label: true };
  for (var m = 0; m < L.marks.length; m++) if (Math.abs(L.marks[m][0] - ts) <= tol) return { lane: L, finding: L.marks[m][1] };
  if (L.kind === 'task') {
    var recs = L.recs, i = lowerBound(recs, ts + tol), best = -1;
    for (var j = Math.max(0, i - 64); j < i; j++) { var t = recs[j]; if (R.start[t] - tol <= ts && ts <= R.end[t] + tol && (best < 0 || R.depth[t] >= R.depth[best])) best = t; }
    return best >= 0 ? { lane: L, rec: best } : { lane: L };
  }
  for (var k = 0; k < L.iv.length; k++) { var iv = L.iv[k], a = iv[0] < 0 ? T0 : R.start[iv[0]], b = iv[1] >= N ? T1 : R.start[iv[1]]; if (a <= ts && ts <= b) return { lane: L, iv: iv }; }
  return { lane: L };
}
var tip = $('tip'), drag = null;
cv.addEventListener('mousemove', function (ev) {
  if (drag) { var dx = ev.clientX - drag.x, dt = dx / plotW() * (drag.t1 - drag.t0); view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt; drag.moved = drag.moved || Math.abs(dx) > 3; draw(); return; }
  var h = hit(ev), text = null;
  if (h && h.finding !== undefined) { var f = D.findings[h.finding]; text = f.code + ' (' + f.severity + ', ' + f.ref + ')\n' + f.message + '\nfix: ' + f.fix; }
  else if (h && h.rec !== undefined) text = S[R.text[h.rec]] + (inexact.has(h.rec) ? '\n≈ state shown with the nested records applied' : '');
  else if (h && h.iv) text = h.lane.label + ': ' + S[h.iv[2]] + '\nfrom ' + (h.iv[0] < 0 ? 'the start' : 'seq ' + R.seq[h.iv[0]]) + ' to ' + (h.iv[1] >= N ? 'the end' : 'seq ' + R.seq[h.iv[1]]);
  else if (h && h.label) text = h.lane.label + (h.lane.kind === 'obj' ? '\nclick: history of this object' : '');
  if (text) { tip.textContent = text; tip.style.display = 'block'; tip.style.left = Math.min(ev.clientX + 12, window.innerWidth - 540) + 'px'; tip.style.top = (ev.clientY + 14) + 'px'; } else tip.style.display = 'none';
});
cv.addEventListener('mouseleave', function () { tip.style.display = 'none'; drag = null; });
cv.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, t0: view.t0, t1: view.t1, moved: false }; });
window.addEventListener('mouseup', function (ev) {
  if (!drag) return; var moved = drag.moved; drag = null; if (moved || ev.target !== cv) return;
  var h = hit(ev); if (!h) return;
  if (h.finding !== undefined) selectFinding(h.finding);
  else if (h.rec !== undefined) seek(h.rec);
  else if (h.iv) { if (h.iv[0] >= 0) seek(h.iv[0]); if (h.lane.kind === 'obj') showHistory(h.lane.obj); }
  else if (h.label && h.lane.kind === 'obj') showHistory(h.lane.obj);
});
function zoom(f, at) { var c = at === undefined ? (view.t0 + view.t1) / 2 : at, min = 0.001; var w = Math.max(min, (view.t1 - view.t0) * f); view.t0 = c - (c - view.t0) * (w / (view.t1 - view.t0)); view.t1 = view.t0 + w; draw(); }
cv.addEventListener('wheel', function (ev) { if (!(ev.ctrlKey || ev.metaKey || ev.altKey)) return; ev.preventDefault(); zoom(ev.deltaY > 0 ? 1.25 : 0.8, tOf(ev.clientX - cv.getBoundingClientRect().left)); }, { passive: false });
wrap.addEventListener('scroll', draw);
window.addEventListener('resize', draw);
$('zoom-in').onclick = function () { zoom(0.5); };
$('zoom-out').onclick = function () { zoom(2); };
$('zoom-fit').onclick = function () { view.t0 = T0; view.t1 = T1; draw(); };
document.addEventListener('keydown', function (ev) {
  if (ev.target && (ev.target.tagName === 'INPUT')) return;
  var w = view.t1 - view.t0;
  if (ev.key === 'w') zoom(0.8); else if (ev.key === 's') zoom(1.25);
  else if (ev.key === 'a') { view.t0 -= w * 0.1; view.t1 -= w * 0.1; draw(); } else if (ev.key === 'd') { view.t0 += w * 0.1; view.t1 += w * 0.1; draw(); }
  else if (ev.key === 'ArrowRight') seek(cur + 1); else if (ev.key === 'ArrowLeft') seek(cur - 1);
});
function centerOn(p) { if (p < 0 || p >= N) return; var w = view.t1 - view.t0, ts = R.start[p]; if (ts < view.t0 || ts > view.t1) { view.t0 = ts - w / 2; view.t1 = ts + w / 2; } var L = laneOfTid.get(R.tid[p]); var n = lanes.indexOf(L); if (n >= 0) { var top = n * LH; if (top < wrap.scrollTop || top > wrap.scrollTop + wrap.clientHeight - AXIS - LH) wrap.scrollTop = Math.max(0, top - 3 * LH); } draw(); }

// ---------- scrubber: the state right after any record, what changed
var range = $('scrub-range'), seqIn = $('seq-input');
range.min = '-1'; range.max = String(N - 1); range.value = '-1';
range.addEventListener('input', function () { seek(Number(range.value)); });
$('prev').onclick = function () { seek(cur - 1); };
$('next').onclick = function () { seek(cur + 1); };
seqIn.addEventListener('change', function () { var s = Number(seqIn.value); if (s === 0) seek(-1); else if (seqPos.has(s)) { seek(seqPos.get(s)); centerOn(seqPos.get(s)); } else { seqIn.setCustomValidity('no record has seq ' + s); seqIn.reportValidity(); } });
seqIn.addEventListener('input', function () { seqIn.setCustomValidity(''); });
var stateRows = [], changedObjs = new Set();
function seek(p) {
  p = Math.max(-1, Math.min(N - 1, p)); cur = p; range.value = String(p); seqIn.value = String(p < 0 ? 0 : R.seq[p]);
  $('pos-text').textContent = p < 0 ? 'at the start, before record 1' : (inexact.has(p) ? '≈ ' : '') + S[R.text[p]];
  var box = $('changes'); box.textContent = ''; changedObjs = new Set();
  $('changes-title').textContent = p < 0 ? 'At the start' : 'What seq ' + R.seq[p] + ' changed';
  if (p >= 0) {
    box.appendChild(el('div', 'item mono', S[R.text[p]]));
    if (inexact.has(p)) box.appendChild(el('div', 'note inexact', '≈ shown with the nested records of its open call(s) applied; state --at ' + R.seq[p] + ' decides them without the records after it'));
    var n = 0;
    for (var k = D.delta.off[p]; k < D.delta.off[p + 1]; k++) { var d = el('div', 'item', S[D.delta.text[k]]); d.setAttribute('data-change', ''); (function (o) { d.onclick = function () { showHistory(o); }; })(D.delta.obj[k]); box.appendChild(d); changedObjs.add(D.delta.obj[k]); n++; }
    if (n === 0) box.appendChild(el('div', 'note', 'no object changed'));
    for (var q = D.facts.off[p]; q < D.facts.off[p + 1]; q++) box.appendChild(el('div', 'sub mono note', 'fact ' + S[D.facts.text[q]]));
    D.findings.forEach(function (f, i) { if (f.pos === p) { var e = el('div', 'item', 'finding ' + f.code + ': ' + f.message); e.style.color = SEV[f.severity]; e.onclick = function () { selectFinding(i); }; box.appendChild(e); } });
  }
  var m = stateAt(p);
  stateRows = Array.from(m.keys()).sort(function (a, b) { return kindRank(a) - kindRank(b) || (D.objects.key[a] < D.objects.key[b] ? -1 : D.objects.key[a] > D.objects.key[b] ? 1 : 0); }).map(function (o) { return [o, m.get(o)]; });
  $('state-title').textContent = 'State after ' + (p < 0 ? 'the start' : 'seq ' + R.seq[p]) + ' (' + stateRows.length + ' objects)';
  renderState();
  draw();
}
var stateBox = $('state'), VROW = 18;
function filtered() { var q = $('state-filter').value.toLowerCase(); if (!q) return stateRows; return stateRows.filter(function (r) { return objText(r[0], r[1]).toLowerCase().indexOf(q) >= 0; }); }
function renderState() {
  var rows = filtered(); stateBox.textContent = '';
  // Virtual scrolling past 1000 objects: only the rows in view are in the DOM.
  var big = rows.length > 1000, inner = el('div'); inner.style.position = 'relative'; inner.style.height = (big ? rows.length * VROW : 0) + 'px';
  stateBox.appendChild(inner);
  function fill() {
    var from = big ? Math.max(0, Math.floor(stateBox.scrollTop / VROW) - 10) : 0, to = big ? Math.min(rows.length, from + Math.ceil(stateBox.clientHeight / VROW) + 20) : rows.length;
    inner.textContent = '';
    for (var i = from; i < to; i++) {
      var o = rows[i][0], d = el('div', 'row' + (changedObjs.has(o) ? ' changed' : ''), objText(o, rows[i][1]));
      d.setAttribute('data-key', D.objects.key[o]);
      if (big) { d.style.position = 'absolute'; d.style.top = (i * VROW) + 'px'; d.style.left = '0'; d.style.right = '0'; }
      (function (o) { d.onclick = function () { showHistory(o); }; })(o);
      inner.appendChild(d);
    }
  }
  stateBox.onscroll = big ? fill : null;
  fill();
}
$('state-filter').addEventListener('input', renderState);

// ---------- per-object history
var deltaPos = null, byObj = null;
function showHistory(o) {
  if (byObj === null) { byObj = new Map(); for (var t = 0; t < N; t++) for (var k = D.delta.off[t]; k < D.delta.off[t + 1]; k++) { var ob = D.delta.obj[k]; if (!byObj.has(ob)) byObj.set(ob, []); byObj.get(ob).push([t, k]); } }
  var box = $('history'); box.textContent = '';
  $('history-title').textContent = 'History of ' + S[D.objects.label[o]];
  var init = D.initial.filter(function (p) { return p[0] === o; })[0];
  if (init) box.appendChild(el('div', 'note', 'at the start: ' + S[init[1]]));
  var list = byObj.get(o) || [];
  list.forEach(function (e) { var d = el('div', 'item' + (e[0] === cur ? ' here' : '')); d.setAttribute('data-history-seq', String(R.seq[e[0]])); d.appendChild(el('div', 'mono', S[R.text[e[0]]])); d.appendChild(el('div', 'sub', S[D.delta.text[e[1]]])); d.onclick = function () { seek(e[0]); centerOn(e[0]); }; box.appendChild(d); });
  if (list.length === 0) box.appendChild(el('div', 'note', 'no record changed it'));
}

window.pasidReport = { seek: seek, selectFinding: selectFinding, showHistory: showHistory, stateAt: stateAt, data: D, seqPos: seqPos };
seek(-1);
document.body.setAttribute('data-ready', 'true');
})();
`;
