/**
 * Compares one lab run (the kernel's log, insmod's status, the import summary, the audit's findings) with
 * the scenario's golden expectations for that kernel. Pure: every input is already read and parsed.
 *
 * Verdicts: PASS (as expected), FAIL (the tool or the kernel did something else), KNOWN GAP (a documented
 * model gap: the tool disagrees with the kernel as the scenario says it currently does), GAP CLOSED (a
 * known gap no longer shows: the tool now agrees with the kernel, so the mark can go).
 */
import type { ExpectedFinding, KernelExpectation, KnownGap } from './scenario.js';
import { normaliseDmesg, normaliseMessage } from './normalise.js';
import { PROBLEM_SEVERITY, type ProblemCode } from '../import/problems.js';

export type Status = 'PASS' | 'FAIL' | 'KNOWN GAP' | 'GAP CLOSED';

export interface Verdict {
  readonly status: Status;
  readonly check: string;
  readonly detail: string;
}

export interface ObservedFinding {
  readonly code: string;
  readonly fn: string | null;
  readonly severity: string;
  readonly message: string;
  readonly atEnd: boolean;
  readonly seq?: number;
}

export interface ObservedImport {
  readonly clean: boolean;
  /** The importer refused the capture as a whole (exit 2): no trace was written. */
  readonly fatal?: boolean;
  readonly kept: number;
  readonly skipped: number;
  readonly reasons: Readonly<Record<string, number>>;
  /** Notes about kept records: code → count (problems and notices alike). */
  readonly notes: Readonly<Record<string, number>>;
}

export interface Observed {
  readonly dmesg: string;
  readonly insmod: number | null;
  readonly import: ObservedImport;
  readonly findings: readonly ObservedFinding[];
  /** The audit refused the trace as nothing to audit (device records only, e.g. a boot capture): exit 2, no findings. */
  readonly nothingToAudit?: boolean;
}

const CRASH = /kernel BUG at |^Oops: |general protection fault|BUG: unable to handle|Kernel panic - not syncing/;

const gapText = (g: KnownGap): string => `known gap ${g.gap} (${g.issue})${g.note ? `: ${g.note}` : ''}`;

export function compareRun(expect: KernelExpectation, seen: Observed): Verdict[] {
  return [...checkCrash(expect, seen), ...checkInsmod(expect, seen), ...checkDmesg(expect, seen), checkImport(expect, seen), ...checkFindings(expect, seen)];
}

/** The run matches when nothing FAILed. */
export const passed = (verdicts: readonly Verdict[]): boolean => verdicts.every((v) => v.status !== 'FAIL');

function checkCrash(expect: KernelExpectation, seen: Observed): Verdict[] {
  const crash = normaliseDmesg(seen.dmesg).find((l) => CRASH.test(l));
  if (expect.crash && !crash) return [{ status: 'FAIL', check: 'crash', detail: 'the scenario expects the kernel to BUG or oops, and it did not' }];
  if (!expect.crash && crash) return [{ status: 'FAIL', check: 'crash', detail: `the kernel crashed: "${crash}"` }];
  return [{ status: 'PASS', check: 'crash', detail: crash ? `the kernel crashed as expected: "${crash}"` : 'no BUG, oops or panic' }];
}

function checkInsmod(expect: KernelExpectation, seen: Observed): Verdict[] {
  if (expect.insmod === null) return [];
  if (seen.insmod === expect.insmod) return [{ status: 'PASS', check: 'insmod', detail: `exit status ${seen.insmod}` }];
  return [{ status: 'FAIL', check: 'insmod', detail: `exit status ${seen.insmod ?? 'unknown (no module loaded)'}, expected ${expect.insmod}` }];
}

