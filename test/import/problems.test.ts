import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importText } from '../support/importText.js';
import type { ProblemCode } from '../../src/import/problems.js';

const DIR = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));
const read = (name: string): string => readFileSync(DIR + name, 'utf8');
const ftraceProblems = () => importText(read('problems.ftrace.txt'), { from: 'ftrace', kernel: '6.6.0' });
const bpftraceProblems = () => importText(read('problems.bpftrace.ndjson'), { from: 'bpftrace' });

function linesOf(problems: { code: string; line: number }[], code: ProblemCode): number[] {
  return problems.filter((p) => p.code === code).map((p) => p.line);
}

const META = '{"type":"printf","data":"{\\"capture\\":\\"pasid-ledger\\",\\"kernel\\":\\"6.8.0\\"}\\n"}';
const call = (o: Record<string, unknown>) => JSON.stringify({ type: 'printf', data: JSON.stringify(o) + '\n' });

describe('problems in ftrace captures, each with its line', () => {
  it('reports an entry with no return at the end as ENTRY_WITHOUT_RETURN on the entry line', async () => {
    expect(linesOf((await ftraceProblems()).problems, 'ENTRY_WITHOUT_RETURN')).toEqual([8]);
  });
  it('reports a return with no entry as RETURN_WITHOUT_ENTRY', async () => {
    expect(linesOf((await ftraceProblems()).problems, 'RETURN_WITHOUT_ENTRY')).toEqual([7]);
  });
  it('reports `CPU:N [LOST M EVENTS]` as LOST_EVENTS', async () => {
    expect(linesOf((await ftraceProblems()).problems, 'LOST_EVENTS')).toEqual([6]);
  });
  it('reports time going back on one CPU as CLOCK_BACKWARDS', async () => {
    expect(linesOf((await ftraceProblems()).problems, 'CLOCK_BACKWARDS')).toEqual([8]);
  });
  it('reports a cut last line as TRUNCATED_LINE', async () => {
    expect(linesOf((await ftraceProblems()).problems, 'TRUNCATED_LINE')).toEqual([15]);
  });
  it('reports a device name that faulted as FIELD_INVALID on the return line', async () => {
    expect(linesOf((await ftraceProblems()).problems, 'FIELD_INVALID')).toEqual([12]);
  });
  it('keeps a PASID beyond 20 bits: ioasid_t is a u32 and the audit, not the reader, judges it (#21 C1)', async () => {
    expect(linesOf((await ftraceProblems()).problems, 'RECORD_INVALID')).toEqual([]);
  });
  it('skips and counts lines of other tracers as FOREIGN_LINE', async () => {
    const { summary } = await ftraceProblems();
    expect(summary.reasons.FOREIGN_LINE).toEqual({ count: 1, firstLine: 2 });
  });
  it('skips and counts probes of unknown functions, by function', async () => {
    const { summary, problems } = await ftraceProblems();
    expect(summary.reasons.UNKNOWN_FUNCTION).toEqual({ count: 2, firstLine: 4 });
    expect(summary.unknownFunctions).toEqual({ do_sys_openat2: 2 });
    expect(linesOf(problems, 'UNKNOWN_FUNCTION')).toEqual([4]);
  });
  it('lists the last seq before each lost-events marker', async () => {
    const { summary } = await ftraceProblems();
    expect(summary.lostEventsAfterSeq).toEqual([1]);
    expect(summary.lostEvents).toBe(17);
  });
  it('summarises kept and skipped records', async () => {
    const { summary } = await ftraceProblems();
    // The bind whose return never came is kept (#20): 4 kept, and the 6 skips are lines or calls that made no record.
    expect(summary).toMatchObject({ kept: 4, skipped: 6, clean: false, fatal: false, lines: 15 });
  });
  it('lists why records were dropped apart from the notes about kept ones', async () => {
    const { summary } = await ftraceProblems();
    expect(Object.keys(summary.reasons).sort()).toEqual(['FIELD_INVALID', 'FOREIGN_LINE', 'RETURN_WITHOUT_ENTRY', 'TRUNCATED_LINE', 'UNKNOWN_FUNCTION']);
    expect(Object.keys(summary.notes).sort()).toEqual(['CLOCK_BACKWARDS', 'ENTRY_WITHOUT_RETURN', 'LOST_EVENTS']);
  });
});

describe('problems in bpftrace captures, each with its line', () => {
  it('reports lost_events as LOST_EVENTS with the count', async () => {
    const { problems, summary } = await bpftraceProblems();
    expect(linesOf(problems, 'LOST_EVENTS')).toEqual([6]);
    expect(summary.lostEvents).toBe(42);
  });
  it('reports a non-JSON line and a foreign printf as FOREIGN_LINE', async () => {
    const { summary } = await bpftraceProblems();
    expect(summary.reasons.FOREIGN_LINE).toEqual({ count: 2, firstLine: 1 });
  });
  it('reports an unknown function as UNKNOWN_FUNCTION', async () => {
    expect(linesOf((await bpftraceProblems()).problems, 'UNKNOWN_FUNCTION')).toEqual([5]);
  });
  it('reports an exit with no entry as RETURN_WITHOUT_ENTRY', async () => {
    expect(linesOf((await bpftraceProblems()).problems, 'RETURN_WITHOUT_ENTRY')).toEqual([7]);
  });
  it('reports time going back on one CPU as CLOCK_BACKWARDS', async () => {
    expect(linesOf((await bpftraceProblems()).problems, 'CLOCK_BACKWARDS')).toEqual([9]);
  });
  it('reports a call object without ts and an int return of 5 as FIELD_INVALID', async () => {
    expect(linesOf((await bpftraceProblems()).problems, 'FIELD_INVALID')).toEqual([10, 12]);
  });
  it('keeps a returned PASID beyond 20 bits (#21 C1)', async () => {
    expect(linesOf((await bpftraceProblems()).problems, 'RECORD_INVALID')).toEqual([]);
  });
  it('reports an entry with no exit as ENTRY_WITHOUT_RETURN', async () => {
    expect(linesOf((await bpftraceProblems()).problems, 'ENTRY_WITHOUT_RETURN')).toEqual([13]);
  });
  it('reports a cut last line as TRUNCATED_LINE', async () => {
    expect(linesOf((await bpftraceProblems()).problems, 'TRUNCATED_LINE')).toEqual([16]);
  });
  it('keeps a complete last line that merely lacks its newline', async () => {
    const text = `${META}\n${call({ ts: 1, cpu: 0, tid: 1, fn: 'iommu_free_global_pasid', pasid: 3 })}`;
    const { records, problems } = await importText(text, { from: 'bpftrace' });
    expect(problems).toEqual([]);
    expect(records).toHaveLength(1);
  });
});

