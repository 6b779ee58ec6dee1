import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyse } from '../../src/report/analysis.js';
import { perfettoEvents, perfettoJson, TASKS_PID, type TraceEvent } from '../../src/report/perfetto.js';
import { cli } from '../support/cli.js';
import { traceEventProblems } from '../support/traceEvents.js';
import { readTrace, RACES, SAMPLES } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-perfetto-'));

function exportOf(path: string) {
  const t = readTrace(path);
  const a = analyse({ file: path, ...t });
  const r = perfettoEvents(a);
  const doc = JSON.parse([...perfettoJson(r, {})].join('')) as { traceEvents: TraceEvent[] };
  return { t, a, r, doc };
}

const generated: string[] = [];
const emitted: string[] = [];
beforeAll(async () => {
  for (const [kernel, seed] of [['6.8.0', 1], ['6.2.0', 7], ['5.10.0', 3]] as const) {
    const out = join(dir, `generated-${kernel}-${seed}.jsonl`);
    const g = await cli(['generate', '--records', '3000', '--kernel', kernel, '--seed', String(seed), '-o', out]);
    expect(g.code, g.stderr).toBe(0);
    generated.push(out);
  }
  for (const race of RACES) {
    const e = await cli(['explore', race, '--emit', join(dir, 'emitted')]);
    expect(e.code, e.stderr).toBeLessThan(2);
  }
  emitted.push(...readdirSync(join(dir, 'emitted')).map((n) => join(dir, 'emitted', n)));
});

describe('the Perfetto export follows the Trace Event format', () => {
  for (const path of [...SAMPLES, ...RACES]) {
    it(`on ${path}: fields, phases, balanced B/E, monotonic ts, paired flows`, () => {
      expect(traceEventProblems(exportOf(path).doc)).toEqual([]);
    });
  }

  it('on generated traces of three eras', () => {
    expect(generated.length).toBe(3);
    for (const path of generated) expect(traceEventProblems(exportOf(path).doc), path).toEqual([]);
  });

  it('on the schedules explore --emit writes, one per violation', () => {
    expect(emitted.length).toBeGreaterThan(0);
    for (const path of emitted) {
      const { doc, a } = exportOf(path);
      expect(traceEventProblems(doc), path).toEqual([]);
      expect(doc.traceEvents.filter((e) => e.cat === 'finding' && e.pid === TASKS_PID).length, path).toBe(a.findings.filter((f) => f.seq !== null).length);
    }
  });
});

