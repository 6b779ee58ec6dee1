/**
 * What a call reads and writes, declared in each call's definition (machines/calls/<fn>.ts) so the
 * race explorer's independence relation (semantics §B.3) changes with the call. A footprint over-approximates every
 * world object the model of the call may step or peek, for ANY state: two calls whose footprints
 * do not conflict give the same world, facts and findings in either order (a property test checks
 * it). Where the model picks the object from state (the active allocator's space, the PASID of an
 * mm, the domain in a slot) the footprint says `*` for that part. Pure.
 *
 * Resources (`kind:path`, path segments split on `/`, `*` = any segment, a lone `*` = any path):
 *   allocators          ioasid.c allocators_list + active_allocator (§1.2)
 *   space:<name>        an ID space's counters and members (default xarray or a custom helper group)
 *   ioasid:<space>/<id> one IOASID
 *   reg:<ops>           one allocator registration
 *   ida                 the global PASID IDA's lowest-free choice (v6.4+, §5)
 *   gpasid:<pasid>      one global PASID (owner, attachment count)
 *   slot:<group>/<pasid> group->pasid_array[pasid]
 *   domain:<name>, dev:<dev>, mm:<mm>, bond:<dev>/<mm>, handle:<h>, vtd:<iommu>, intel_iommu_sm
 *   sva_lock            iommu_sva_lock: bind/unbind bodies are treated as one critical section
 */
import type { CallRecord } from '../../events/records.js';
import { modelName, recordedName } from './call.js';

export interface Footprint {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

/**
 * What the footprint may learn from the rest of the scenario: the group a device is probed into
 * and the (dev, mm) a handle name belongs to. null = not known for sure, so the footprint widens.
 */
export interface FootprintScope {
  groupOf(dev: string): string | null;
  handleOwner(handle: string): { dev: string; mm: string } | null;
  /** Every domain the scenario can put into the slot (group, pasid); null = any. */
  slotDomains(group: string, pasid: number): readonly string[] | null;
}

/** A scope that knows nothing: every state-chosen object is `*`. Always sound. */
export const OPEN_SCOPE: FootprintScope = { groupOf: () => null, handleOwner: () => null, slotDomains: () => null };

export const EMPTY: Footprint = { reads: [], writes: [] };

/**
 * The scope a whole scenario implies. Sound because a device's group is only ever set by its probe
 * (initially the device's own name, device.machine) and a handle name only by the bind that returns
 * it: `sva@<seq>` of that bind, or the bind's recorded name (shared handles keep the first name).
 * A slot holds only what an attach or replace of that (group, pasid) put there, or an SVA domain
 * of a bind on the group (PASID from state: the whole group widens). The explorer starts from an
 * empty world, so nothing else is in a slot.
 */
export function scenarioScope(records: readonly CallRecord[]): FootprintScope {
  const groups = new Map<string, Set<string>>();
  const owners = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.fn === 'iommu_probe_device') {
      const g = groups.get(r.args.dev) ?? new Set([r.args.dev]);
      g.add(r.args.group ?? r.args.dev);
      groups.set(r.args.dev, g);
    }
  }
  const groupOf = (dev: string): string | null => {
    const g = groups.get(dev);
    if (g === undefined) return dev;
    return g.size === 1 ? [...g][0] : null;
  };
  const slotDomains = new Map<string, Set<string>>();
  const wildPasids = new Set<number>();
  const wildGroups = new Set<string>();
  let wildAll = false;
  for (const r of records) {
    if (r.fn === 'iommu_attach_device_pasid' || r.fn === 'iommu_replace_device_pasid') {
      const g = groupOf(r.args.dev);
      if (g === null) wildPasids.add(r.args.pasid);
      else {
        const key = `${g}/${r.args.pasid}`;
        slotDomains.set(key, (slotDomains.get(key) ?? new Set()).add(r.args.domain));
      }
    } else if (r.fn === 'iommu_sva_bind_device') {
      const g = groupOf(r.args.dev);
      if (g === null) wildAll = true;
      else wildGroups.add(g);
    }
  }
  for (const r of records) {
    if (r.fn === 'iommu_sva_bind_device') {
      const name = recordedName(r) ?? modelName('sva', r.seq);
      const o = owners.get(name) ?? new Set();
      o.add(`${r.args.dev}\u0000${r.args.mm}`);
      owners.set(name, o);
    }
  }
  return {
    groupOf,
    slotDomains(group, pasid) {
      if (wildAll || wildGroups.has(group) || wildPasids.has(pasid)) return null;
      return [...(slotDomains.get(`${group}/${pasid}`) ?? [])];
    },
    handleOwner(h) {
      const o = owners.get(h);
      if (o === undefined || o.size !== 1) return null;
      const [dev, mm] = [...o][0].split('\u0000');
      return { dev, mm };
    },
  };
}

/** True when two resource names can denote the same object. */
export function overlaps(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = a.indexOf(':');
  const cb = b.indexOf(':');
  const ka = ca < 0 ? a : a.slice(0, ca);
  const kb = cb < 0 ? b : b.slice(0, cb);
  if (ka !== kb) return false;
  if (ca < 0 || cb < 0) return ca < 0 && cb < 0;
  const pa = a.slice(ca + 1);
  const pb = b.slice(cb + 1);
  if (pa === '*' || pb === '*') return true;
  const sa = pa.split('/');
  const sb = pb.split('/');
  if (sa.length !== sb.length) return false;
  return sa.every((s, i) => s === '*' || sb[i] === '*' || s === sb[i]);
}

const touches = (xs: readonly string[], ys: readonly string[]) => xs.some((x) => ys.some((y) => overlaps(x, y)));

/** Dependent iff one writes what the other reads or writes (§B.3). */
export function conflicts(a: Footprint, b: Footprint): boolean {
  return touches(a.writes, b.writes) || touches(a.writes, b.reads) || touches(a.reads, b.writes);
}

export function union(...fs: Footprint[]): Footprint {
  return { reads: fs.flatMap((f) => f.reads), writes: fs.flatMap((f) => f.writes) };
}

/** The PASID slot a device's PASID lives in: `*` for the group when the scenario leaves it open. */
export const slotResource = (scope: FootprintScope, dev: string, pasid: number | '*') => `slot:${scope.groupOf(dev) ?? '*'}/${String(pasid)}`;
