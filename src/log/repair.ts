/**
 * Repair of a trace or log: truncates a torn last line, and only that. Corruption before the tail
 * is refused (the reader's error is returned), because cutting there would drop valid records.
 */
import { statSync, truncateSync } from 'node:fs';
import { ok, err, ledgerError, type Result, type LedgerError } from '../core/result.js';
import { readTraceFile } from './reader.js';
import { CODES } from './codes.js';

export interface RepairOptions {
  readonly kind?: 'trace' | 'log';
  /** Report what would be cut without touching the file. */
  readonly dryRun?: boolean;
  /** Display name for messages. */
  readonly file?: string;
}

export interface RepairOutcome {
  /** The torn tail that was (or, with dryRun, would be) cut; undefined when the file was already whole. */
  readonly torn?: LedgerError;
  /** Byte length of the file after repair. */
  readonly size: number;
  /** Records (or facts) kept. */
  readonly kept: number;
  readonly truncated: boolean;
}

/** Reads path in full; truncates at the torn tail if there is one. Errors (corruption, unreadable) are returned untouched. */
export async function repairFile(path: string, options: RepairOptions = {}): Promise<Result<RepairOutcome, LedgerError>> {
  let torn: LedgerError | undefined;
  let kept = 0;
  for await (const item of readTraceFile(path, { kind: options.kind, file: options.file })) {
    if (item.kind === 'error') return err(item.error);
    if (item.kind === 'warning' && item.warning.code === CODES.TORN_TAIL) torn = item.warning;
    if (item.kind === 'record' || item.kind === 'fact') kept++;
  }
  if (torn === undefined || torn.offset === undefined) return ok({ size: statSync(path).size, kept, truncated: false });
  const end = torn.offset;
  if (options.dryRun) return ok({ torn, size: end, kept, truncated: false });
  try {
    truncateSync(path, end);
  } catch (e) {
    return err(ledgerError(CODES.WRITE_FAILED, `cannot truncate: ${(e as Error).message}`, { file: options.file ?? path, line: torn.line, fix: 'check permissions' }));
  }
  return ok({ torn, size: end, kept, truncated: true });
}
