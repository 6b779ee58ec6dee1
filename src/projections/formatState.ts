/** The human-readable text of a state view: one section per object kind, empty ones omitted. Pure. */
import type { StateView } from './view.js';
import { FACT_DRIVEN } from '../../machines/objects.js';

export function formatState(v: StateView): string {
  const out: string[] = [`Linux ${v.kernel} (era ${v.era})`];
  const section = (title: string, rows: string[]) => {
    if (rows.length === 0) return;
    out.push('', `${title}:`);
    // Why a loop: a state of 10^5 domains is one row each, too many to spread into one push.
    for (const r of rows) out.push(`  ${r}`);
  };
  const outstanding = Object.entries(v.allocator.outstanding).map(([space, ids]) => `${space}: ${ids.length} outstanding [${ids.slice(0, 16).join(', ')}${ids.length > 16 ? ', …' : ''}]`);
  section('IOASID allocators', [
    ...(v.allocator.entries.length > 0 || v.allocator.active !== 'default' ? [`active: ${v.allocator.active}`] : []),
    ...v.allocator.entries.map((e) => `entry ${e.space}: helpers ${e.alloc}/${e.free}, ops ${e.members.join(', ') || '(none)'}${e.head !== null && !e.members.includes(e.head) ? ` (head ${e.head} unregistered: dangling pdata)` : ''}`),
    ...outstanding,
    ...v.ioasids.filter((i) => i.orphaned).map((i) => `orphaned: ${i.space}/${i.ioasid}`),
  ]);
  section('allocator registrations', v.registrations.map((r) => `${r.ops}: ${r.role} (${r.space})`));
  section('VT-d', [
    ...(v.vtd.rootTables.length > 0 || !v.vtd.scalableMode ? [`scalable mode: ${v.vtd.scalableMode ? 'on' : 'off'}`] : []),
    ...v.vtd.rootTables.map((u) => `${u.iommu}: root table ${u.smt ? 'scalable (SMT)' : 'legacy'}`),
  ]);
  section('devices', v.devices.map((d) => `${d.dev}: group ${d.group}, max_pasids ${d.max_pasids ?? '?'}${d.released ? ', released' : ''}${v.resetting.includes(d.group) ? ', resetting' : ''}`));
  section('PASID slots', v.slots.map((s) => `${s.dev} pasid ${s.pasid} -> ${s.domain}`));
  section('domains', v.domains.map((d) => `${d.domain}: ${d.type}${d.mm ? ` (${d.mm})` : ''}, ${d.attachments} attachment(s)${d.type === 'sva' ? `, users ${d.users}` : ''}${d.freed ? ', freed' : ''}`));
  section('SVA bonds', v.bonds.map((b) => `${b.dev} x ${b.mm}: pasid ${b.pasid ?? '?'}, domain ${b.domain ?? '-'}, ${b.users} bind(s)`));
  section('SVA handles', v.handles.map((h) => `${h.handle}: ${h.dev} x ${h.mm}`));
  section('mms', v.mms.map((m) => `${m.mm}: pasid ${m.pasid ?? '-'}${m.exited ? ', exited' : ''}`));
  section('global PASIDs', v.globalPasids.map((g) => `${g.pasid}: ${g.dev ?? g.mm ?? '?'}`));
  const left = Object.entries(v.notShown ?? {}).filter(([, n]) => n > 0);
  if (left.length > 0) out.push('', `not shown: ${left.map(([kindId, n]) => deadObjects(kindId, n)).join(', ')} (--dead lists them)`);
  return out.join('\n');
}

/** Per kind with dead states, the first of them (a domain's `freed`, an mm's `exited`): how its dead objects are named. */
const DEAD_STATE: ReadonlyMap<string, string> = new Map(FACT_DRIVEN.flatMap((k) => (k.factSpec.dead === undefined ? [] : [[k.id, k.factSpec.dead.states[0]] as const])));

/** How a count of a kind's dead objects reads: "1 freed domain", "13,474 exited mms". */
function deadObjects(kindId: string, n: number): string {
  return `${grouped(n)} ${DEAD_STATE.get(kindId) ?? 'dead'} ${kindId}${n === 1 ? '' : 's'}`;
}

/** A count with a comma every three digits (44,123), whatever the locale. */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
