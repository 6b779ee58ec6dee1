import { describe, expect, it } from 'vitest';
import { compareRun, passed, type Observed, type ObservedFinding } from '../../src/lab/compare.js';
import { parseScenario, type KernelExpectation } from '../../src/lab/scenario.js';

const GAP = { gap: 'x86-stable-sva-disabled', issue: '#20/#21' };

function expectation(k: Record<string, unknown>): KernelExpectation {
  const r = parseScenario('s', 's/scenario.json', JSON.stringify({ description: 'd', kernels: { '6.1': { dmesg: ['lab: begin', 'lab: end'], ...k } } }), ['s.c']);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.kernels['6.1'];
}

const finding = (code: string, extra: Partial<ObservedFinding> = {}): ObservedFinding => ({ code, fn: 'ioasid_free', severity: 'misuse', message: `${code} message`, atEnd: false, ...extra });

function run(extra: Partial<Observed> = {}): Observed {
  return {
    dmesg: '[    1.000000] lab: begin\n[    1.000100] Trying to free unknown IOASID 10\n[    1.000200] lab: end\n',
    insmod: 0,
    import: { clean: true, kept: 3, skipped: 0, reasons: {}, notes: {} },
    findings: [],
    ...extra,
  };
}

const statuses = (e: KernelExpectation, o: Observed, check: string) => compareRun(e, o).filter((v) => v.check === check).map((v) => v.status);

