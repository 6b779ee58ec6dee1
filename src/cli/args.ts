/** A small, strict argv parser: unknown flags are usage errors, never ignored. Pure. */
import { ledgerError, type Result, ok, err, type LedgerError } from '../core/result.js';

export interface FlagSpec {
  /** 'bool' flags take no value; 'string' flags take the next word or `--flag=value`. */
  readonly [flag: string]: 'bool' | 'string' | 'string[]';
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Record<string, string | boolean | string[]>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec, command: string): Result<ParsedArgs, LedgerError> {
  const positional: string[] = [];
  const flags: Record<string, string | boolean | string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      positional.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = eq >= 0 ? word.slice(0, eq) : word;
    const kind = spec[name];
    if (kind === undefined) {
      return err(ledgerError('USAGE', `unknown option ${name}; see \`pasid-ledger ${command} --help\``));
    }
    if (kind === 'bool') {
      if (eq >= 0) return err(ledgerError('USAGE', `option ${name} takes no value`));
      flags[name] = true;
      continue;
    }
    let value: string | undefined = eq >= 0 ? word.slice(eq + 1) : argv[i + 1];
    if (eq < 0) i++;
    if (value === undefined) return err(ledgerError('USAGE', `option ${name} needs a value; see \`pasid-ledger ${command} --help\``));
    if (kind === 'string[]') {
      const prev = flags[name];
      flags[name] = [...(Array.isArray(prev) ? prev : []), value];
    } else flags[name] = value;
  }
  return ok({ positional, flags });
}

/** Parses an integer option, or explains what was expected. */
export function intFlag(value: string | boolean | string[] | undefined, name: string): Result<number | undefined, LedgerError> {
  if (value === undefined) return ok(undefined);
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return err(ledgerError('USAGE', `option ${name} takes a non-negative integer, got ${String(value)}`));
  return ok(Number(value));
}
