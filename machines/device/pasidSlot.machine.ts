/**
 * One PASID of one IOMMU group (an index of group->pasid_array): empty (blocked) or attached to a
 * domain. Decides iommu_attach_device_pasid (§4.1), iommu_detach_device_pasid (§4.2) and
 * iommu_replace_device_pasid (§4.3) per kernel era. `empty` is not stored. Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface PasidSlotContext {
  readonly group: string;
  readonly pasid: number;
  readonly dev: string | null;
  readonly domain: string | null;
  readonly handle: string | null;
}

interface AttachFacts {
  readonly dev: string;
  readonly domain: string;
  readonly handle: string | null;
  /** The device is probed and not released (it has a group). */
  readonly hasGroup: boolean;
  /** Smallest max_pasids > 0 among the group's devices; null when unknown. */
  readonly maxPasids: number | null;
  readonly resetting: boolean;
  readonly domainFreed: boolean;
  /** The capture recorded a NULL attach handle (replace refuses it); absent = not recorded. */
  readonly nullHandle?: boolean;
}

export type PasidSlotEvent =
  | (ModelEvent & { type: 'ATTACH' } & AttachFacts)
  | (ModelEvent & { type: 'REPLACE' } & AttachFacts)
  /**
   * `unseenHistory`: neither the device's probe nor the domain's allocation is in the capture, so the
   * PASID may have been attached before the capture began.
   */
  | (ModelEvent & { type: 'DETACH'; dev: string; domain: string; unseenHistory: boolean })
  /** iommu_sva_bind_device looks for an SVA domain on the mm's PASID (iommu_get_domain_for_dev_pasid / attach-handle lookup, §3.4, §3.5). */
  | (ModelEvent & { type: 'SVA_LOOKUP'; dev: string; mm: string; domainType: string; domainMm: string | null })
  /** End of trace; `sva`: the domain belongs to an SVA bond, whose leak is reported by the bond. */
  | (ModelEvent & { type: 'END'; sva: boolean });

export interface PasidSlotInput {
  readonly group: string;
  readonly pasid: number;
}

type Attachy = Extract<PasidSlotEvent, { type: 'ATTACH' | 'REPLACE' }>;
const domOf = (e: PasidSlotEvent) => ('domain' in e ? e.domain : '?');
const devOf = (e: PasidSlotEvent, c: PasidSlotContext | null) => ('dev' in e ? e.dev : c?.dev ?? '?');
const isAttachy = (e: PasidSlotEvent): e is Attachy => e.type === 'ATTACH' || e.type === 'REPLACE';
const outOfRange = (e: PasidSlotEvent, pasid: number) => isAttachy(e) && e.maxPasids !== null && pasid >= e.maxPasids;

/** The checks before the slot is looked at, in the order iommu_attach_device_pasid makes them (CORE-NEW). */
const PRECHECKS = [
  { guard: 'lacksGroup', actions: decide({ ret: '-ENODEV', finding: 'ATTACH_NO_PASID_SUPPORT', rule: 'iommu_attach_device_pasid: no group → -ENODEV (§4.1)' }) },
  { guard: 'isRejectedPasidZero', actions: decide({ ret: '-EINVAL', finding: 'ATTACH_PASID_ZERO', rule: 'iommu_attach_device_pasid: pasid == IOMMU_NO_PASID → -EINVAL (v6.9+, §4.1)' }) },
  { guard: 'isResetting', actions: decide({ ret: '-EBUSY', finding: 'ATTACH_DURING_RESET', rule: 'iommu_attach_device_pasid: group->resetting_domain → -EBUSY (§4.1)' }) },
  { guard: 'isRejectedOutOfRange', actions: decide({ ret: '-EINVAL', finding: 'ATTACH_PASID_OUT_OF_RANGE', rule: 'iommu_attach_device_pasid: pasid >= max_pasids of a group device → -EINVAL (v6.9+, §4.1)' }) },
] as const;

/**
 * iommu_replace_device_pasid's checks (v6.15, §4.3): no group → -ENODEV; PASID 0 or !handle →
 * -EINVAL; resetting → -EBUSY. It has no max_pasids loop: only attach walks the group devices.
 */
const REPLACE_PRECHECKS = [
  PRECHECKS[0],
  { guard: 'isNullHandle', actions: decide({ ret: '-EINVAL', rule: 'iommu_replace_device_pasid: !handle → -EINVAL (§4.3)' }) },
  PRECHECKS[1],
  PRECHECKS[2],
] as const;

const ATTACHED = 'iommu_attach_device_pasid: empty slot → set_dev_pasid on every group device, slot stored (§4.1)';