describe('what the Perfetto export shows', () => {
  const { t, a, doc } = exportOf('samples/buggy-v6.2.jsonl');
  const calls = doc.traceEvents.filter((e) => e.ph === 'B' && e.cat === 'call');

  it('every call is a slice on its task track, with seq, args and return', () => {
    expect(calls.map((e) => (e.args as { seq: number }).seq)).toEqual(t.entries.map((e) => e.record.seq));
    for (const [n, e] of calls.entries()) {
      const r = t.entries[n].record;
      expect(e).toMatchObject({ name: r.fn, pid: TASKS_PID, tid: r.tid, args: { args: r.args, ret: r.ret } });
    }
  });

  it('a nested call begins while its parent is open on the same track and ends before it', () => {
    const open = new Map<number, number[]>();
    let nested = 0;
    for (const e of doc.traceEvents.filter((x) => x.pid === TASKS_PID && (x.ph === 'B' || x.ph === 'E'))) {
      const st = open.get(e.tid) ?? [];
      open.set(e.tid, st);
      if (e.ph === 'E') st.pop();
      else {
        const args = e.args as { seq: number; parent?: number };
        if (args.parent !== undefined) {
          expect(st, `seq ${args.seq}`).toContain(args.parent);
          nested++;
        }
        st.push(args.seq);
      }
    }
    expect(nested).toBe(t.entries.filter((e) => e.record.parent !== undefined).length);
    expect(nested).toBeGreaterThan(0);
  });

  it('timestamps are the trace ts in µs', () => {
    expect(calls.map((e) => e.ts)).toEqual(t.entries.map((e) => e.record.ts / 1000));
  });

  it('every finding is an instant with code, severity, reaction, reference and fix on its task track and its object tracks', () => {
    const instants = doc.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'finding');
    for (const f of a.findings) {
      const mine = instants.filter((e) => e.name === f.code && (e.args as { seq: number }).seq === f.seq);
      expect(mine.some((e) => e.pid === TASKS_PID), f.code).toBe(true);
      expect(mine.some((e) => e.pid !== TASKS_PID), f.code).toBe(true);
      expect(mine[0].args).toMatchObject({ code: f.code, severity: f.severity, reaction: f.reaction, reference: f.ref, fix: f.fix });
    }
  });

  it('the wrong-domain detach is on the track of slot 0000:6a:01.0/3, whose states are dom3 from seq 17 to seq 20', () => {
    const names = new Map(doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}/${e.tid}`, (e.args as { name: string }).name]));
    const slot = [...names].find(([, n]) => n === 'PASID slot 0000:6a:01.0/3')?.[0];
    expect(slot).toBeDefined();
    const on = (e: TraceEvent) => `${e.pid}/${e.tid}` === slot;
    expect(doc.traceEvents.filter((e) => on(e) && e.ph === 'B').map((e) => [e.name, (e.args as { entered_at_seq: number }).entered_at_seq, (e.args as { left_at_seq: number }).left_at_seq]))
      .toEqual([['dom3', 17, 20]]);
    expect(doc.traceEvents.filter((e) => on(e) && e.ph === 'i').map((e) => e.name)).toContain('DETACH_WRONG_DOMAIN');
  });

  it('the flow of a finding runs through the records of its chain, as history --finding lists them', async () => {
    const h = await cli(['history', 'samples/buggy-v6.2.jsonl', '--finding', 'DETACH_WRONG_DOMAIN', '--json']);
    const seqs = (JSON.parse(h.stdout) as { records: { seq: number }[] }).records.map((r) => r.seq);
    const k = a.findings.findIndex((f) => f.code === 'DETACH_WRONG_DOMAIN');
    const flow = doc.traceEvents.filter((e) => e.cat === 'chain' && e.id === k + 1);
    const bySeqTs = new Map(calls.map((e) => [`${e.tid}@${e.ts}`, (e.args as { seq: number }).seq]));
    expect(flow.map((e) => bySeqTs.get(`${e.tid}@${e.ts}`))).toEqual(seqs);
  });
});

describe('the Trace Event checker catches what the export must never do', () => {
  const base = () => ({ traceEvents: [
    { name: 'a', ph: 'B', pid: 1, tid: 1, ts: 1 },
    { name: 'a', ph: 'E', pid: 1, tid: 1, ts: 2 },
  ] as Record<string, unknown>[] });
  it('accepts a balanced slice', () => expect(traceEventProblems(base())).toEqual([]));
  it('flags a B without E', () => expect(traceEventProblems({ traceEvents: [base().traceEvents[0]] })).toHaveLength(1));
  it('flags time going back', () => {
    const d = base();
    d.traceEvents[1].ts = 0.5;
    expect(traceEventProblems(d).join()).toMatch(/goes back/);
  });
  it('flags an unknown phase', () => {
    const d = base();
    d.traceEvents.push({ name: 'x', ph: 'Q', pid: 1, tid: 1, ts: 3 });
    expect(traceEventProblems(d).join()).toMatch(/not a Trace Event phase/);
  });
  it('flags a flow that starts and never finishes, and one outside any slice', () => {
    const d = base();
    d.traceEvents.push({ name: 'c', cat: 'chain', ph: 's', id: 1, pid: 1, tid: 1, ts: 2 }, { name: 'c', cat: 'chain', ph: 's', id: 2, pid: 1, tid: 1, ts: 9 }, { name: 'c', cat: 'chain', ph: 'f', id: 2, pid: 1, tid: 1, ts: 9 });
    const p = traceEventProblems(d).join('\n');
    expect(p).toMatch(/flow 1: phases s/);
    expect(p).toMatch(/flow 2: s at 9 .* inside no slice/);
  });
});

describe('export on the command line', () => {
  it('writes OUT.json that parses and says how to open it', async () => {
    const out = join(dir, 'buggy.json');
    const r = await cli(['export', 'samples/buggy-v6.2.jsonl', '--format', 'perfetto', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ui\.perfetto\.dev/);
    expect(traceEventProblems(JSON.parse(readFileSync(out, 'utf8')))).toEqual([]);
  });
});
