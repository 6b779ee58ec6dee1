/** Every object kind the model tracks: a newcomer's map of machines/. */
import { allocatorListKind } from './ioasid/allocatorList.machine.js';
import { allocatorRegistrationKind } from './ioasid/allocatorRegistration.machine.js';
import { idSpaceKind } from './ioasid/idSpace.machine.js';
import { ioasidKind } from './ioasid/ioasid.machine.js';
import { ioasidHolderKind, ioasidOwnerKind } from './ioasid/ioasidOwner.machine.js';
import { scalableModeKind } from './vtd/scalableMode.machine.js';
import { vtdUnitKind } from './vtd/vtdUnit.machine.js';
import { deviceKind } from './device/device.machine.js';
import { pasidSlotKind } from './device/pasidSlot.machine.js';
import { domainKind } from './device/domain.machine.js';
import { mmKind } from './sva/mm.machine.js';
import { svaBondKind } from './sva/svaBond.machine.js';
import { svaHandleKind } from './sva/svaHandle.machine.js';
import { globalPasidKind } from './global/globalPasid.machine.js';

/** IOASID allocator (ioasid.c), VT-d, devices and PASID slots (iommu.c), SVA, global PASIDs. */
export const OBJECT_KINDS = [
  allocatorListKind, allocatorRegistrationKind, idSpaceKind, ioasidKind, ioasidOwnerKind, ioasidHolderKind,
  scalableModeKind, vtdUnitKind,
  deviceKind, pasidSlotKind, domainKind,
  mmKind, svaBondKind, svaHandleKind,
  globalPasidKind,
] as const;

export {
  allocatorListKind, allocatorRegistrationKind, idSpaceKind, ioasidKind, ioasidOwnerKind, ioasidHolderKind,
  scalableModeKind, vtdUnitKind,
  deviceKind, pasidSlotKind, domainKind,
  mmKind, svaBondKind, svaHandleKind,
  globalPasidKind,
};
