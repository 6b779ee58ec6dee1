/** Test support: build call records tersely and replay them under a kernel version. */
import type { CallName, CallRecord, CallRecordOf } from '../../events/records.js';
import { profileFor, type Profile } from '../../machines/profile.js';
import type { StepMode } from '../../machines/kit/world.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import type { Replay } from '../../src/replay/replay.js';

export interface CallSpec<F extends CallName = CallName> {
  readonly fn: F;
  readonly args: CallRecordOf<F>['args'];
  readonly ret?: CallRecordOf<F>['ret'];
  readonly parent?: number;
  readonly tid?: number;
}

/** A call record for `fn` with `args` (and `ret` when given; omitted = the model computes it). */
export function call<F extends CallName>(fn: F, args: CallRecordOf<F>['args'], ret?: CallRecordOf<F>['ret'], extra: { parent?: number; tid?: number } = {}): CallSpec<F> {
  return { fn, args, ...(ret === undefined ? {} : { ret }), ...extra } as CallSpec<F>;
}

/** Numbers the calls seq 1..n (ts, cpu, tid filled in). */
export function records(calls: readonly CallSpec[]): CallRecord[] {
  return calls.map((c, i) => ({
    seq: i + 1,
    ts: 1000 * (i + 1),
    cpu: 0,
    tid: c.tid ?? 100,
    ...(c.parent === undefined ? {} : { parent: c.parent }),
    fn: c.fn,
    args: c.args,
    ...(c.ret === undefined ? {} : { ret: c.ret }),
  })) as CallRecord[];
}

/** Host facts a test kernel spec may name after the version: "5.10.0 intel", "6.12.64 x86 intel". */
const HOST_WORDS: Record<string, Record<string, string | boolean>> = {
  intel: { iommu: 'intel-vt-d' },
  smmuv3: { iommu: 'arm-smmu-v3' },
  amd: { iommu: 'amd-iommu' },
  x86: { arch: 'x86_64' },
  arm64: { arch: 'aarch64' },
};

/** The profile of a test kernel spec: a version, then optional host words (HOST_WORDS). */
export function profile(spec: string): Profile {
  const [kernel, ...words] = spec.split(' ');
  const host = Object.assign({}, ...words.map((w) => HOST_WORDS[w] ?? {})) as Record<string, string | boolean>;
  const p = profileFor(kernel, host);
  if (!p) throw new Error(`no profile for ${spec}`);
  return p;
}

/** Replays calls under a kernel version (end-of-trace checks included). */
export function replayCalls(kernel: string, calls: readonly CallSpec[], mode: StepMode = 'fast'): Replay {
  return replayEntries(records(calls).map((record, i) => ({ record, line: i + 2 })), profile(kernel), mode);
}

/** The finding codes a replay raised, in order. */
export const codes = (r: Replay) => r.findings.map((f) => f.code);
/** The fact types a replay appended, in order. */
export const factTypes = (r: Replay) => r.log.all().map((f) => f.type);