describe('comparing a lab run with its goldens', () => {
  it('matches when the kernel log holds the expected lines in order, other lines between', () => {
    expect(passed(compareRun(expectation({}), run()))).toBe(true);
  });

  it('fails when an expected kernel line is missing, quoting it', () => {
    const v = compareRun(expectation({ dmesg: ['lab: begin', 'WARNING: at ioasid.c'] }), run());
    expect(passed(v)).toBe(false);
    expect(v.find((x) => x.check === 'dmesg')?.detail).toContain('"WARNING: at ioasid.c"');
  });

  it('fails when expected kernel lines come in another order', () => {
    const v = compareRun(expectation({ dmesg: ['lab: end', 'lab: begin'] }), run());
    expect(v.find((x) => x.check === 'dmesg')?.detail).toContain('before the previous expected line');
  });

  it('fails on a kernel crash the scenario does not expect, and on a missing expected crash', () => {
    const oops = run({ dmesg: '[ 1.0] lab: begin\n[ 1.1] Oops: 0000 [#1] PREEMPT SMP NOPTI\n[ 1.2] lab: end\n' });
    expect(statuses(expectation({}), oops, 'crash')).toEqual(['FAIL']);
    expect(statuses(expectation({ crash: true }), run(), 'crash')).toEqual(['FAIL']);
    expect(statuses(expectation({ crash: true }), oops, 'crash')).toEqual(['PASS']);
  });

  it('fails when insmod exits otherwise than expected', () => {
    expect(statuses(expectation({}), run({ insmod: 1 }), 'insmod')).toEqual(['FAIL']);
  });

  it('passes an expected finding the audit reports, with the message compared after normalisation', () => {
    const e = expectation({ findings: [{ code: 'GLOBAL_PASID_EXHAUSTED', message: 'no free PASID for mm@<tgid>' }] });
    const o = run({ findings: [finding('GLOBAL_PASID_EXHAUSTED', { message: 'no free PASID for mm@444' })] });
    expect(statuses(e, o, 'finding')).toEqual(['PASS']);
  });

  it('fails on a missing finding and names how the nearest one differs', () => {
    const e = expectation({ findings: [{ code: 'ALLOCATOR_ALREADY_REGISTERED', severity: 'bug' }] });
    const v = compareRun(e, run({ findings: [finding('ALLOCATOR_ALREADY_REGISTERED')] }));
    const missing = v.find((x) => x.detail.startsWith('missing'));
    expect(missing?.status).toBe('FAIL');
    expect(missing?.detail).toContain('severity "misuse" ≠ expected "bug"');
  });

  it('fails on a finding the kernel does not explain (a false finding)', () => {
    expect(statuses(expectation({}), run({ findings: [finding('RET_MISMATCH')] }), 'finding')).toEqual(['FAIL']);
  });

  it('counts: two expected findings need two reported ones', () => {
    const e = expectation({ findings: [{ code: 'IOASID_ORPHANED', count: 2 }] });
    expect(statuses(e, run({ findings: [finding('IOASID_ORPHANED')] }), 'finding')).toEqual(['PASS', 'FAIL']);
  });

  it('reports a known model gap as KNOWN GAP, not a failure, on both sides of it', () => {
    const e = expectation({
      findings: [{ code: 'ALLOCATOR_ALREADY_REGISTERED', severity: 'bug', knownGap: GAP }],
      falseFindings: [{ code: 'ALLOCATOR_ALREADY_REGISTERED', severity: 'misuse', knownGap: GAP }],
    });
    const v = compareRun(e, run({ findings: [finding('ALLOCATOR_ALREADY_REGISTERED')] }));
    expect(v.filter((x) => x.check !== 'crash' && x.check !== 'insmod' && x.check !== 'dmesg' && x.check !== 'import').map((x) => x.status)).toEqual(['KNOWN GAP', 'KNOWN GAP']);
    expect(passed(v)).toBe(true);
    expect(v.find((x) => x.status === 'KNOWN GAP')?.detail).toContain('x86-stable-sva-disabled (#20/#21)');
  });

  it('says GAP CLOSED when the tool starts agreeing with the kernel, so the mark can go', () => {
    const e = expectation({ falseFindings: [{ code: 'RET_MISMATCH', knownGap: GAP }], findings: [{ code: 'X_BUG', knownGap: GAP }] });
    const v = compareRun(e, run({ findings: [finding('X_BUG')] }));
    expect(v.filter((x) => x.check.includes('finding')).map((x) => x.status)).toEqual(['GAP CLOSED', 'GAP CLOSED']);
    expect(passed(v)).toBe(true);
  });

  it('compares an unclean import by its skip reasons, ignoring notices about kept records', () => {
    const e = expectation({ import: { clean: false, skipped: { FIELD_INVALID: 1 } } });
    const o = run({ import: { clean: false, kept: 4, skipped: 1, reasons: { FIELD_INVALID: 1 }, notes: { PROBE_RECORD_ADDED: 2 } } });
    expect(statuses(e, o, 'import')).toEqual(['PASS']);
    expect(statuses(e, run(), 'import')).toEqual(['FAIL']);
  });

  it('compares the problems about kept records (a call the kernel never returned from) exactly', () => {
    const e = expectation({ import: { clean: false, notes: { ENTRY_WITHOUT_RETURN: 2 } } });
    const o = (n: number) => run({ import: { clean: false, kept: 12, skipped: 0, reasons: {}, notes: { ENTRY_WITHOUT_RETURN: n, PROBE_RECORD_ADDED: 1 } } });
    expect(statuses(e, o(2), 'import')).toEqual(['PASS']);
    expect(statuses(e, o(1), 'import')).toEqual(['FAIL']);
  });

  it('fails an import with a problem about kept records the expectation does not name', () => {
    const e = expectation({ import: { clean: false, skipped: { FIELD_INVALID: 1 } } });
    const o = run({ import: { clean: false, kept: 4, skipped: 1, reasons: { FIELD_INVALID: 1 }, notes: { LOST_EVENTS: 1 } } });
    const v = compareRun(e, o).find((x) => x.check === 'import');
    expect(v?.status).toBe('FAIL');
    expect(v?.detail).toContain('notes LOST_EVENTS ×1');
  });

  it('fails an import that refused the whole capture, naming the reasons', () => {
    const o = run({ import: { clean: false, fatal: true, kept: 0, skipped: 14, reasons: { FIELD_INVALID: 14, NO_LIFECYCLE_RECORD: 1 }, notes: {} } });
    const v = compareRun(expectation({}), o).find((x) => x.check === 'import');
    expect(v?.status).toBe('FAIL');
    expect(v?.detail).toContain('refused the capture (FIELD_INVALID, NO_LIFECYCLE_RECORD; 14 skipped)');
  });

  it('a clean import expectation passes although the summary carries notes', () => {
    const o = run({ import: { clean: true, kept: 51, skipped: 0, reasons: {}, notes: { PROBE_RECORD_ADDED: 2 } } });
    expect(statuses(expectation({}), o, 'import')).toEqual(['PASS']);
  });
});

describe('a run whose audit had nothing to judge (a boot capture of device records only)', () => {
  it('says so in a passing finding line when the scenario expects no finding', () => {
    const v = compareRun(expectation({ findings: [] }), run({ nothingToAudit: true }));
    expect(v.filter((x) => x.check === 'finding').map((x) => [x.status, x.detail])).toEqual([['PASS', 'none: the audit has nothing to judge (device records only) and says so']]);
  });
  it('near miss: an expected finding is still missing (FAIL) when the audit had nothing to judge', () => {
    expect(statuses(expectation({ findings: [{ code: 'IOASID_LEAKED' }] }), run({ nothingToAudit: true }), 'finding')).toEqual(['FAIL']);
  });
  it('near miss: an ordinary run with no finding adds no such line', () => {
    expect(statuses(expectation({ findings: [] }), run(), 'finding')).toEqual([]);
  });
});
