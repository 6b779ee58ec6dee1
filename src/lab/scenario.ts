/**
 * A kernel-lab scenario: a directory with a test module's source and `scenario.json`, the golden
 * expectations of each lab kernel it runs on (what that kernel did: its dmesg lines, and the findings a
 * correct audit of the capture reports). Parsing and validation are pure: the caller passes the file's
 * text and the directory's file names.
 */
import { err, ledgerError, ok, type LedgerError, type Result } from '../core/result.js';

export const SCENARIO_FILE = 'scenario.json';

/** A documented disagreement between the tool and the kernel, tolerated until the model is fixed. */
export interface KnownGap {
  /** Short stable name of the gap, e.g. `x86-stable-sva-disabled`. */
  readonly gap: string;
  /** The issue(s) that track the fix, e.g. `#20/#21`. */
  readonly issue: string;
  readonly note?: string;
}

export interface ExpectedFinding {
  readonly code: string;
  readonly fn?: string | null;
  readonly severity?: 'bug' | 'misuse' | 'info';
  /** The whole message after normalisation (addresses, tgids, handle seqs). */
  readonly message?: string;
  readonly atEnd?: boolean;
  readonly count: number;
  readonly knownGap?: KnownGap;
}

export interface ImportExpectation {
  /** The import is clean: every record kept. */
  readonly clean: boolean;
  /** When not clean: the skip reasons and their counts, exactly. */
  readonly skipped: Readonly<Record<string, number>>;
  /**
   * The import's notes of problem severity about records it kept (ENTRY_WITHOUT_RETURN: a call the
   * kernel never returned from, when it oopsed), exactly; notices (e.g. PROBE_RECORD_ADDED) are not compared.
   */
  readonly notes: Readonly<Record<string, number>>;
  readonly knownGap?: KnownGap;
}

export interface KernelExpectation {
  readonly kernel: string;
  /** Module parameters for insmod, e.g. `fake_max=8 dup=1`. */
  readonly params: string;
  /** `module`: the kit is started before insmod; `boot`: the capture is what boot-time probes recorded. */
  readonly capture: 'module' | 'boot';
  /** tracefs probe definitions put on the kernel command line (kprobe_event=), kit syntax. */
  readonly bootProbes: readonly string[];
  /** The kernel is expected to BUG/Oops during the scenario (the rest of the checks still run). */
  readonly crash: boolean;
  /** insmod's exit status (null: not checked, e.g. when the module's init crashes). */
  readonly insmod: number | null;
  /** Normalised kernel log lines that must appear, in this order (other lines may come between). */
  readonly dmesg: readonly string[];
  readonly import: ImportExpectation;
  /** What a correct audit reports. */
  readonly findings: readonly ExpectedFinding[];
  /** What the current tool reports although the kernel contradicts it: each names its known gap. */
  readonly falseFindings: readonly ExpectedFinding[];
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Files of the module source (`*.c`, `*.h`, `Kbuild`); empty for a boot-only scenario. */
  readonly sources: readonly string[];
  readonly kernels: Readonly<Record<string, KernelExpectation>>;
}

const CODE = /^[A-Z][A-Z0-9_]*$/;
const PARAMS = /^[A-Za-z0-9_.=,:-]*( [A-Za-z0-9_.=,:-]+)*$/;
const PROBE = /^[pr]:pasid_ledger\/[A-Za-z0-9_]+ [A-Za-z0-9_.]+( [^\s,;]+)*$/;
const KERNEL = /^\d+\.\d+$/;

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Invalid {
  constructor(readonly error: LedgerError) {}
}

/** Parses and validates `scenario.json` of the directory `name` holding `files`. */
export function parseScenario(name: string, file: string, text: string, files: readonly string[]): Result<Scenario> {
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return err(
      ledgerError('LAB_SCENARIO_JSON', `not JSON (${(e as Error).message})`, {
        file,
        line: 1,
        fix: 'write scenario.json as one JSON object (see capture/lab/README.md)',
      }),
    );
  }
  const fail = (field: string, what: string, fix: string): never => {
    throw new Invalid(ledgerError('LAB_SCENARIO_INVALID', what, { file, line: 1, field, fix }));
  };
  try {
    if (!isObject(json)) fail('(top)', 'is not an object', 'write {"description": "...", "kernels": {"6.1": {...}}}');
    const top = json as Record<string, Json>;
    known(top, ['description', 'kernels'], '', fail);
    if (typeof top.description !== 'string' || top.description.trim() === '')
      fail('description', 'is missing or empty', 'say in one sentence what the scenario drives');
    if (!isObject(top.kernels) || Object.keys(top.kernels).length === 0)
      fail('kernels', 'is missing or has no kernel', 'add "kernels": {"6.1": {...}} naming each lab kernel the module is written for');
    const sources = files.filter((f) => /\.(c|h)$/.test(f) || f === 'Kbuild').sort();
    const cFiles = sources.filter((f) => f.endsWith('.c'));
    const kernels: Record<string, KernelExpectation> = {};
    for (const [k, v] of Object.entries(top.kernels as Record<string, Json>)) {
      if (!KERNEL.test(k)) fail(`kernels.${k}`, 'is not a lab kernel name like 6.1 or 6.12', 'name the kernel as capture/lab/kernels/K.conf does');
      kernels[k] = kernelExpectation(k, v, `kernels.${k}`, cFiles.length > 0, fail);
      if (kernels[k].capture === 'module' && cFiles.length === 0)
        fail(`kernels.${k}.capture`, `is "module" but ${name} has no .c file`, 'add the module source, or use "capture": "boot" with bootProbes');
    }
    if (cFiles.length > 1 && !files.includes('Kbuild'))
      fail('(files)', `${name} has ${cFiles.length} .c files and no Kbuild`, 'add a Kbuild saying obj-m := NAME.o and NAME-y := ...');
    return ok({ name, description: top.description as string, sources, kernels });
  } catch (e) {
    if (e instanceof Invalid) return err(e.error);
    throw e;
  }
}

