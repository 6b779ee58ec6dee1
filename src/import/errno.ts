/** errno numbers (x86-64, include/uapi/asm-generic/errno*.h and include/linux/errno.h) of the names the trace format knows. Pure. */
import type { Errno, ErrnoName } from '../../events/fields.js';

const ERRNO_BY_NUMBER: ReadonlyMap<number, ErrnoName> = new Map<number, ErrnoName>([
  [1, 'EPERM'], [2, 'ENOENT'], [5, 'EIO'], [6, 'ENXIO'], [11, 'EAGAIN'], [12, 'ENOMEM'], [13, 'EACCES'],
  [14, 'EFAULT'], [16, 'EBUSY'], [17, 'EEXIST'], [19, 'ENODEV'], [22, 'EINVAL'], [28, 'ENOSPC'], [34, 'ERANGE'],
  [75, 'EOVERFLOW'], [95, 'EOPNOTSUPP'], [110, 'ETIMEDOUT'], [524, 'ENOTSUPP'],
]);
const NUMBER_BY_ERRNO: ReadonlyMap<ErrnoName, number> = new Map([...ERRNO_BY_NUMBER].map(([n, e]) => [e, n]));

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
