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
import { globalPasidHistoryKind } from './global/globalPasidHistory.machine.js';

export const FACT_DRIVEN: readonly FactObject<never, never>[] = [
  deviceKind as never, pasidSlotKind as never, domainKind as never, globalPasidKind as never, globalPasidHistoryKind as never,
];
