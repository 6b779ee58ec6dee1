/**
 * A first draft of a kernel's expectations from one run, for a scenario author to review against what the
 * kernel did (the goldens are the kernel's truth, not the tool's output: every drafted finding must be
 * confirmed by the kernel log or removed). Pure.
 */
import type { Observed } from './compare.js';
import { normaliseDmesg, normaliseMessage } from './normalise.js';
import { PROBLEM_SEVERITY, type ProblemCode } from '../import/problems.js';

/** Lines from the scenario module's load on, without the taint notices and the register dumps. */
export function draftDmesg(dmesg: string): string[] {
  const lines = normaliseDmesg(dmesg);
  const load = lines.findIndex((l) => l.includes('loading out-of-tree module taints kernel'));
  return lines
    .slice(load + 1)
    .filter((l) => !/module verification failed|^Modules linked in|^CPU: <cpu> |^Tainted: |^PKRU:|^RIP: 0033:|^Call Trace:|^(RSP|RAX|RDX|RBP|R10|R13|FS|CS|CR2|Code):|^ [^ ]|^<TASK>|^<\/TASK>|^Hardware name|^---\[ end trace/.test(l));
}

export function draftExpectation(seen: Observed): Record<string, unknown> {
  const reasons = Object.fromEntries(Object.entries(seen.import.reasons).filter(([, n]) => n > 0));
  const notes = Object.fromEntries(Object.entries(seen.import.notes).filter(([c, n]) => n > 0 && PROBLEM_SEVERITY[c as ProblemCode] === 'problem'));
  return {
    ...(seen.insmod !== null && seen.insmod !== 0 ? { insmod: seen.insmod } : {}),
    dmesg: draftDmesg(seen.dmesg),
    import: seen.import.clean
      ? { clean: true }
      : { clean: false, ...(Object.keys(reasons).length > 0 ? { skipped: reasons } : {}), ...(Object.keys(notes).length > 0 ? { notes } : {}) },
    findings: seen.findings.map((f) => ({ code: f.code, fn: f.fn, severity: f.severity, message: normaliseMessage(f.message), atEnd: f.atEnd })),
  };
}
