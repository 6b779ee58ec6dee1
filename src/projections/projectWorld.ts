/** The state view read off the machines' snapshots. Pure. */
import type { Snap } from '../../machines/kit/lifecycle.js';
import type { World } from '../../machines/kit/world.js';
import {
  allocatorListKind, allocatorRegistrationKind, deviceKind, domainKind, globalPasidKind, idSpaceKind, ioasidKind,
  mmKind, pasidSlotKind, scalableModeKind, svaBondKind, svaHandleKind, vtdUnitKind,
} from '../../machines/index.js';
import type { AllocatorListContext } from '../../machines/ioasid/allocatorList.machine.js';
import type { IdSpaceContext } from '../../machines/ioasid/idSpace.machine.js';
import type { IoasidContext } from '../../machines/ioasid/ioasid.machine.js';
import type { RegistrationContext } from '../../machines/ioasid/allocatorRegistration.machine.js';
import type { VtdUnitContext } from '../../machines/vtd/vtdUnit.machine.js';
import type { DeviceContext } from '../../machines/device/device.machine.js';
import type { PasidSlotContext } from '../../machines/device/pasidSlot.machine.js';
import type { DomainContext } from '../../machines/device/domain.machine.js';
import type { SvaBondContext } from '../../machines/sva/svaBond.machine.js';
import type { SvaHandleContext } from '../../machines/sva/svaHandle.machine.js';
import type { MmContext } from '../../machines/sva/mm.machine.js';
import type { GlobalPasidContext } from '../../machines/global/globalPasid.machine.js';
import { ALLOCATOR_LIST, SCALABLE_MODE } from '../../machines/calls/reads.js';
import { groupPasidKey, sortBy, spaceIdKey, type StateView } from './view.js';

/**
 * Where the projection reads a kind's objects (its ids and snapshots, in any order: every list is
 * sorted): all the world stores (the default), or a part of them, e.g. the live ones only (the
 * default output of `state`: timetravel/live.ts `liveStateView`).
 */
export type ObjectsOf = (kindId: string) => Iterable<readonly [string, Snap<unknown>]>;

/** Kinds whose dead objects the view lists (freed domains, exited mms); it never lists freed SVA handles nor global PASID histories. */
export const LISTED_DEAD_KINDS: readonly string[] = [domainKind.id, mmKind.id];

export function projectWorld(w: World, objectsOf: ObjectsOf = (kindId) => w.entriesOf(kindId)): StateView {
  const entriesOf = <C>(kindId: string) => objectsOf(kindId) as Iterable<readonly [string, Snap<C>]>;
  const list: AllocatorListContext = w.get(allocatorListKind, ALLOCATOR_LIST, {}).context;
  const ioasids = sortBy(
    [...entriesOf<IoasidContext>(ioasidKind.id)].map(([, s]) => ({ space: s.context.space, ioasid: s.context.ioasid, set: s.context.set, private: s.context.private, refs: s.context.refs, orphaned: s.value === 'orphaned' })),
    (i) => spaceIdKey(i.space, i.ioasid),
  );
  const outstanding: Record<string, number[]> = {};
  for (const i of ioasids) if (!i.orphaned) (outstanding[i.space] ??= []).push(i.ioasid);
  const sm = w.get(scalableModeKind, SCALABLE_MODE, {});
  return {
    kernel: w.profile.kernel,
    era: w.profile.era,
    allocator: {
      active: list.active,
      entries: list.entries.map((space) => {
        const c: IdSpaceContext = w.get(idSpaceKind, space, { space }).context;
        return { space, alloc: c.alloc, free: c.free, members: [...c.members], head: c.head };
      }),
      outstanding,
    },
    ioasids,
    registrations: sortBy(
      [...entriesOf<RegistrationContext>(allocatorRegistrationKind.id)].filter(([, s]) => s.value !== 'unregistered').map(([ops, s]) => ({ ops, role: s.value, space: s.context.space ?? '' })),
      (r) => r.ops,
    ),
    vtd: {
      scalableMode: sm.value === 'enabled',
      smtRoots: [...sm.context.smtRoots].sort(),
      rootTables: sortBy(
        [...entriesOf<VtdUnitContext>(vtdUnitKind.id)].filter(([, s]) => s.context.smt !== null).map(([iommu, s]) => ({ iommu, smt: s.context.smt as boolean })),
        (u) => u.iommu,
      ),
    },
    devices: sortBy(
      [...entriesOf<DeviceContext>(deviceKind.id)].filter(([, s]) => s.value !== 'preexisting').map(([dev, s]) => ({ dev, group: s.context.group, max_pasids: s.context.maxPasids, released: s.value === 'released' })),
      (d) => d.dev,
    ),
    resetting: [...new Set([...entriesOf<DeviceContext>(deviceKind.id)].filter(([, s]) => s.context.resetting).map(([, s]) => s.context.group))].sort(),
    slots: sortBy(
      [...entriesOf<PasidSlotContext>(pasidSlotKind.id)].map(([, s]) => ({ group: s.context.group, pasid: s.context.pasid, dev: s.context.dev ?? '', domain: s.context.domain ?? '' })),
      (s) => groupPasidKey(s.group, s.pasid),
    ),
    domains: sortBy(
      [...entriesOf<DomainContext>(domainKind.id)].map(([domain, s]) => ({ domain, type: s.context.type, mm: s.context.mm, users: s.context.users, attachments: s.context.attachments, freed: s.value === 'freed' })),
      (d) => d.domain,
    ),
    bonds: sortBy(
      [...entriesOf<SvaBondContext>(svaBondKind.id)].map(([, s]) => ({ dev: s.context.dev, mm: s.context.mm, pasid: s.context.pasid, domain: s.context.domain, users: s.context.users })),
      (b) => `${b.dev}\u0000${b.mm}`,
    ),
    handles: sortBy(
      [...entriesOf<SvaHandleContext>(svaHandleKind.id)].filter(([, s]) => s.value === 'live').map(([handle, s]) => ({ handle, dev: s.context.dev ?? '', mm: s.context.mm ?? '' })),
      (h) => h.handle,
    ),
    mms: sortBy(
      [...entriesOf<MmContext>(mmKind.id)].filter(([, s]) => s.context.pasid !== null || s.value === 'exited').map(([mm, s]) => ({ mm, pasid: s.context.pasid, exited: s.value === 'exited' })),
      (m) => m.mm,
    ),
    globalPasids: sortBy(
      [...entriesOf<GlobalPasidContext>(globalPasidKind.id)].map(([, s]) => ({ pasid: s.context.pasid, dev: s.context.dev, mm: s.context.mm })),
      (g) => g.pasid,
    ),
  };
}
