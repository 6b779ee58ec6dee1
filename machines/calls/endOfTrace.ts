/**
 * The end-of-trace checks: every object that can be left behind is read against its table (IDs,
 * orphans, bonds, attachments, global PASIDs) to say whether that is a leak. Pure: reads only.
 */
import { newDecision, type RawFinding, type World } from '../kit/world.js';
import { decideBy, firstCheck, type Check } from '../kit/checks.js';
import type { Snap } from '../kit/lifecycle.js';
import { SVA_SET } from './reads.js';
import { ioasidKind, type IoasidContext } from '../ioasid/ioasid.machine.js';
import { pasidSlotKind, type PasidSlotContext } from '../device/pasidSlot.machine.js';
import { domainKind } from '../device/domain.machine.js';
import { svaBondKind, type SvaBondContext } from '../sva/svaBond.machine.js';
import { mmKind } from '../sva/mm.machine.js';
import { globalPasidKind, type GlobalPasidContext } from '../global/globalPasid.machine.js';

const ATTACH_LEAKED: Check<PasidSlotContext> = {
  finding: 'ATTACH_LEAKED',
  detail: (c) => `${c.dev} pasid ${c.pasid}: ${c.domain} is still attached`,
  rule: 'attached and never detached by the end of the trace (A36)',
};

const GLOBAL_PASID_LEAKED: Check<GlobalPasidContext> = {
  finding: 'GLOBAL_PASID_LEAKED',
  detail: (c) => `PASID ${c.pasid}${c.dev ? ` of ${c.dev}` : ''} is still allocated`,
  rule: 'allocated and never freed by the end of the trace (A6, §5)',
};

const SVA_BOND_LEAKED: Check<SvaBondContext> = {
  finding: 'SVA_BOND_LEAKED',
  detail: (c) => `${c.dev} is still bound to ${c.mm} (pasid ${c.pasid}, ${c.users} bind(s), handle ${c.handles.join(', ')})`,
  rule: 'bound and never unbound by the end of the trace (A26)',
};

/** An IOASID at the end of the trace (unallocated ones are not stored). */
const IOASID_END: readonly Check<{ s: Snap<IoasidContext>; ownedByMm: boolean }>[] = [
  {
    when: (r) => r.s.value === 'orphaned',
    finding: 'IOASID_ORPHANED',
    detail: (r) => `IOASID ${r.s.context.ioasid} of retired ${r.s.context.space} is orphaned`,
    rule: 'orphaned by ioasid_unregister_allocator and never reachable again (§1.4 rule 3)',
  },
  { when: (r) => r.ownedByMm, rule: 'an SVA PASID stays with its mm until exit (§3.3, A28)' },
  {
    finding: 'IOASID_LEAKED',
    detail: (r) => `IOASID ${r.s.context.ioasid} (set ${r.s.context.set ?? 'NULL'}, ${r.s.context.space}) is still allocated`,
    rule: 'allocated and never freed by the end of the trace (A6)',
  },
];

export interface EndFinding {
  /** The world key of the object left behind (`kind:id`). */
  readonly key: string;
  readonly finding: RawFinding;
}

/** Runs the END checks: they only read the world. */
export function endOfTrace(w: World): EndFinding[] {
  const out: EndFinding[] = [];
  const run = (key: string, step: (d: ReturnType<typeof newDecision>) => void) => {
    const d = newDecision();
    step(d);
    for (const finding of d.findings) out.push({ key, finding });
  };
  // Why: an mm whose mm_pasid_drop came under live bonds (v5.18-rc6+) keeps its PASID with them; the bonds are the leak (#21 A6).
  const liveMm = (mm: string | null) => {
    if (mm === null || !w.has(mmKind.id, mm)) return false;
    const s = w.get(mmKind, mm, { mm });
    return s.value !== 'exited' || s.context.dropPending === true;
  };
  for (const [id, snap] of [...w.entriesOf<IoasidContext>(ioasidKind.id)]) {
    const r = { s: snap, ownedByMm: snap.context.set === SVA_SET && liveMm(snap.context.private) };
    run(`${ioasidKind.id}:${id}`, (d) => decideBy(d, firstCheck(IOASID_END, r), r, {}));
  }
  for (const [id, snap] of [...w.entriesOf<PasidSlotContext>(pasidSlotKind.id)]) {
    const c = snap.context;
    // An SVA attachment goes with its bond (reported as SVA_BOND_LEAKED).
    const sva = c.domain !== null && w.get(domainKind, c.domain, { domain: c.domain }).context.type === 'sva';
    if (!sva) run(`${pasidSlotKind.id}:${id}`, (d) => decideBy(d, ATTACH_LEAKED, c, {}));
  }
  // Unbound pairs are not stored: every bond left is bound.
  for (const [id, snap] of [...w.entriesOf<SvaBondContext>(svaBondKind.id)]) run(`${svaBondKind.id}:${id}`, (d) => decideBy(d, SVA_BOND_LEAKED, snap.context, {}));
  for (const [id, snap] of [...w.entriesOf<GlobalPasidContext>(globalPasidKind.id)]) {
    // An SVA PASID stays with its mm until exit (§3.5).
    if (!liveMm(snap.context.mm)) run(`${globalPasidKind.id}:${id}`, (d) => decideBy(d, GLOBAL_PASID_LEAKED, snap.context, {}));
  }
  return out;
}
