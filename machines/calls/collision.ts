/**
 * #21 B8 and B11, shared by the allocators that hand out the lowest free ID (ioasid.c's xa_alloc, the
 * global IDA's ida_alloc_range) and by the SVA PASID allocation that goes through them. Pure.
 *
 * B8: such an allocator never returns an ID it holds. A recorded return the model holds is what the
 * kernel handed out, so it is adopted; the finding names the owner the model knows (the capture lost
 * the release, or two owners now share the number) instead of a return mismatch.
 *
 * B11: when the top of the range is a stand-in (a device whose max_pasids the capture never saw), a
 * recorded failure where the model predicted `predicted` fits the kernel if every ID below it is held
 * (true of the lowest free by construction) and the device was never given one at or above it: the
 * bound is then at most `predicted`, and is learnt (DeviceMaxPasidsInferred) instead of a mismatch.
 */
import type { FindingCode } from '../findings.js';
import { decideBy, type Check } from '../kit/checks.js';
import { setRet } from '../kit/call.js';
import type { Decision, World } from '../kit/world.js';
import { svaBondKind, type SvaBondContext } from '../sva/svaBond.machine.js';

export interface Collision {
  /** What the number is: "PASID 3", "IOASID 5 (default)". */
  readonly what: string;
  /** The new owner the recorded allocation names. */
  readonly to: string;
  /** The owner the model says holds it. */
  readonly held: string;
}

/** The finding row of a collision in one ID space (GLOBAL_PASID_COLLISION, IOASID_COLLISION). */
export const collisionCheck = (finding: FindingCode, rule: string): Check<Collision> => ({
  finding,
  detail: (r) => `${r.what} went to ${r.to} while ${r.held} holds it`,
  rule,
});

/** Reports the collision and adopts the recorded ID as the return (the kernel handed it out). */
export function adoptCollision(d: Decision, row: Check<Collision>, r: Collision, id: number, objects: object): void {
  decideBy(d, row, r, objects);
  // Why: the recorded number is what the kernel handed out; the collision is the finding, not the return.
  setRet(d, id, row.rule);
}

/** B11: the suffix a finding's detail gets when the recorded exhaustion shows the bound. */
export const inferredDetail = (predicted: number) => `; max_pasids <= ${predicted} inferred: every PASID below it is held`;

/** B11: a bond of `dev` with a PASID at or above `id` (an SVA PASID the device was given shows its range reaches it). */
export function boundAtOrAbove(w: World, dev: string, id: number): boolean {
  for (const [, s] of w.entriesOf<SvaBondContext>(svaBondKind.id)) if (s.value === 'bound' && s.context.dev === dev && s.context.pasid !== null && s.context.pasid >= id) return true;
  return false;
}
