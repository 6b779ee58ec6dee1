/**
 * What changed between two state views, per kernel object: each view is flattened into objects
 * (kind, id, fields, the names they involve), then compared field by field. Pure.
 */
import type { StateView } from '../projections/view.js';

/** One object of a view, as time travel names it. */
export interface ViewObject {
  /** Stable key: kind and id. */
  readonly key: string;
  readonly kind: string;
  /** How the object is shown, e.g. "PASID slot 0000:6a:01.0/5". */
  readonly label: string;
  /** Field → shown value, in display order. */
  readonly fields: Readonly<Record<string, string>>;
  /** How the object's absence is shown, e.g. "freed" for an IOASID, "(none)" for a slot. */
  readonly absent: string;
  /** One line for the object as a whole (created, removed, watched). */
  readonly summary: string;
  /** Names the object involves, as tokens (`dev:X`, `pasid:5`, `slot:X/5`, ...): what history selects on. */
  readonly refs: readonly string[];
}

export interface Change {
  readonly key: string;
  readonly kind: string;
  readonly label: string;
  readonly change: 'created' | 'removed' | 'changed';
  /** field → [before, after]; for created/removed the whole object's fields against the absent word. */
  readonly fields: Readonly<Record<string, readonly [string, string]>>;
  /** One line, e.g. "bond 0000:6a:01.0 x mm1: users 2 → 1". */
  readonly text: string;
  readonly refs: readonly string[];
}

const s = (v: string | number | boolean | null | undefined): string => (v === null || v === undefined ? '-' : String(v));
const slotRef = (dev: string, pasid: number | null) => (pasid === null ? [] : [`slot:${dev}/${pasid}`]);

function obj(kind: string, id: string, label: string, fields: Record<string, string>, absent: string, refs: string[], summary?: string): ViewObject {
  return { key: `${kind}:${id}`, kind, label, fields, absent, refs, summary: summary ?? Object.values(fields).join(', ') };
}

/** Every object of a view, in view order. */
export function flattenView(v: StateView): ViewObject[] {
  const out: ViewObject[] = [];
  out.push(obj('allocator', 'active', 'IOASID allocator', { active: v.allocator.active }, '(none)', []));
  for (const e of v.allocator.entries) {
    out.push(obj('allocatorEntry', e.space, `allocator entry ${e.space}`, { helpers: `${e.alloc}/${e.free}`, ops: e.members.join(',') || '(none)', head: s(e.head) }, '(none)', [`space:${e.space}`, ...e.members.map((m) => `ops:${m}`)]));
  }
  for (const i of v.ioasids) {
    const state = i.orphaned ? 'orphaned' : 'allocated';
    out.push(obj('ioasid', `${i.space}/${i.ioasid}`, `IOASID ${i.space}/${i.ioasid}`, { state, refs: String(i.refs), private: s(i.private), set: s(i.set) }, 'freed', [`ioasid:${i.ioasid}`, `space:${i.space}`],
      `${state}${i.refs !== 1 ? `, refs ${i.refs}` : ''}${i.private !== null ? `, private ${i.private}` : ''}${i.set !== null ? `, set ${i.set}` : ''}`));
  }
  for (const r of v.registrations) out.push(obj('registration', r.ops, `allocator ${r.ops}`, { role: r.role, space: r.space }, 'unregistered', [`ops:${r.ops}`, `space:${r.space}`], `${r.role} (${r.space})`));
  out.push(obj('vtd', 'scalableMode', 'VT-d scalable mode', { state: v.vtd.scalableMode ? 'on' : 'off' }, '(none)', []));
  for (const u of v.vtd.rootTables) out.push(obj('rootTable', u.iommu, `root table ${u.iommu}`, { mode: u.smt ? 'scalable' : 'legacy' }, '(none)', [`iommu:${u.iommu}`]));
  for (const d of v.devices) {
    out.push(obj('device', d.dev, `device ${d.dev}`, { state: d.released ? 'released' : 'probed', group: d.group, max_pasids: s(d.max_pasids), reset: v.resetting.includes(d.group) ? 'resetting' : 'idle' }, '(unknown)', [`dev:${d.dev}`, `group:${d.group}`],
      `${d.released ? 'released' : 'probed'}, group ${d.group}, max_pasids ${s(d.max_pasids)}${v.resetting.includes(d.group) ? ', resetting' : ''}`));
  }
  for (const sl of v.slots) {
    out.push(obj('slot', `${sl.group}/${sl.pasid}`, `PASID slot ${sl.dev}/${sl.pasid}`, { domain: sl.domain }, '(none)', [`dev:${sl.dev}`, `pasid:${sl.pasid}`, `domain:${sl.domain}`, `group:${sl.group}`, ...slotRef(sl.dev, sl.pasid)]));
  }
  for (const d of v.domains) {
    out.push(obj('domain', d.domain, `domain ${d.domain}`, { type: d.type, mm: s(d.mm), users: String(d.users), attachments: String(d.attachments), freed: d.freed ? 'freed' : 'live' }, '(none)', [`domain:${d.domain}`, ...(d.mm ? [`mm:${d.mm}`] : [])],
      `${d.type}${d.mm ? ` (${d.mm})` : ''}, ${d.attachments} attachment(s)${d.type === 'sva' ? `, users ${d.users}` : ''}${d.freed ? ', freed' : ''}`));
  }
  for (const b of v.bonds) {
    out.push(obj('bond', `${b.dev}/${b.mm}`, `bond ${b.dev} x ${b.mm}`, { users: String(b.users), pasid: s(b.pasid), domain: s(b.domain) }, '(none)', [`dev:${b.dev}`, `mm:${b.mm}`, ...(b.pasid !== null ? [`pasid:${b.pasid}`] : []), ...(b.domain ? [`domain:${b.domain}`] : []), ...slotRef(b.dev, b.pasid)],
      `pasid ${s(b.pasid)}, domain ${s(b.domain)}, users ${b.users}`));
  }
  for (const h of v.handles) out.push(obj('handle', h.handle, `handle ${h.handle}`, { bond: `${h.dev} x ${h.mm}` }, 'released', [`handle:${h.handle}`, `dev:${h.dev}`, `mm:${h.mm}`]));
  for (const m of v.mms) out.push(obj('mm', m.mm, `mm ${m.mm}`, { pasid: s(m.pasid), state: m.exited ? 'exited' : 'live' }, '(none)', [`mm:${m.mm}`, ...(m.pasid !== null ? [`pasid:${m.pasid}`] : [])],
      `pasid ${s(m.pasid)}${m.exited ? ', exited' : ''}`));
  for (const g of v.globalPasids) out.push(obj('globalPasid', String(g.pasid), `global PASID ${g.pasid}`, { owner: s(g.dev ?? g.mm) }, 'free', [`pasid:${g.pasid}`, ...(g.dev ? [`dev:${g.dev}`] : []), ...(g.mm ? [`mm:${g.mm}`] : [])]));
  return out;
}

