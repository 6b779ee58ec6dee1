/** errno numbers (x86-64, include/uapi/asm-generic/errno*.h and include/linux/errno.h) of the names the trace format knows. Pure. */
import { ERRNO_ALIASES, ERRNO_NUMBERS, ERRNOS, type Errno, type ErrnoName } from '../../events/fields.js';

/** By number, the primary name (an alias such as EWOULDBLOCK is never chosen). */
const ERRNO_BY_NUMBER: ReadonlyMap<number, ErrnoName> = new Map<number, ErrnoName>(
  ERRNOS.filter((e) => ERRNO_ALIASES[`-${e}`] === undefined).map((e) => [ERRNO_NUMBERS[e], e]),
);
const NUMBER_BY_ERRNO: ReadonlyMap<ErrnoName, number> = new Map(ERRNOS.map((e) => [e, ERRNO_NUMBERS[e]]));

/** `-EBUSY` for 16, undefined for an errno the trace format has no name for. */
export function errnoName(positive: number): Errno | undefined {
  const name = ERRNO_BY_NUMBER.get(positive);
  return name === undefined ? undefined : `-${name}`;
}

/** 16 for `-EBUSY`. */
export function errnoNumber(errno: Errno): number {
  const n = NUMBER_BY_ERRNO.get(errno.slice(1) as ErrnoName);
  if (n === undefined) throw new Error(`bug: errno ${errno} has no number`);
  return n;
}
