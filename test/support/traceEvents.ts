/**
 * A checker of the Chrome Trace Event format as the Perfetto export uses it (the JSON Object form):
 * required fields per phase, known ph values, balanced B/E per thread, timestamps that never go
 * back, and flows whose ids pair (one start, one finish, steps between) and bind to a slice.
 */
export interface CheckedEvent {
  name?: unknown;
  ph?: unknown;
  pid?: unknown;
  tid?: unknown;
  ts?: unknown;
  s?: unknown;
  id?: unknown;
  cat?: unknown;
  args?: unknown;
}

const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 's', 't', 'f', 'M', 'C']);

/** Every way the document breaks the format (empty: it conforms). */
export function traceEventProblems(doc: unknown): string[] {
  const out: string[] = [];
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { traceEvents?: unknown }).traceEvents)) return ['not an object with a traceEvents array'];
  const events = (doc as { traceEvents: CheckedEvent[] }).traceEvents;
  const open = new Map<string, { name: string; ts: number }[]>();
  const slices = new Map<string, [number, number][]>();
  const flows = new Map<number, { ph: string; ts: number; thread: string }[]>();
  let lastTs = -Infinity;
  events.forEach((e, n) => {
    const where = `event ${n} (${JSON.stringify(e).slice(0, 80)})`;
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph)) return void out.push(`${where}: ph ${String(e.ph)} is not a Trace Event phase`);
    if (typeof e.name !== 'string' && e.ph !== 'E') out.push(`${where}: no name`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) out.push(`${where}: pid and tid must be integers`);
    const thread = `${String(e.pid)}/${String(e.tid)}`;
    if (e.ph === 'M') {
      if (typeof e.args !== 'object' || e.args === null) out.push(`${where}: metadata without args`);
      return;
    }
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) return void out.push(`${where}: ts must be a non-negative number (µs)`);
    if (e.ts < lastTs) out.push(`${where}: ts ${e.ts} goes back from ${lastTs}`);
    lastTs = Math.max(lastTs, e.ts);
    if (e.ph === 'B') {
      const st = open.get(thread) ?? [];
      st.push({ name: String(e.name), ts: e.ts });
      open.set(thread, st);
    } else if (e.ph === 'E') {
      const b = open.get(thread)?.pop();
      if (b === undefined) out.push(`${where}: E without an open B on ${thread}`);
      else {
        if (typeof e.name === 'string' && e.name !== b.name) out.push(`${where}: E named ${e.name} closes B named ${b.name}`);
        const list = slices.get(thread) ?? [];
        list.push([b.ts, e.ts]);
        slices.set(thread, list);
      }
    } else if (e.ph === 'i' || e.ph === 'I') {
      if (e.s !== undefined && e.s !== 't' && e.s !== 'p' && e.s !== 'g') out.push(`${where}: instant scope ${String(e.s)}`);
    } else if (e.ph === 's' || e.ph === 't' || e.ph === 'f') {
      if (!Number.isInteger(e.id)) out.push(`${where}: flow without an integer id`);
      if (typeof e.cat !== 'string') out.push(`${where}: flow without cat`);
      const list = flows.get(e.id as number) ?? [];
      list.push({ ph: e.ph, ts: e.ts, thread });
      flows.set(e.id as number, list);
    }
  });
  for (const [thread, st] of open) if (st.length > 0) out.push(`${thread}: ${st.length} B without E (first ${st[0].name})`);
  for (const [id, list] of flows) {
    const phs = list.map((f) => f.ph).join('');
    if (!/^st*f$/.test(phs)) out.push(`flow ${id}: phases ${phs} (want one s, steps t, one f)`);
    for (const f of list) {
      const bound = (slices.get(f.thread) ?? []).some(([b, e]) => b <= f.ts && f.ts <= e);
      if (!bound) out.push(`flow ${id}: ${f.ph} at ${f.ts} on ${f.thread} is inside no slice`);
    }
  }
  return out;
}
