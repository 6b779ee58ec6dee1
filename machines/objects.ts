/**
 * The kernel objects, all fact-driven: each follows the facts that are about it (its `address`
 * table), and the world is their fold. The order is the order a fact reaches them. Pure.
 */
import type { FactKind } from './kit/object.js';
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
import { globalPasidHistoryKind } from './global/globalPasidHistory.machine.js';
import { globalPasidHolderKind } from './global/globalPasidHolder.machine.js';

export const FACT_DRIVEN: readonly FactKind[] = [
  // Why: a thread's count reads the PASID's holder as it was before the fact (globalPasidHolder before the history).
  deviceKind, pasidSlotKind, domainKind, globalPasidKind, globalPasidHolderKind, globalPasidHistoryKind,
  scalableModeKind, vtdUnitKind,
  mmKind, svaBondKind, svaHandleKind,
  allocatorListKind, allocatorRegistrationKind, idSpaceKind, ioasidKind,
  // Why: a holder's count follows the owner's holders as they were before the fact (it reads them to address it).
  ioasidHolderKind, ioasidOwnerKind,
];