type Fail = (field: string, what: string, fix: string) => never;

function known(o: Record<string, Json>, keys: readonly string[], at: string, fail: Fail): void {
  for (const key of Object.keys(o))
    if (!keys.includes(key)) fail(`${at}${key}`, 'is not a scenario field', `use only ${keys.join(', ')}`);
}

function kernelExpectation(kernel: string, v: Json, at: string, hasModule: boolean, fail: Fail): KernelExpectation {
  if (!isObject(v)) fail(at, 'is not an object', 'write the kernel\'s expectations as an object');
  const o = v as Record<string, Json>;
  known(o, ['params', 'capture', 'bootProbes', 'crash', 'insmod', 'dmesg', 'import', 'findings', 'falseFindings'], `${at}.`, fail);
  const params = o.params ?? '';
  if (typeof params !== 'string' || !PARAMS.test(params))
    fail(`${at}.params`, `"${String(params)}" is not a list of module parameters`, 'write name=value pairs separated by single spaces');
  const capture = o.capture ?? 'module';
  if (capture !== 'module' && capture !== 'boot') fail(`${at}.capture`, `"${String(capture)}" is neither module nor boot`, 'use "module" or "boot"');
  const bootProbes = stringList(o.bootProbes ?? [], `${at}.bootProbes`, fail);
  bootProbes.forEach((p, i) => {
    if (!PROBE.test(p))
      fail(`${at}.bootProbes[${i}]`, `"${p}" is not a kprobe definition in group pasid_ledger`, 'write p:pasid_ledger/NAME FUNCTION ARG... (no commas or semicolons)');
  });
  if (capture === 'boot' && bootProbes.length === 0) fail(`${at}.bootProbes`, 'is empty for a boot capture', 'add the probes the kernel command line defines');
  const crash = o.crash ?? false;
  if (typeof crash !== 'boolean') fail(`${at}.crash`, 'is not true or false', 'use true when the kernel BUGs or oopses in the scenario');
  // insmod's status is checked by default only when there is a module and it is not expected to crash.
  const insmod = o.insmod === undefined ? (crash || !hasModule ? null : 0) : o.insmod;
  if (insmod !== null && !Number.isInteger(insmod)) fail(`${at}.insmod`, 'is not an exit status', 'use a number or null');
  const dmesg = stringList(o.dmesg ?? [], `${at}.dmesg`, fail);
  if (capture === 'module' && dmesg.length === 0)
    fail(`${at}.dmesg`, 'is empty', 'list the kernel log lines that show what the kernel did (the truth the audit is checked against)');
  const imp = importExpectation(o.import, `${at}.import`, fail);
  const findings = findingList(o.findings ?? [], `${at}.findings`, false, fail);
  const falseFindings = findingList(o.falseFindings ?? [], `${at}.falseFindings`, true, fail);
  return {
    kernel,
    params: params as string,
    capture: capture as 'module' | 'boot',
    bootProbes,
    crash: crash as boolean,
    insmod: insmod as number | null,
    dmesg,
    import: imp,
    findings,
    falseFindings,
  };
}

function stringList(v: Json, at: string, fail: Fail): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(at, 'is not a list of strings', 'write ["...", "..."]');
  return v as string[];
}

