/**
 * What an audit could see: how many records of the PASID lifecycle the trace holds, what the
 * import of its capture skipped, and which rules were blind (the trace has calls a rule judges but
 * none of the records it needs to judge them). A trace with no lifecycle record is not "clean": there
 * was nothing to audit. Pure; `RecordCounter` only counts what passes through it.
 */
import type { CallName, CallRecord, ImportCounts, TraceHeader } from '../../events/records.js';
import { ledgerError, type LedgerError } from '../core/result.js';
import type { ReadItem } from '../log/readItem.js';
import { FINDINGS } from '../../machines/findings.js';
import { profileFor } from '../../machines/profile.js';

type FindingCode = keyof typeof FINDINGS;

/** Records that describe devices, not a PASID's lifecycle: a trace of these alone has nothing to audit. */
const DEVICE_STATE: ReadonlySet<CallName> = new Set<CallName>(['iommu_probe_device']);

/** The import problems that made calls or lines into no record (src/import/summary.ts SKIPPING). */
const SKIP_CODES = new Set(['ENTRY_WITHOUT_RETURN', 'RETURN_WITHOUT_ENTRY', 'TRUNCATED_LINE', 'FIELD_INVALID', 'RECORD_INVALID', 'LINE_TOO_LONG']);

interface RuleNeed {
  /** Calls the rule judges: when none is in the trace, the rule had nothing to judge (not blind). */
  readonly judges: readonly CallName[];
  /** Records the rule needs besides (any one): when none is in the trace, it was blind. */
  readonly needs: readonly CallName[];
  /** What the needed records give, in words. */
  readonly why: string;
}

const MAX_PASIDS = 'max_pasids (iommu_probe_device: capture with the BTF kit, or start the kit before the device probes)';
/** Rules that depend on records the capture kit may lack. */
export const RULE_NEEDS: Readonly<Partial<Record<FindingCode, RuleNeed>>> = {
  ATTACH_PASID_OUT_OF_RANGE: { judges: ['iommu_attach_device_pasid'], needs: ['iommu_probe_device'], why: MAX_PASIDS },
  ATTACH_NO_PASID_SUPPORT: { judges: ['iommu_attach_device_pasid'], needs: ['iommu_probe_device'], why: MAX_PASIDS },
  SVA_BIND_NO_PASID_SUPPORT: { judges: ['iommu_sva_bind_device'], needs: ['iommu_probe_device'], why: MAX_PASIDS },
  SVA_BIND_PASID_OUT_OF_RANGE: { judges: ['iommu_sva_bind_device'], needs: ['iommu_probe_device'], why: MAX_PASIDS },
  SVA_BIND_GROUP_NOT_SINGLETON: { judges: ['iommu_sva_bind_device'], needs: ['iommu_probe_device'], why: 'IOMMU groups (iommu_probe_device records with group)' },
  GLOBAL_PASID_EXHAUSTED: { judges: ['iommu_alloc_global_pasid'], needs: ['iommu_probe_device'], why: MAX_PASIDS },
  DEVICE_RELEASED_WITH_PASIDS: { judges: ['iommu_attach_device_pasid', 'iommu_sva_bind_device'], needs: ['iommu_release_device'], why: 'iommu_release_device (not probed by the kit)' },
  ATTACH_DURING_RESET: { judges: ['iommu_attach_device_pasid'], needs: ['pci_dev_reset_iommu_prepare'], why: 'pci_dev_reset_iommu_prepare (not probed by the kit)' },
  REPLACE_NOT_ATTACHED: { judges: ['iommu_attach_device_pasid'], needs: ['iommu_replace_device_pasid'], why: 'iommu_replace_device_pasid (v6.15+)' },
  REPLACE_SAME_HANDLE: { judges: ['iommu_attach_device_pasid'], needs: ['iommu_replace_device_pasid'], why: 'iommu_replace_device_pasid (v6.15+)' },
  VTD_SM_DISABLED_AFTER_ROOT: { judges: ['register_pasid_allocator', 'iommu_sva_bind_device'], needs: ['iommu_set_root_entry'], why: 'iommu_set_root_entry (boot-time, not probed by the kit)' },
  VTD_ROOT_MODE_MISMATCH: { judges: ['register_pasid_allocator', 'iommu_sva_bind_device'], needs: ['iommu_set_root_entry'], why: 'iommu_set_root_entry (boot-time, not probed by the kit)' },
  VTD_VCMD_FREE_ACTIVE: { judges: ['ioasid_alloc'], needs: ['register_pasid_allocator'], why: 'register_pasid_allocator (boot-time: ftrace-probes.sh cmdline)' },
  IOASID_FIND_MISS: { judges: ['ioasid_alloc'], needs: ['ioasid_find'], why: 'ioasid_find (not probed: RCU-only lookups, too hot)' },
  NESTED_CALL_MISMATCH: { judges: ['iommu_attach_device_pasid', 'iommu_detach_device_pasid'], needs: ['set_dev_pasid', 'remove_dev_pasid'], why: 'the driver ops (set_dev_pasid/remove_dev_pasid: this vendor\'s op is not probed or not in kallsyms)' },
};

export interface BlindRule {
  readonly code: FindingCode;
  readonly needs: string;
}

export interface Coverage {
  readonly source: TraceHeader['source'];
  readonly records: number;
  /** Records other than device state. */
  readonly lifecycleRecords: number;
  /** The import's counts: from the trace header, or (auditing a raw capture) from its problems. */
  readonly imported?: ImportCounts;
  readonly blind: readonly BlindRule[];
}

