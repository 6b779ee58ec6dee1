import { describe, it, expect } from 'vitest';
import { CallerIndex, withCaller } from '../../src/audit/callers.js';
import { formatRecord } from '../../src/timetravel/format.js';
import type { Finding } from '../../src/replay/finding.js';
import type { ReadItem } from '../../src/log/readItem.js';
import type { CallRecord } from '../../events/records.js';
import { cli } from '../support/cli.js';
import { fileURLToPath } from 'node:url';

const rec = (seq: number, caller?: string): CallRecord => ({ seq, ts: seq, cpu: 0, tid: 1, ...(caller !== undefined ? { caller } : {}), fn: 'iommu_free_global_pasid', args: { pasid: 1 }, ret: null });
const items = (...records: CallRecord[]): ReadItem[] => records.map((record) => ({ kind: 'record', entry: { record, line: record.seq + 1, offset: 0 } }));
const finding = (seq: number | null) => ({ code: 'GLOBAL_PASID_DOUBLE_FREE', seq, message: 'PASID 1 is not allocated' }) as unknown as Finding;

async function drain(index: CallerIndex, list: ReadItem[]): Promise<void> {
  async function* src() {
    yield* list;
  }
  for await (const _ of index.watch(src())) void _;
}

describe('the caller of the record a finding points at', () => {
  it('is added to the finding message when the trace recorded it', async () => {
    const index = new CallerIndex();
    await drain(index, items(rec(1, 'idxd_disable_system_pasid+0x50/0x80 [idxd]'), rec(2)));
    expect(withCaller(finding(1), index).message).toBe('PASID 1 is not allocated [called from idxd_disable_system_pasid+0x50/0x80 [idxd]]');
    expect(withCaller(finding(2), index).message).toBe('PASID 1 is not allocated');
    expect(withCaller(finding(null), index).message).toBe('PASID 1 is not allocated');
  });
  it('forgets the oldest callers beyond its bound', async () => {
    const index = new CallerIndex(2);
    await drain(index, items(rec(1, 'a'), rec(2, 'b'), rec(3, 'c')));
    expect([index.callerOf(1), index.callerOf(2), index.callerOf(3)]).toEqual([undefined, 'b', 'c']);
  });
  it('is shown by history next to the task', () => {
    expect(formatRecord(rec(4, 'idxd_cdev_open+0x2a4/0x420 [idxd]'), 5)).toBe('seq 4 (line 5, tid 1, from idxd_cdev_open+0x2a4/0x420 [idxd]) iommu_free_global_pasid pasid=1 → null');
  });
  it('is printed by audit of a real-layout capture', async () => {
    const capture = fileURLToPath(new URL('../fixtures/captures/lab-v6.12.ftrace.txt', import.meta.url));
    const r = await cli(['audit', capture, '--from', 'ftrace']);
    expect(r.stdout).toMatch(/GLOBAL_PASID_DOUBLE_FREE PASID 1 was already freed .*\[called from pasid_lab_init\+0x11b\/0xff0 \[pasid_lab\]\]/);
  });
});
