/**
 * The fact-driven kernel objects: each follows the facts that are about it (its `address` table),
 * and the world is their fold. Kinds not listed here still decide in their own transitions and are
 * being moved over (see machines/kit/object.ts). Pure.
 */
import type { FactObject } from './kit/object.js';
import { deviceKind } from './device/device.machine.js';
import { domainKind } from './device/domain.machine.js';
import { pasidSlotKind } from './device/pasidSlot.machine.js';
import { globalPasidKind } from './global/globalPasid.machine.js';
import { scalableModeKind } from './vtd/scalableMode.machine.js';
import { vtdUnitKind } from './vtd/vtdUnit.machine.js';
import { mmKind } from './sva/mm.machine.js';
import { allocatorListKind } from './ioasid/allocatorList.machine.js';
import { allocatorRegistrationKind } from './ioasid/allocatorRegistration.machine.js';
import { idSpaceKind } from './ioasid/idSpace.machine.js';
import { ioasidKind } from './ioasid/ioasid.machine.js';
import { ioasidHolderKind, ioasidOwnerKind } from './ioasid/ioasidOwner.machine.js';
import { svaBondKind } from './sva/svaBond.machine.js';
import { svaHandleKind } from './sva/svaHandle.machine.js';

export const FACT_DRIVEN: readonly FactObject<never, never>[] = [
  deviceKind as never, pasidSlotKind as never, domainKind as never, globalPasidKind as never,
  scalableModeKind as never, vtdUnitKind as never,
  mmKind as never, svaBondKind as never, svaHandleKind as never,
  allocatorListKind as never, allocatorRegistrationKind as never, idSpaceKind as never, ioasidKind as never,
  // Why: a holder's count follows the owner's holders as they were before the fact (it reads them to address it).
  ioasidHolderKind as never, ioasidOwnerKind as never,
];
