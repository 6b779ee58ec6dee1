/**
 * `--shard i/n`: a deterministic subset of the inputs. A file belongs to shard hash(name) mod n, so
 * its shard depends on its own name only: adding or removing other files never moves it, and every
 * runner of a CI matrix computes the same split without talking to the others. Pure.
 */
import { createHash } from 'node:crypto';
import { ledgerError, err, ok, type LedgerError, type Result } from '../core/result.js';
import type { ShardSpec } from './types.js';

export function parseShard(text: string): Result<ShardSpec, LedgerError> {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1) || index > count) {
    return err(ledgerError('USAGE', `--shard takes i/n with 1 <= i <= n (e.g. 2/4), got ${text}`, { field: '--shard', fix: 'give the runner index and the number of runners, e.g. --shard 1/4' }));
  }
  return ok({ index, count });
}

/** The 1-based shard of a display name (SHA-256 of the name, first 48 bits, mod n). */
export function shardOf(name: string, count: number): number {
  const h = createHash('sha256').update(name, 'utf8').digest();
  return (h.readUIntBE(0, 6) % count) + 1;
}

export const inShard = (name: string, shard: ShardSpec | null) => shard === null || shardOf(name, shard.count) === shard.index;
