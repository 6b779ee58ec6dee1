/**
 * Reading a race scenario file (events/scenario.ts): the header, then one call a line, each checked
 * by its schema and then against the calls it refers to. Every problem is an error value naming the
 * line, the field and the fix. Pure: takes the file's text.
 */
import { RECORD_SPECS, type CallName } from '../../events/records.js';
import {
  SCENARIO_FORMAT, SCENARIO_FORMAT_VERSION, SETUP, TEARDOWN, isRetOf, validateScenarioHeader, validateScenarioLine,
  type CallRef, type ScenarioHeader, type ScenarioLine,
} from '../../events/scenario.js';
import type { SchemaError } from '../../events/validate.js';
import type { CallBody } from './scenario.js';
import { ledgerError, type LedgerError, type Result, ok, err } from '../core/result.js';

/** A call of the scenario as written, with its references resolved to call indices. */
/** A call as the file gives it; a `{ret_of}` argument is `{ ref: <index into calls>, field? }`. */
export interface SpecCall extends CallBody {
  readonly line: number;
  /** `setup`, `teardown` or the task's name. */
  readonly section: string;
  /** 1-based position in its section. */
  readonly index: number;
}

export interface ScenarioSpec {
  readonly header: ScenarioHeader;
  /** In file order. */
  readonly calls: readonly SpecCall[];
  /** Task names in order of first appearance. */
  readonly tasks: readonly string[];
}

/** What a reference may point at: the value is known when the referring call runs. */
function reachable(from: string, to: string): boolean {
  if (to === from) return true;
  if (to === SETUP) return true;
  return from === TEARDOWN;
}

const VALUE_RETS = new Set(['retIoasid', 'retPasid', 'retHandle', 'retDomain', 'retPtr']);
const NUMBER_KINDS = new Set(['pasid', 'pasidOrInvalid', 'ioasid']);
const NUMBER_RETS = new Set(['retIoasid', 'retPasid']);
const NAME_RETS = new Set(['retHandle', 'retDomain']);

