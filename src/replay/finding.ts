/** A finding as the audit reports it: stable code, where, what, the kernel's reaction, the fix. Pure. */
import { FINDINGS, reactionOf, severityOf, type FindingCode, type Reaction, type Severity } from '../../machines/findings.js';
import type { Profile } from '../../machines/profile.js';
import type { RawFinding } from '../../machines/kit/world.js';

export interface Finding {
  readonly code: FindingCode;
  /** The call record that raised it; for end-of-trace leaks, the record that created the object. */
  readonly seq: number | null;
  /** Line in the trace file (null when unknown, e.g. for generated records). */
  readonly line: number | null;
  readonly fn: string | null;
  readonly objects: Readonly<Record<string, string | number | boolean | null>>;
  readonly reaction: Reaction;
  readonly severity: Severity;
  /** Bug catalogue and section references of the semantics, e.g. "A34 §4.2". */
  readonly ref: string;
  readonly message: string;
  readonly rule: string;
  readonly fix: string;
  /** Raised by the end-of-trace checks rather than by a call. */
  readonly atEnd: boolean;
  /** The capture lost events before this record: the finding may be an artefact. */
  readonly maybeLostEvents?: boolean;
}

const REACTION_WORDS: Record<Reaction, string> = {
  ERR: 'returns an error',
  WARN: 'WARNs',
  LOG: 'only logs',
  SILENT: 'says nothing',
};

export function toFinding(
  raw: RawFinding,
  where: { seq: number | null; line: number | null; fn: string | null; atEnd?: boolean },
  p: Profile,
): Finding {
  const spec = FINDINGS[raw.code];
  const reaction = reactionOf(raw.code, p);
  const site = where.fn ? ` in ${where.fn}` : '';
  const detail = raw.detail || spec.title;
  return {
    code: raw.code,
    seq: where.seq,
    line: where.line,
    fn: where.fn,
    objects: raw.objects,
    reaction,
    severity: severityOf(raw.code, p),
    ref: spec.ref,
    message: `${detail} (Linux ${p.major}.${p.minor} ${REACTION_WORDS[reaction]}${site})`,
    rule: raw.rule,
    fix: spec.fix,
    atEnd: where.atEnd ?? false,
  };
}