describe('problems about the capture as a whole', () => {
  it('refuses ftrace text without --kernel as fatal KERNEL_UNKNOWN', async () => {
    const { problems, summary, header } = await importText(read('buggy-v6.2.ftrace.txt'), { from: 'ftrace' });
    expect(problems.map((p) => [p.code, p.severity])).toEqual([['KERNEL_UNKNOWN', 'fatal']]);
    expect(header).toBeUndefined();
    expect(summary.fatal).toBe(true);
  });
  it('refuses a bpftrace capture without its kernel line and without --kernel as KERNEL_UNKNOWN', async () => {
    const { problems } = await importText(call({ ts: 1, cpu: 0, tid: 1, fn: 'iommu_free_global_pasid', pasid: 3 }) + '\n', { from: 'bpftrace' });
    expect(problems.map((p) => p.code)).toEqual(['KERNEL_UNKNOWN']);
  });
  it('refuses a --kernel that is not a kernel version as KERNEL_UNKNOWN', async () => {
    const { problems } = await importText(read('problems.ftrace.txt'), { from: 'ftrace', kernel: 'latest' });
    expect(problems.map((p) => p.code)).toEqual(['KERNEL_UNKNOWN']);
  });
  it('uses --kernel over the capture\'s kernel line and reports KERNEL_MISMATCH there', async () => {
    const { problems, header } = await importText(`${META}\n${call({ ts: 1, cpu: 0, tid: 1, fn: 'iommu_free_global_pasid', pasid: 3 })}\n`, { from: 'bpftrace', kernel: '6.6.0' });
    expect(problems.map((p) => [p.code, p.line])).toEqual([['KERNEL_MISMATCH', 1]]);
    expect(header?.kernel).toBe('6.6.0');
  });
  it('calls an input with no capture line of the format NOT_A_CAPTURE', async () => {
    const { problems, summary } = await importText(read('buggy-v6.2.ftrace.txt'), { from: 'bpftrace', kernel: '6.2.0' });
    expect(problems.at(-1)?.code).toBe('NOT_A_CAPTURE');
    expect(summary.fatal).toBe(true);
  });
  it('calls an empty input NOT_A_CAPTURE', async () => {
    const { problems } = await importText('', { from: 'ftrace', kernel: '6.2.0' });
    expect(problems.map((p) => p.code)).toEqual(['NOT_A_CAPTURE']);
  });
});

describe('open calls that hold back later records', () => {
  it('gives up on an open call after maxHeld completed records and releases them', async () => {
    const lines = [META, call({ ts: 1, cpu: 0, tid: 9, fn: 'iommu_sva_bind_device', ph: 'entry', dev: 'd0', mm: '0xffff888100000040' })];
    for (let i = 0; i < 5; i++) lines.push(call({ ts: 2 + i, cpu: 1, tid: 10, fn: 'iommu_free_global_pasid', pasid: i + 1 }));
    const { problems, records, items } = await importText(lines.join('\n') + '\n', { from: 'bpftrace', maxHeld: 3 });
    expect(linesOf(problems, 'ENTRY_WITHOUT_RETURN')).toEqual([2]);
    // Why: the call the task never returned from is kept (#20), without a return value.
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[0]).not.toHaveProperty('ret');
    // Why: the give-up must happen while streaming, before the last line, not at the end.
    const firstRecord = items.findIndex((i) => i.kind === 'record');
    const giveUp = items.findIndex((i) => i.kind === 'problem');
    expect(giveUp).toBeLessThan(firstRecord);
  });
  it('keeps a call that never returned as a call with an unknown return, and the calls nested in it', async () => {
    const lines = [
      META,
      call({ ts: 1, cpu: 0, tid: 9, fn: 'iommu_sva_bind_device', ph: 'entry', dev: 'd0', mm: '0xffff888100000040' }),
      call({ ts: 2, cpu: 0, tid: 9, fn: 'iommu_alloc_global_pasid', dev: 'd0', ret: 5 }),
    ];
    const { records, summary } = await importText(lines.join('\n') + '\n', { from: 'bpftrace' });
    expect(records).toEqual([
      { seq: 1, ts: 1, cpu: 0, tid: 9, fn: 'iommu_sva_bind_device', args: { dev: 'd0', mm: 'mm1' } },
      { seq: 2, ts: 2, cpu: 0, tid: 9, parent: 1, fn: 'iommu_alloc_global_pasid', args: { dev: 'd0' }, ret: 5 },
    ]);
    expect(summary).toMatchObject({ kept: 2, skipped: 0, clean: false, notes: { ENTRY_WITHOUT_RETURN: { count: 1, firstLine: 2 } } });
  });
});