function checkDmesg(expect: KernelExpectation, seen: Observed): Verdict[] {
  if (expect.dmesg.length === 0) return [];
  const lines = normaliseDmesg(seen.dmesg);
  let at = 0;
  for (let i = 0; i < expect.dmesg.length; i++) {
    const want = expect.dmesg[i];
    const found = lines.indexOf(want, at);
    if (found < 0) {
      const earlier = lines.indexOf(want) >= 0;
      const prefix = want.slice(0, Math.min(want.length, 24));
      const near = lines.slice(at).find((l) => l.startsWith(prefix));
      const hint = earlier ? ' (it appears, but before the previous expected line)' : near ? `; nearest: "${near}"` : '';
      return [{ status: 'FAIL', check: 'dmesg', detail: `expected line ${i + 1} of ${expect.dmesg.length} not found: "${want}"${hint}` }];
    }
    at = found + 1;
  }
  return [{ status: 'PASS', check: 'dmesg', detail: `${expect.dmesg.length} expected kernel log lines, in order` }];
}

const counts = (m: Readonly<Record<string, number>>): string => Object.entries(m).map(([r, n]) => `${r} ×${n}`).join(', ');

function checkImport(expect: KernelExpectation, seen: Observed): Verdict {
  const want = expect.import;
  // Reasons say why records were dropped (compared exactly, and the skip total must add up to them);
  // of the notes about kept records only the problems are compared (a notice such as a record the
  // importer added is not the kernel's doing).
  const wantTotal = Object.values(want.skipped).reduce((a, n) => a + n, 0);
  const reasons = Object.entries(seen.import.reasons).filter(([, n]) => n > 0);
  const problems = Object.entries(seen.import.notes).filter(([c, n]) => n > 0 && PROBLEM_SEVERITY[c as ProblemCode] === 'problem');
  const got = seen.import.fatal
    ? `refused the capture (${Object.keys(seen.import.reasons).join(', ') || 'fatal'}; ${seen.import.skipped} skipped)`
    : seen.import.clean
      ? 'clean'
      : [
          seen.import.skipped > 0 || reasons.length > 0 ? `skipped ${seen.import.skipped}: ${reasons.map(([r, n]) => `${r} ×${n}`).join(', ') || 'no reason given'}` : 'skipped 0',
          ...(problems.length > 0 ? [`notes ${problems.map(([r, n]) => `${r} ×${n}`).join(', ')}`] : []),
        ].join('; ');
  const same =
    !seen.import.fatal &&
    seen.import.clean === want.clean &&
    seen.import.skipped === wantTotal &&
    Object.entries(want.skipped).every(([r, n]) => seen.import.reasons[r] === n) &&
    Object.entries(want.notes).every(([r, n]) => seen.import.notes[r] === n) &&
    problems.every(([r]) => r in want.notes);
  const wanted = want.clean
    ? 'clean'
    : [`skipped ${wantTotal}${wantTotal > 0 ? `: ${counts(want.skipped)}` : ''}`, ...(Object.keys(want.notes).length > 0 ? [`notes ${counts(want.notes)}`] : [])].join('; ');
  if (same && want.knownGap) return { status: 'GAP CLOSED', check: 'import', detail: `${got}, as expected: remove the ${gapText(want.knownGap)}` };
  if (same) return { status: 'PASS', check: 'import', detail: `${got}, ${seen.import.kept} records kept` };
  if (want.knownGap) return { status: 'KNOWN GAP', check: 'import', detail: `${got}; the kernel's truth is ${wanted}; ${gapText(want.knownGap)}` };
  return { status: 'FAIL', check: 'import', detail: `${got}, ${seen.import.kept} records kept; expected ${wanted}` };
}

const FIELDS = ['fn', 'severity', 'message', 'atEnd'] as const;

function matches(e: ExpectedFinding, f: ObservedFinding): boolean {
  if (e.code !== f.code) return false;
  if (e.fn !== undefined && e.fn !== f.fn) return false;
  if (e.severity !== undefined && e.severity !== f.severity) return false;
  if (e.atEnd !== undefined && e.atEnd !== f.atEnd) return false;
  return e.message === undefined || e.message === normaliseMessage(f.message);
}

const specificity = (e: ExpectedFinding): number => FIELDS.filter((k) => e[k] !== undefined).length;

const describe = (f: ObservedFinding | ExpectedFinding): string => {
  const fn = 'fn' in f && f.fn ? ` ${f.fn}` : '';
  const sev = f.severity ? ` (${f.severity})` : '';
  const msg = f.message !== undefined ? `: ${normaliseMessage(f.message)}` : '';
  return `${f.code}${fn}${sev}${msg}`;
};