/** Counts the records of a reader stream by function as they pass. */
export class RecordCounter {
  readonly #byFn = new Map<CallName, number>();

  get byFn(): ReadonlyMap<CallName, number> {
    return this.#byFn;
  }

  /** Counts one record (runReplay's onRecord). */
  add(record: CallRecord): void {
    this.#byFn.set(record.fn, (this.#byFn.get(record.fn) ?? 0) + 1);
  }

  async *watch<T extends ReadItem | { kind: 'idle' }>(items: AsyncIterable<T>): AsyncGenerator<T> {
    for await (const item of items) {
      if (item.kind === 'record') this.add((item as Extract<ReadItem, { kind: 'record' }>).entry.record);
      yield item;
    }
  }
}

/** The import counts of a raw capture audited with --from, from the problems it reported. */
function countsFromWarnings(warnings: readonly { code?: string }[], kept: number): ImportCounts | undefined {
  const reasons: Record<string, number> = {};
  let skipped = 0;
  let lost = 0;
  let any = false;
  const notes: Record<string, number> = {};
  for (const w of warnings) {
    if (w.code === undefined) continue;
    if (w.code === 'ENTRY_WITHOUT_RETURN') {
      // Why: since #20 the import keeps such a call (with an unknown return): a note, not a skip.
      notes[w.code] = (notes[w.code] ?? 0) + 1;
      any = true;
    } else if (SKIP_CODES.has(w.code)) {
      skipped++;
      reasons[w.code] = (reasons[w.code] ?? 0) + 1;
      any = true;
    } else if (w.code === 'LOST_EVENTS') {
      lost++;
      reasons.LOST_EVENTS = (reasons.LOST_EVENTS ?? 0) + 1;
      any = true;
    }
  }
  return any ? { kept, skipped, reasons, lostEvents: lost, ...(Object.keys(notes).length > 0 ? { notes } : {}) } : undefined;
}

export function coverageOf(header: TraceHeader, byFn: ReadonlyMap<CallName, number>, warnings: readonly { code?: string }[] = []): Coverage {
  let records = 0;
  let lifecycle = 0;
  for (const [fn, n] of byFn) {
    records += n;
    if (!DEVICE_STATE.has(fn)) lifecycle += n;
  }
  const calls = profileFor(header.kernel)?.calls;
  const has = (fns: readonly CallName[]) => fns.some((fn) => (byFn.get(fn) ?? 0) > 0);
  const blind: BlindRule[] = [];
  for (const [code, need] of Object.entries(RULE_NEEDS) as [FindingCode, RuleNeed][]) {
    // Not blind when nothing it judges happened, when it could see, or when its records do not exist in this kernel.
    if (!has(need.judges) || has(need.needs)) continue;
    if (calls !== undefined && !need.needs.some((fn) => calls.has(fn))) continue;
    blind.push({ code, needs: need.why });
  }
  const imported = header.import ?? (header.source === 'ftrace' || header.source === 'bpftrace' ? countsFromWarnings(warnings, records) : undefined);
  return { source: header.source, records, lifecycleRecords: lifecycle, ...(imported !== undefined ? { imported } : {}), blind };
}

/** The refusal of a trace with nothing to audit (exit 2), or undefined. */
export function nothingToAudit(c: Coverage, file: string): LedgerError | undefined {
  if (c.lifecycleRecords > 0) return undefined;
  const only = c.records > 0 ? ` (only ${c.records} device record${c.records === 1 ? '' : 's'})` : '';
  return ledgerError('NO_LIFECYCLE_RECORD', `the trace holds no record of the PASID lifecycle${only}: nothing to audit, which is not the same as no finding`, {
    file,
    fix: 'capture the workload with the kit in capture/ (ftrace-probes.sh or gen-bpftrace.sh) and import it',
  });
}

/** The lines the audit's text summary adds: what the import skipped, which rules were blind. */
export function formatCoverage(c: Coverage): string[] {
  const lines: string[] = [];
  if (c.imported !== undefined && (c.imported.skipped > 0 || c.imported.lostEvents > 0)) {
    const why = Object.entries(c.imported.reasons)
      .filter(([code]) => SKIP_CODES.has(code) || code === 'LOST_EVENTS')
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    lines.push(`import: ${c.imported.skipped} call(s) of the capture were skipped${c.imported.lostEvents > 0 ? `, the tracer lost ${c.imported.lostEvents} event(s)` : ''} (${why}): findings may be missing or be artefacts`);
  }
  // Why: a call cut short by an oops is kept with an unknown return (#20); the audit says so, and names the report.
  const unreturned = c.imported?.notes?.ENTRY_WITHOUT_RETURN ?? 0;
  if (unreturned > 0) lines.push(`import: ${unreturned} call(s) never returned (kept with an unknown return; see the import's notes)`);
  for (const r of c.imported?.kernelReports ?? []) {
    const inside = r.inside.length > 0 ? `inside seq ${r.inside.join(' → ')}` : 'outside any probed call';
    lines.push(`kernel: "${r.text}"${r.rip !== undefined ? ` at ${r.rip}` : ''} on task ${r.tid}, ${inside}`);
  }
  if (c.blind.length > 0 && (c.source === 'ftrace' || c.source === 'bpftrace')) {
    lines.push(`blind on this capture (${c.blind.length} rule(s) had calls to judge but not the records they need):`);
    for (const b of c.blind) lines.push(`  ${b.code.padEnd(34)} needs ${b.needs}`);
  }
  return lines;
}
