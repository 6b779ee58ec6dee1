import { describe, it, expect } from 'vitest';
import { coverageOf, formatCoverage, nothingToAudit, RULE_NEEDS } from '../../src/audit/coverage.js';
import { FINDINGS } from '../../machines/findings.js';
import type { CallName, TraceHeader } from '../../events/records.js';
import { cli } from '../support/cli.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const header = (source: TraceHeader['source'], extra: Partial<TraceHeader> = {}): TraceHeader => ({ type: 'header', format: 'pasid-ledger-trace', version: 1, kernel: '6.8.0', source, ...extra });
const counts = (o: Partial<Record<CallName, number>>) => new Map(Object.entries(o) as [CallName, number][]);

describe('what an audit could see', () => {
  it('names only finding codes of the catalogue', () => {
    for (const code of Object.keys(RULE_NEEDS)) expect(FINDINGS, code).toHaveProperty(code);
  });
  it('calls a rule blind when the trace has calls it judges but none of the records it needs', () => {
    const c = coverageOf(header('ftrace'), counts({ iommu_attach_device_pasid: 3 }));
    expect(c.blind.map((b) => b.code)).toContain('ATTACH_PASID_OUT_OF_RANGE');
  });
  it('does not call it blind once the needed records are there (a device probe gives max_pasids)', () => {
    const c = coverageOf(header('ftrace'), counts({ iommu_attach_device_pasid: 3, iommu_probe_device: 1 }));
    expect(c.blind.map((b) => b.code)).not.toContain('ATTACH_PASID_OUT_OF_RANGE');
  });
  it('does not call it blind when nothing it judges happened, or when its records do not exist in that kernel', () => {
    expect(coverageOf(header('ftrace'), counts({ iommu_free_global_pasid: 1 })).blind.map((b) => b.code)).not.toContain('ATTACH_PASID_OUT_OF_RANGE');
    // iommu_replace_device_pasid exists from v6.15 only
    expect(coverageOf(header('ftrace'), counts({ iommu_attach_device_pasid: 1 })).blind.map((b) => b.code)).not.toContain('REPLACE_NOT_ATTACHED');
    expect(coverageOf(header('ftrace', { kernel: '6.15.0' }), counts({ iommu_attach_device_pasid: 1 })).blind.map((b) => b.code)).toContain('REPLACE_NOT_ATTACHED');
  });
  it('repeats the import counts of the header, and says nothing of them when nothing was skipped', () => {
    const imported = { kept: 5, skipped: 2, reasons: { ENTRY_WITHOUT_RETURN: 2, UNKNOWN_FUNCTION: 4 }, lostEvents: 0 };
    const lines = formatCoverage(coverageOf(header('ftrace', { import: imported }), counts({ ioasid_alloc: 5 })));
    expect(lines[0]).toBe('import: 2 call(s) of the capture were skipped (ENTRY_WITHOUT_RETURN 2): findings may be missing or be artefacts');
    expect(formatCoverage(coverageOf(header('ftrace', { import: { ...imported, skipped: 0, reasons: {} } }), counts({ ioasid_alloc: 5 })))).toEqual([]);
  });
  it('counts the skips of a raw capture audited with --from from its problems', () => {
    const c = coverageOf(header('bpftrace'), counts({ ioasid_alloc: 1 }), [{ code: 'FIELD_INVALID' }, { code: 'FIELD_INVALID' }, { code: 'CLOCK_BACKWARDS' }]);
    expect(c.imported).toEqual({ kept: 1, skipped: 2, reasons: { FIELD_INVALID: 2 }, lostEvents: 0 });
  });
  it('counts an entry without return of a raw capture as a kept call, not a skip (#20)', () => {
    const c = coverageOf(header('bpftrace'), counts({ ioasid_alloc: 1 }), [{ code: 'ENTRY_WITHOUT_RETURN' }, { code: 'ENTRY_WITHOUT_RETURN' }]);
    expect(c.imported).toEqual({ kept: 1, skipped: 0, reasons: {}, lostEvents: 0, notes: { ENTRY_WITHOUT_RETURN: 2 } });
    expect(formatCoverage(c)).toEqual(["import: 2 call(s) never returned (kept with an unknown return; see the import's notes)"]);
  });
  it('has nothing to audit in a trace without lifecycle records, device records or not', () => {
    expect(nothingToAudit(coverageOf(header('ftrace'), counts({})), 't.jsonl')?.code).toBe('NO_LIFECYCLE_RECORD');
    expect(nothingToAudit(coverageOf(header('ftrace'), counts({ iommu_probe_device: 2 })), 't.jsonl')?.message).toContain('only 2 device records');
    expect(nothingToAudit(coverageOf(header('ftrace'), counts({ iommu_free_global_pasid: 1 })), 't.jsonl')).toBeUndefined();
  });
});

describe('pasid-ledger audit of a trace with nothing to audit', () => {
  it('exits 2 and says so instead of reporting 0 findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-cov-'));
    writeFileSync(join(dir, 't.jsonl'), `${JSON.stringify(header('ftrace'))}\n`);
    const r = await cli(['audit', join(dir, 't.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no record of the PASID lifecycle');
    expect(r.stdout).not.toContain('0 finding');
  });
});