function importExpectation(v: Json, at: string, fail: Fail): ImportExpectation {
  if (v === undefined) return { clean: true, skipped: {}, notes: {} };
  if (!isObject(v)) fail(at, 'is not an object', 'write {"clean": true} or {"clean": false, "skipped": {"REASON": N}}');
  const o = v as Record<string, Json>;
  known(o, ['clean', 'skipped', 'notes', 'knownGap'], `${at}.`, fail);
  if (typeof o.clean !== 'boolean') fail(`${at}.clean`, 'is not true or false', 'say whether every record is kept');
  const skipped = o.skipped ?? {};
  if (!isObject(skipped) || Object.values(skipped).some((n) => !Number.isInteger(n) || (n as number) < 1))
    fail(`${at}.skipped`, 'is not a map of skip reasons to counts', 'write {"ENTRY_WITHOUT_RETURN": 1}');
  if (o.clean === true && Object.keys(skipped as object).length > 0) fail(`${at}.skipped`, 'lists skips for a clean import', 'drop skipped or set clean to false');
  const notes = o.notes ?? {};
  if (!isObject(notes) || Object.values(notes).some((n) => !Number.isInteger(n) || (n as number) < 1))
    fail(`${at}.notes`, 'is not a map of note codes to counts', 'write {"ENTRY_WITHOUT_RETURN": 1}');
  if (o.clean === true && Object.keys(notes as object).length > 0) fail(`${at}.notes`, 'lists problems for a clean import', 'drop notes or set clean to false');
  if (o.clean === false && Object.keys(skipped as object).length === 0 && Object.keys(notes as object).length === 0)
    fail(at, 'is not clean but names no skip and no note', 'list the skip reasons in skipped or the problems about kept records in notes');
  const knownGap = o.knownGap === undefined ? undefined : gap(o.knownGap, `${at}.knownGap`, fail);
  return { clean: o.clean as boolean, skipped: skipped as Record<string, number>, notes: notes as Record<string, number>, ...(knownGap ? { knownGap } : {}) };
}

function findingList(v: Json, at: string, needGap: boolean, fail: Fail): ExpectedFinding[] {
  if (!Array.isArray(v)) fail(at, 'is not a list', 'write [{"code": "..."}]');
  return (v as Json[]).map((f, i) => {
    const here = `${at}[${i}]`;
    if (!isObject(f)) fail(here, 'is not an object', 'write {"code": "CODE", "fn": "...", "message": "..."}');
    const o = f as Record<string, Json>;
    known(o, ['code', 'fn', 'severity', 'message', 'atEnd', 'count', 'knownGap'], `${here}.`, fail);
    if (typeof o.code !== 'string' || !CODE.test(o.code)) fail(`${here}.code`, 'is not a finding code', 'use the UPPER_SNAKE code the audit prints');
    if (o.fn !== undefined && o.fn !== null && typeof o.fn !== 'string') fail(`${here}.fn`, 'is not a function name', 'use the record\'s fn, or null for an end-of-trace finding');
    if (o.severity !== undefined && !['bug', 'misuse', 'info'].includes(o.severity as string))
      fail(`${here}.severity`, 'is not bug, misuse or info', 'use one of bug, misuse, info');
    if (o.message !== undefined && typeof o.message !== 'string') fail(`${here}.message`, 'is not a string', 'copy the normalised message');
    if (o.atEnd !== undefined && typeof o.atEnd !== 'boolean') fail(`${here}.atEnd`, 'is not true or false', 'use true for an end-of-trace finding');
    const count = o.count ?? 1;
    if (!Number.isInteger(count) || (count as number) < 1) fail(`${here}.count`, 'is not a positive whole number', 'say how many such findings');
    if (needGap && o.knownGap === undefined)
      fail(`${here}.knownGap`, 'is missing', 'a false finding is tolerated only as a named known gap: {"gap": "...", "issue": "#20/#21"}');
    const knownGap = o.knownGap === undefined ? undefined : gap(o.knownGap, `${here}.knownGap`, fail);
    return {
      code: o.code as string,
      ...(o.fn !== undefined ? { fn: o.fn as string | null } : {}),
      ...(o.severity !== undefined ? { severity: o.severity as ExpectedFinding['severity'] } : {}),
      ...(o.message !== undefined ? { message: o.message as string } : {}),
      ...(o.atEnd !== undefined ? { atEnd: o.atEnd as boolean } : {}),
      count: count as number,
      ...(knownGap ? { knownGap } : {}),
    };
  });
}

function gap(v: Json, at: string, fail: Fail): KnownGap {
  if (!isObject(v)) fail(at, 'is not an object', 'write {"gap": "name", "issue": "#20/#21", "note": "..."}');
  const o = v as Record<string, Json>;
  known(o, ['gap', 'issue', 'note'], `${at}.`, fail);
  if (typeof o.gap !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(o.gap)) fail(`${at}.gap`, 'is not a gap name', 'use a short kebab-case name, e.g. x86-stable-sva-disabled');
  if (typeof o.issue !== 'string' || !/#\d+/.test(o.issue)) fail(`${at}.issue`, 'names no issue', 'name the issue(s) tracking the fix, e.g. "#20/#21"');
  if (o.note !== undefined && typeof o.note !== 'string') fail(`${at}.note`, 'is not a string', 'say briefly what the kernel did');
  return { gap: o.gap as string, issue: o.issue as string, ...(o.note !== undefined ? { note: o.note as string } : {}) };
}

/** The `key=value` lines the lab's shell and guest read (one value per line, no quoting needed). */
export function shellConfig(s: Scenario, kernel: string): string {
  const k = s.kernels[kernel];
  return [
    `name=${s.name}`,
    `capture=${k.capture}`,
    `params=${k.params}`,
    // The kernel command line separates a probe's fields with commas and probes with semicolons.
    `boot_probes=${k.bootProbes.map((p) => p.split(' ').join(',')).join(';')}`,
    '',
  ].join('\n');
}