/** How the nearest same-code finding differs from an expectation (the lead's first question). */
function difference(e: ExpectedFinding, pool: readonly ObservedFinding[]): string {
  const same = pool.find((f) => f.code === e.code);
  if (!same) return 'the audit reports no such code';
  const diffs = FIELDS.filter((k) => e[k] !== undefined && (k === 'message' ? e.message !== normaliseMessage(same.message) : e[k] !== same[k])).map(
    (k) => `${k} ${JSON.stringify(k === 'message' ? normaliseMessage(same.message) : same[k])} ≠ expected ${JSON.stringify(e[k])}`,
  );
  return `the nearest ${e.code} differs: ${diffs.join('; ')}`;
}

function checkFindings(expect: KernelExpectation, seen: Observed): Verdict[] {
  const verdicts: Verdict[] = [];
  // Why: a boot capture holds device records only; the audit says there is nothing to judge (no all-clear).
  if (seen.nothingToAudit === true && expect.findings.length === 0) {
    verdicts.push({ status: 'PASS', check: 'finding', detail: 'none: the audit has nothing to judge (device records only) and says so' });
  }
  const left = [...seen.findings];
  const take = (e: ExpectedFinding): ObservedFinding | undefined => {
    const i = left.findIndex((f) => matches(e, f));
    return i < 0 ? undefined : left.splice(i, 1)[0];
  };
  const expanded = (list: readonly ExpectedFinding[]) =>
    list.flatMap((e) => Array.from({ length: e.count }, () => e)).sort((a, b) => specificity(b) - specificity(a));

  const missing: ExpectedFinding[] = [];
  for (const e of expanded(expect.findings)) {
    const f = take(e);
    if (f && e.knownGap) verdicts.push({ status: 'GAP CLOSED', check: 'finding', detail: `${describe(f)} is now reported: remove the ${gapText(e.knownGap)}` });
    else if (f) verdicts.push({ status: 'PASS', check: 'finding', detail: describe(f) });
    else missing.push(e);
  }
  // Judged after every expected finding took its match, so the hint names a finding nobody claimed.
  for (const e of missing) {
    const why = difference(e, left.length > 0 ? left : seen.findings);
    if (e.knownGap) verdicts.push({ status: 'KNOWN GAP', check: 'finding', detail: `the kernel's truth ${describe(e)} is not reported (${why}); ${gapText(e.knownGap)}` });
    else verdicts.push({ status: 'FAIL', check: 'finding', detail: `missing ${describe(e)} (${why})` });
  }
  for (const e of expanded(expect.falseFindings)) {
    const f = take(e);
    const g = e.knownGap as KnownGap;
    if (f) verdicts.push({ status: 'KNOWN GAP', check: 'false finding', detail: `the tool reports ${describe(f)} though the kernel did otherwise; ${gapText(g)}` });
    else verdicts.push({ status: 'GAP CLOSED', check: 'false finding', detail: `${describe(e)} is no longer reported: remove it with its ${gapText(g)}` });
  }
  for (const f of left) verdicts.push({ status: 'FAIL', check: 'finding', detail: `unexpected ${describe(f)}${f.seq !== undefined ? ` [seq ${f.seq}]` : ''}` });
  return verdicts;
}

export function formatVerdicts(title: string, verdicts: readonly Verdict[]): string {
  const pad = (s: string) => s.padEnd(10);
  const counts = (s: Status) => verdicts.filter((v) => v.status === s).length;
  const lines = verdicts.map((v) => `${pad(v.status)} ${v.check}: ${v.detail}`);
  const ok = passed(verdicts);
  lines.push(
    `${ok ? 'MATCH' : 'MISMATCH'} ${title}: ${counts('PASS')} pass, ${counts('FAIL')} fail, ${counts('KNOWN GAP')} known gap(s), ${counts('GAP CLOSED')} gap(s) closed`,
  );
  return lines.join('\n') + '\n';
}