export const pasidSlotKind = defineObjectKind<PasidSlotContext, PasidSlotEvent, PasidSlotInput>({
  id: 'pasidSlot',
  initial: 'empty',
  absent: 'empty',
  context: ({ group, pasid }) => ({ group, pasid, dev: null, domain: null, handle: null }),
  states: {
    empty: {
      on: {
        ATTACH: [
          ...PRECHECKS,
          { guard: 'isFreedDomain', target: 'attached', actions: ['attach', decide({ ret: 0, fact: 'PasidAttached', finding: 'ATTACH_FREED_DOMAIN', rule: ATTACHED })] },
          { guard: 'isPasidZero', target: 'attached', actions: ['attach', decide({ ret: 0, fact: 'PasidAttached', finding: 'ATTACH_PASID_ZERO', rule: 'iommu_attach_device_pasid before v6.9 does not reject PASID 0 (§4.1)' })] },
          { guard: 'isOutOfRange', target: 'attached', actions: ['attach', decide({ ret: 0, fact: 'PasidAttached', finding: 'ATTACH_PASID_OUT_OF_RANGE', rule: 'iommu_attach_device_pasid before v6.9 has no max_pasids check (§4.1)' })] },
          { target: 'attached', actions: ['attach', decide({ ret: 0, fact: 'PasidAttached', rule: ATTACHED })] },
        ],
        REPLACE: [
          ...REPLACE_PRECHECKS,
          { actions: decide({ ret: '-EINVAL', finding: 'REPLACE_NOT_ATTACHED', rule: 'iommu_replace_device_pasid: nothing attached → -EINVAL (§4.3)' }) },
        ],
        END: { actions: decide({ rule: 'nothing attached' }) },
        SVA_LOOKUP: { actions: decide({ rule: 'no domain on the PASID yet: bind allocates or attaches one' }) },
        DETACH: [
          // Why: a capture that begins late must not turn every detach of an older attachment into A35.
          { guard: 'isUnseenHistory', actions: decide({ ret: null, rule: 'iommu_detach_device_pasid of a PASID that may have been attached before the capture began' }) },
          { actions: decide({ ret: null, finding: 'DETACH_NOT_ATTACHED', rule: 'iommu_detach_device_pasid: xa_erase returns NULL ≠ domain (WARN_ON before v6.11, silent after; §4.2)' }) },
        ],
      },
    },
    attached: {
      on: {
        ATTACH: [
          ...PRECHECKS,
          { actions: decide({ ret: '-EBUSY', finding: 'ATTACH_BUSY', rule: 'iommu_attach_device_pasid: the slot already holds a domain (even the same one) → -EBUSY (§4.1)' }) },
        ],
        REPLACE: [
          ...REPLACE_PRECHECKS,
          { guard: 'isSameHandle', actions: decide({ ret: '-EINVAL', finding: 'REPLACE_SAME_HANDLE', rule: 'iommu_replace_device_pasid: same handle as installed → WARN_ON(1), -EINVAL (§4.3)' }) },
          { guard: 'isSameDomain', actions: ['attach', decide({ ret: 0, rule: 'iommu_replace_device_pasid: same domain → only the handle is swapped (§4.3)' })] },
          { actions: ['attach', decide({ ret: 0, fact: 'PasidReplaced', rule: 'iommu_replace_device_pasid: set_dev_pasid(new, old) on every group device (§4.3)' })] },
        ],
        SVA_LOOKUP: [
          { guard: 'isReusableSvaDomain', actions: decide({ rule: 'iommu_sva_bind_device v6.2–v6.7: the PASID already has an SVA domain → domain->users++ (§3.4)' }) },
          { actions: decide({ ret: '-EBUSY', finding: 'SVA_BIND_SLOT_BUSY', rule: "iommu_sva_bind_device: the mm's PASID holds another domain on this device → -EBUSY (§3.4, §3.5)" }) },
        ],
        END: [
          { guard: 'isSvaAttachment', actions: decide({ rule: 'an SVA attachment goes with its bond (reported as SVA_BOND_LEAKED)' }) },
          { actions: decide({ finding: 'ATTACH_LEAKED', rule: 'attached and never detached by the end of the trace (A36)' }) },
        ],
        DETACH: [
          { guard: 'isWrongDomain', target: 'empty', actions: decide({ ret: null, fact: 'PasidDetached', finding: 'DETACH_WRONG_DOMAIN', rule: 'iommu_detach_device_pasid: erased domain ≠ passed domain (WARN_ON v6.2–v6.10; silent and the wrong old domain reaches the driver from v6.11; §4.2)' }) },
          { target: 'empty', actions: decide({ ret: null, fact: 'PasidDetached', rule: 'iommu_detach_device_pasid: remove_dev_pasid on every group device, slot erased (§4.2)' }) },
        ],
      },
    },
  },
  guards: {
    lacksGroup: ({ event }) => isAttachy(event) && !event.hasGroup,
    isRejectedPasidZero: ({ context, event }) => context.pasid === 0 && event.p.attachChecksPasidZero,
    isResetting: ({ event }) => isAttachy(event) && event.resetting && event.p.resetBlocksAttach,
    isRejectedOutOfRange: ({ context, event }) => event.p.attachChecksMaxPasids && outOfRange(event, context.pasid),
    isNullHandle: ({ event }) => event.type === 'REPLACE' && event.nullHandle === true,
    isUnseenHistory: ({ event }) => event.type === 'DETACH' && event.unseenHistory,
    isFreedDomain: ({ event }) => isAttachy(event) && event.domainFreed,
    isPasidZero: ({ context }) => context.pasid === 0,
    isOutOfRange: ({ context, event }) => outOfRange(event, context.pasid),
    isSameHandle: ({ context, event }) => isAttachy(event) && event.handle !== null && event.handle === context.handle,
    isSameDomain: ({ context, event }) => isAttachy(event) && event.domain === context.domain,
    isWrongDomain: ({ context, event }) => event.type === 'DETACH' && event.domain !== context.domain,
    isSvaAttachment: ({ event }) => event.type === 'END' && event.sva,
    // Why: before v6.8 the lookup is by type only (no mm check until attach handles in v6.11); from v6.8 every bind attaches, so an occupied slot fails.
    isReusableSvaDomain: ({ event }) =>
      event.type === 'SVA_LOOKUP' && event.domainType === 'sva' && !event.p.svaDomainPerMm && (event.domainMm === event.mm || !event.p.attachHandles),
  },
  updates: {
    attach: (c, e) => (isAttachy(e) ? { ...c, dev: e.dev, domain: e.domain, handle: e.handle } : c),
  },
  facts: {
    PasidAttached: (_e, _b, a) => ({ type: 'PasidAttached', group: a.group, dev: a.dev ?? '', pasid: a.pasid, domain: a.domain ?? '' }),
    PasidDetached: (_e, b) => ({ type: 'PasidDetached', group: b.group, dev: b.dev ?? '', pasid: b.pasid, domain: b.domain ?? '' }),
    PasidReplaced: (_e, b, a) => ({ type: 'PasidReplaced', group: b.group, dev: b.dev ?? '', pasid: b.pasid, from: b.domain ?? '', to: a.domain ?? '' }),
  },
  details: {
    ATTACH_BUSY: (e, c) => `${devOf(e, c)} pasid ${c.pasid}: ${c.domain} is already attached`,
    ATTACH_PASID_OUT_OF_RANGE: (e, c) => `${devOf(e, c)} pasid ${c.pasid} >= max_pasids ${isAttachy(e) ? e.maxPasids : '?'}`,
    ATTACH_PASID_ZERO: (e) => `${devOf(e, null)} pasid 0 is IOMMU_NO_PASID`,
    ATTACH_NO_PASID_SUPPORT: (e) => `${devOf(e, null)} is not probed (released, or no IOMMU group)`,
    ATTACH_DURING_RESET: (e) => `${devOf(e, null)} is being reset`,
    ATTACH_FREED_DOMAIN: (e, c) => `${devOf(e, c)} pasid ${c.pasid}: ${domOf(e)} was freed`,
    DETACH_WRONG_DOMAIN: (e, c) => `${devOf(e, c)} pasid ${c.pasid}: detached with ${domOf(e)} but ${c.domain} is attached`,
    DETACH_NOT_ATTACHED: (e, c) => `${devOf(e, c)} pasid ${c.pasid}: nothing is attached (detached with ${domOf(e)})`,
    REPLACE_NOT_ATTACHED: (e, c) => `${devOf(e, c)} pasid ${c.pasid}: nothing is attached`,
    REPLACE_SAME_HANDLE: (e, c) => `${devOf(e, c)} pasid ${c.pasid}: handle ${c.handle} is already installed`,
    SVA_BIND_SLOT_BUSY: (e, c) => `${devOf(e, c)} pasid ${c.pasid} holds ${c.domain}`,
    ATTACH_LEAKED: (_e, c) => `${c.dev} pasid ${c.pasid}: ${c.domain} is still attached`,
  },
});