function schemaText(e: SchemaError): { field?: string; what: string } {
  const path = e.path === '' ? undefined : e.path.slice(1).replace(/\//g, '.');
  if (e.keyword === 'required') return { field: [path, String(e.params.missingProperty)].filter(Boolean).join('.'), what: 'is required' };
  if (e.keyword === 'additionalProperties') return { field: [path, String(e.params.additionalProperty)].filter(Boolean).join('.'), what: 'is not a field here' };
  return { field: path, what: e.message };
}

export function parseScenario(text: string, file: string): Result<ScenarioSpec, LedgerError> {
  const lines = text.split('\n');
  const fail = (line: number, code: string, what: string, fix: string, field?: string) => err(ledgerError(code, what, { file, line, ...(field ? { field } : {}), fix }));
  let header: ScenarioHeader | undefined;
  const raw: { line: number; value: ScenarioLine }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (e) {
      return fail(i + 1, 'SCENARIO_JSON', `not JSON (${(e as Error).message})`, 'write one JSON object per line');
    }
    if (header === undefined) {
      const he = validateScenarioHeader(value);
      if (he) {
        const s = schemaText(he);
        return fail(i + 1, 'SCENARIO_HEADER', s.field ? `${s.what} in the scenario header` : `the scenario header ${s.what}`, `line 1 is {"type":"header","format":"${SCENARIO_FORMAT}","version":1,"kernel":"6.6.0"}`, s.field);
      }
      header = value as ScenarioHeader;
      if (header.version > SCENARIO_FORMAT_VERSION) return fail(i + 1, 'SCENARIO_VERSION', `format version ${header.version} is newer than this tool (${SCENARIO_FORMAT_VERSION})`, 'upgrade pasid-ledger', 'version');
      continue;
    }
    const le = validateScenarioLine(value);
    if (le) {
      const s = schemaText(le);
      return fail(i + 1, 'SCENARIO_LINE', s.field ? s.what : `this call ${s.what}`, 'see docs/explore.md for the fields of a scenario call (in, fn, args, if_ok, if_failed, host, name)', s.field);
    }
    raw.push({ line: i + 1, value: value as ScenarioLine });
  }
  if (header === undefined) return err(ledgerError('EMPTY_FILE', 'no header and no calls', { file, fix: 'write a scenario header on line 1' }));

  const tasks: string[] = [];
  const counts = new Map<string, number>();
  const where = new Map<string, number>();
  const placed = raw.map(({ line, value }) => {
    const section = value.in;
    if (section !== SETUP && section !== TEARDOWN && !tasks.includes(section)) tasks.push(section);
    const index = (counts.get(section) ?? 0) + 1;
    counts.set(section, index);
    return { line, value, section, index };
  });
  placed.forEach((p, i) => where.set(`${p.section}:${p.index}`, i));
  if (tasks.length === 0) return fail(placed[0]?.line ?? 1, 'SCENARIO_NO_TASKS', 'no call is in a task (every call is in setup or teardown)', 'give the concurrent calls "in": "t1", "t2", ... (one name per task)', 'in');

  const names = new Map<string, number>();
  const calls: SpecCall[] = [];
  for (const p of placed) {
    const { line, value, section, index } = p;
    /** Resolves a reference of this call (condition: for the message). */
    const target = (ref: CallRef, field: string, condition: boolean): Result<number, LedgerError> => {
      const [sec, num] = typeof ref === 'number' ? [section, ref] : ref.includes(':') ? [ref.slice(0, ref.indexOf(':')), Number(ref.slice(ref.indexOf(':') + 1))] : [section, Number(ref)];
      const at = where.get(`${sec}:${num}`);
      const shown = typeof ref === 'number' ? String(ref) : `"${ref}"`;
      if (sec !== section && sec !== SETUP && sec !== TEARDOWN && !tasks.includes(sec)) {
        return fail(line, 'SCENARIO_BAD_REF', `${shown} names section "${sec}", which has no call`, `use a call number of this section, or setup:k${section === TEARDOWN ? ' or <task>:k' : ''}`, field);
      }
      if (sec === section && num >= index) {
        return fail(line, 'SCENARIO_REF_LATER', `${shown} is call ${num} of ${section}, and this is call ${index}: ${num === index ? 'a call cannot use itself' : 'that call has not run yet'}`, `refer to an earlier call of ${section} (1..${index - 1})${index === 1 ? ' or setup:k' : ''}`, field);
      }
      if (at === undefined) return fail(line, 'SCENARIO_BAD_REF', `${shown}: ${sec} has no call ${num} (it has ${counts.get(sec) ?? 0})`, 'count the calls of that section from 1 in file order', field);
      if (!reachable(section, sec)) {
        if (condition) {
          return fail(line, 'SCENARIO_CROSS_TASK_CONDITION', `${shown} is a call of ${sec === TEARDOWN ? 'teardown, which runs after every task' : `another task (${sec}), which runs concurrently`}; a condition can only test a call that has surely finished`, `test a call of ${section} itself or of setup; to act on another task's result, put the call in teardown (it runs after every task ended)`, field);
        }
        return fail(line, 'SCENARIO_CROSS_TASK_REF', `${shown} is a call of ${sec === TEARDOWN ? 'teardown, which runs after every task' : `another task (${sec}), which runs concurrently`}: its return is not known when this call runs`, `use a value of ${section} itself or of setup (setup:k); teardown may use any task's calls`, field);
      }
      return ok(at);
    };

    let ifOk: number | undefined;
    let ifFailed: number | undefined;
    if (value.if_ok !== undefined && value.if_failed !== undefined) return fail(line, 'SCENARIO_TWO_CONDITIONS', 'a call has if_ok and if_failed', 'keep one condition per call', 'if_failed');
    if (value.if_ok !== undefined) {
      const t = target(value.if_ok, 'if_ok', true);
      if (!t.ok) return t;
      ifOk = t.value;
    }
    if (value.if_failed !== undefined) {
      const t = target(value.if_failed, 'if_failed', true);
      if (!t.ok) return t;
      ifFailed = t.value;
    }
    const spec = RECORD_SPECS[value.fn];
    const refs: { arg: string; call: number; field?: 'pasid' }[] = [];
    const args: Record<string, unknown> = {};
    for (const [arg, v] of Object.entries(value.args)) {
      if (!isRetOf(v)) {
        args[arg] = v;
        continue;
      }
      const field = `args.${arg}.ret_of`;
      const t = target(v.ret_of, field, false);
      if (!t.ok) return t;
      const src = placed[t.value];
      const srcRet = RECORD_SPECS[src.value.fn].ret;
      const kindSpec = (spec.args as Record<string, string>)[arg];
      const kind = kindSpec.endsWith('?') ? kindSpec.slice(0, -1) : kindSpec;
      const srcName = `call ${src.section}:${src.index} (line ${src.line}, ${src.value.fn})`;
      if (v.field === 'pasid') {
        if (src.value.fn !== 'iommu_sva_bind_device') return fail(line, 'SCENARIO_BAD_FIELD', `"field": "pasid" reads the PASID of an SVA handle (iommu_sva_get_pasid), but ${srcName} returns no handle`, 'drop "field" to use the return itself', `args.${arg}.field`);
        if (!NUMBER_KINDS.has(kind)) return fail(line, 'SCENARIO_REF_KIND', `args.${arg} is not a PASID or IOASID, so it cannot take the PASID of ${srcName}`, 'use the field on a pasid or ioasid argument', field);
      } else {
        if (!VALUE_RETS.has(srcRet)) return fail(line, 'SCENARIO_REF_VOID', `${srcName} returns ${srcRet === 'retVoid' ? 'nothing (void)' : 'only success or an error'}, which is no value for args.${arg}`, 'refer to the call that returns the ID, PASID, handle or domain; use if_ok to test success', field);
        if (NUMBER_KINDS.has(kind) && !NUMBER_RETS.has(srcRet)) {
          const hint = src.value.fn === 'iommu_sva_bind_device' ? `; use {"ret_of": ${JSON.stringify(v.ret_of)}, "field": "pasid"}` : '';
          return fail(line, 'SCENARIO_REF_KIND', `args.${arg} takes a number, but ${srcName} returns a name`, `refer to a call that returns an ID or PASID${hint}`, field);
        }
        if (!NUMBER_KINDS.has(kind) && !NAME_RETS.has(srcRet) && srcRet !== 'retPtr') return fail(line, 'SCENARIO_REF_KIND', `args.${arg} takes a name, but ${srcName} returns a number`, 'refer to the call that returns the handle or domain', field);
      }
      args[arg] = { ref: t.value, ...(v.field ? { field: v.field } : {}) };
      refs.push({ arg, call: t.value, ...(v.field ? { field: v.field } : {}) });
    }
    if (value.host !== undefined && value.fn !== 'ioasid_alloc') return fail(line, 'SCENARIO_BAD_HOST', `"host" pins the answer of a custom allocator's host, but ${value.fn} asks no host`, 'use "host" on an ioasid_alloc (or "hosts" in the header)', 'host');
    if (value.name !== undefined) {
      if (!NAME_RETS.has(spec.ret)) return fail(line, 'SCENARIO_BAD_NAME', `"name" names the object a call returns, but ${value.fn} returns no object`, 'use "name" on a domain alloc or an SVA bind', 'name');
      const dup = names.get(value.name);
      if (dup !== undefined) return fail(line, 'SCENARIO_DUPLICATE_NAME', `"${value.name}" already names the return of line ${dup}`, 'give every returned object its own name', 'name');
      names.set(value.name, line);
    }
    calls.push({ line, section, index, fn: value.fn, args, refs, ...(ifOk !== undefined ? { ifOk } : {}), ...(ifFailed !== undefined ? { ifFailed } : {}), ...(value.host !== undefined ? { host: value.host } : {}), ...(value.name !== undefined ? { name: value.name } : {}) });
  }
  return ok({ header, calls, tasks });
}

/** True when the first non-empty line of a file's text is a scenario header. */
export function isScenarioText(firstLine: string): boolean {
  try {
    const v = JSON.parse(firstLine) as { format?: unknown };
    return typeof v === 'object' && v !== null && v.format === SCENARIO_FORMAT;
  } catch {
    return false;
  }
}
