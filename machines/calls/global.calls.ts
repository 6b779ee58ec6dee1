/**
 * Call models of the global PASID allocator (iommu.c, v6.6+; the same IDA serves SVA from v6.4):
 * lowest free PASID in [1, max_pasids - 1], free without an attachment check (§5). Pure.
 */
import { IOMMU_PASID_INVALID, PASID_MAX } from '../../events/fields.js';
import type { Ret } from '../../events/records.js';
import type { Decision, World } from '../kit/world.js';
import type { Profile } from '../profile.js';
import { lowestFree, noteFreed } from '../ids.js';
import { deviceKind } from '../device/device.machine.js';
import { globalPasidKind } from '../global/globalPasid.machine.js';
import { hasFact } from './ioasid.calls.js';
import { retFrom, setRet, type CallModel } from './callContext.js';

/** The IDA's space name for hints. */
const IDA = 'iommu_global_pasid_ida';
/** Key of the pseudo-object that answers calls with no valid PASID. */
const NO_PASID = 'none';

interface Env {
  readonly w: World;
  readonly p: Profile;
  readonly d: Decision;
}

/**
 * ida_alloc_range(&iommu_global_pasid_ida, 1, maxPasids - 1) for a device or an mm; returns the
 * PASID or null. `maxPasids` null = unknown (the device was probed before the capture).
 */
export function allocGlobalPasid({ w, p, d }: Env, owner: { dev: string | null; mm: string | null }, maxPasids: number | null, recorded: Ret | undefined): number | null {
  const max = maxPasids === null ? PASID_MAX : maxPasids - 1;
  const taken = (id: number) => w.has(globalPasidKind.id, String(id));
  const predicted = max >= 1 ? lowestFree(w, IDA, 1, max, taken) : null;
  const adopt = typeof recorded === 'number' && recorded >= 1 && recorded <= max && !taken(recorded);
  const pasid = adopt ? (recorded as number) : predicted;
  if (pasid === null) {
    retFrom(d, w.step(globalPasidKind, NO_PASID, { pasid: -1 }, { type: 'ALLOC', p, dev: owner.dev, mm: owner.mm, exhausted: true }, d));
    return null;
  }
  setRet(d, predicted ?? IOMMU_PASID_INVALID, 'iommu_alloc_global_pasid: lowest free PASID in [1, max_pasids - 1] (ida_alloc_range, §5)');
  w.step(globalPasidKind, String(pasid), { pasid }, { type: 'ALLOC', p, dev: owner.dev, mm: owner.mm, exhausted: false }, d);
  return pasid;
}

/** iommu_free_global_pasid / ida_free of one PASID; `covered` attachments are reported elsewhere (see the FREE event). */
export function freeGlobalPasid({ w, p, d }: Env, pasid: number | typeof IOMMU_PASID_INVALID, covered = 0): void {
  const invalid = pasid === IOMMU_PASID_INVALID;
  const key = invalid ? NO_PASID : String(pasid);
  const r = w.step(globalPasidKind, key, { pasid: invalid ? -1 : pasid }, { type: 'FREE', p, invalid, covered }, d);
  retFrom(d, r);
  if (!invalid && hasFact(r, 'GlobalPasidFreed')) noteFreed(w, IDA, pasid);
}

export const iommu_alloc_global_pasid: CallModel<'iommu_alloc_global_pasid'> = (c) => {
  const dev = c.w.peek(deviceKind, c.rec.args.dev, { dev: c.rec.args.dev }).context;
  allocGlobalPasid(c, { dev: c.rec.args.dev, mm: null }, dev.maxPasids, c.rec.ret);
};

export const iommu_free_global_pasid: CallModel<'iommu_free_global_pasid'> = (c) => {
  freeGlobalPasid(c, c.rec.args.pasid);
  setRet(c.d, null, 'iommu_free_global_pasid returns void');
};