/** The one-line summary of an object. */
export function describe(o: ViewObject): string {
  return o.summary;
}

/** The changes from view a to view b, in b's object order (removed objects last). */
export function diffViews(a: StateView, b: StateView): Change[] {
  const before = new Map(flattenView(a).map((o) => [o.key, o]));
  const after = flattenView(b);
  const out: Change[] = [];
  const seen = new Set<string>();
  for (const o of after) {
    seen.add(o.key);
    const p = before.get(o.key);
    if (p === undefined) {
      const fields = Object.fromEntries(Object.entries(o.fields).map(([k, v]) => [k, [o.absent, v] as const]));
      out.push({ key: o.key, kind: o.kind, label: o.label, change: 'created', fields, text: `${o.label}: ${o.absent} → ${describe(o)}`, refs: o.refs });
      continue;
    }
    const fields: Record<string, readonly [string, string]> = {};
    for (const [k, v] of Object.entries(o.fields)) if (p.fields[k] !== v) fields[k] = [p.fields[k] ?? '-', v];
    const names = Object.keys(fields);
    if (names.length === 0) continue;
    const text = names.length === 1 && Object.keys(o.fields).length === 1
      ? `${o.label}: ${fields[names[0]][0]} → ${fields[names[0]][1]}`
      : `${o.label}: ${names.map((k) => (k === 'freed' || k === 'reset' ? fields[k][1] : `${k} ${fields[k][0]} → ${fields[k][1]}`)).join(', ')}`;
    out.push({ key: o.key, kind: o.kind, label: o.label, change: 'changed', fields, text, refs: [...new Set([...p.refs, ...o.refs])] });
  }
  for (const [key, p] of before) {
    if (seen.has(key)) continue;
    const fields = Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, [v, p.absent] as const]));
    out.push({ key, kind: p.kind, label: p.label, change: 'removed', fields, text: `${p.label}: ${describe(p)} → ${p.absent}`, refs: p.refs });
  }
  return out;
}
