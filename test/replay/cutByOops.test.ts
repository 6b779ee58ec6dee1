/**
 * A call the task died in (step rule 5, #20): the importer marks a call that never returned and had a
 * kernel BUG/oops inside it with `cutBy`; the model decides it and keeps its findings, but none of its
 * facts take effect, and what it was releasing is not reported as a leak at the end of the trace.
 * The cases are the lab's real-kernel runs (capture/lab/scenarios), each with its near miss.
 */
import { describe, it, expect } from 'vitest';
import type { CallRecord } from '../../events/records.js';
import { replayEntries } from '../../src/replay/replayTrace.js';
import { Replay } from '../../src/replay/replay.js';
import { profile } from '../support/calls.js';

const OOPS = 'BUG: kernel NULL pointer dereference, address: 000000000000000c';

type Rec = Omit<CallRecord, 'seq' | 'ts' | 'cpu' | 'tid'> & { tid?: number };
const trace = (recs: readonly Rec[]) =>
  recs.map((r, i) => ({ record: { seq: i + 1, ts: 1000 * (i + 1), cpu: 0, tid: 7, ...r } as CallRecord, line: i + 2 }));
const codesOf = (r: Replay) => r.findings.map((f) => (f.atEnd ? `end:${f.code}` : `${f.seq}:${f.code}`));
const factsAt = (r: Replay, seq: number) => r.log.all().filter((f) => f.seq === seq).map((f) => f.type);

// 6.12 detach-wrong-domain: intel_iommu_remove_dev_pasid oopses in cache_tag_unassign_domain, before
// iommu_detach_device_pasid's xa_erase: dom1 stays in group->pasid_array.
const attached: Rec[] = [
  { fn: 'iommu_probe_device', args: { dev: '0000:00:02.0', max_pasids: 16 }, ret: 0 },
  { fn: 'iommu_attach_device_pasid', args: { domain: 'dom1', dev: '0000:00:02.0', pasid: 5 }, ret: 0 },
  { fn: 'set_dev_pasid', parent: 2, args: { domain: 'dom1', dev: '0000:00:02.0', pasid: 5 }, ret: 0 },
] as Rec[];
const wrongDetach = (cut: boolean): Rec[] => [
  { fn: 'iommu_detach_device_pasid', args: { domain: 'dom2', dev: '0000:00:02.0', pasid: 5 }, ...(cut ? { cutBy: OOPS } : { ret: null }) },
  { fn: 'remove_dev_pasid', parent: 4, args: { dev: '0000:00:02.0', pasid: 5 }, ...(cut ? { cutBy: OOPS } : { ret: null }) },
] as Rec[];
const K612 = profile('6.12.95+deb12-amd64 x86 intel');

describe('given a PASID attached on 6.12, when a detach with the wrong domain oopses in the driver (cutBy)', () => {
  const r = replayEntries(trace([...attached, ...wrongDetach(true)]), K612);

  it('then the detach keeps its finding: the wrong domain that killed it', () => {
    expect(codesOf(r)).toContain('4:DETACH_WRONG_DOMAIN');
  });
  it('then the detach changes nothing: the slot stays attached in the world', () => {
    expect(factsAt(r, 4)).toEqual([]);
    expect([...r.world.entriesOf('pasidSlot')].map(([, s]) => s.value)).toEqual(['attached']);
  });
  it('then the attachment its release was cutting is not called a leak at the end', () => {
    expect(codesOf(r).filter((c) => c.startsWith('end:'))).toEqual([]);
  });
  it('then a replay restored from a checkpoint after the oops still knows the release was cut', () => {
    const partial = new Replay({ profile: K612 });
    const entries = trace([...attached, ...wrongDetach(true)]);
    for (const e of entries) partial.step(e.record, e.line, e.record.seq === 4 ? [entries[4].record] : []);
    const restored = Replay.restore({ profile: K612 }, partial.checkpoint(), partial.log.all(), partial.findings);
    expect(restored.end().map((f) => f.code)).toEqual([]);
  });
  it('near miss: the same detach completed (it returned) detaches the slot, so nothing is left either', () => {
    const done = replayEntries(trace([...attached, ...wrongDetach(false)]), K612);
    expect(factsAt(done, 4)).toContain('PasidDetached');
    expect(codesOf(done)).toContain('4:DETACH_WRONG_DOMAIN');
  });
  it('near miss: another attachment the cut call did not release is still a leak', () => {
    const other = { fn: 'iommu_attach_device_pasid', args: { domain: 'dom1', dev: '0000:00:02.0', pasid: 6 }, ret: 0 } as Rec;
    const r2 = replayEntries(trace([...attached, ...wrongDetach(true), other]), K612);
    expect(codesOf(r2).filter((c) => c.startsWith('end:'))).toEqual(['end:ATTACH_LEAKED']);
    expect(r2.findings.find((f) => f.atEnd)?.message).toContain('pasid 6');
  });
});

// 6.1 sva-bind: iommu_sva_bind_device of a device no IOMMU probed oopses on its NULL dev->iommu at entry.
describe('given 6.1, when an SVA bind oopses at its entry (cutBy)', () => {
  const K61 = profile('6.1.0-57-amd64 x86 intel');
  const bind = (cut: boolean) =>
    ({ fn: 'iommu_sva_bind_device', args: { dev: 'lab_plain', mm: 'mm@295', drvdata: null }, ...(cut ? { cutBy: 'BUG: kernel NULL pointer dereference, address: 0000000000000038' } : {}) }) as Rec;

  it('then no bond is made and none is reported leaked', () => {
    const r = replayEntries(trace([bind(true)]), K61);
    expect(factsAt(r, 1)).toEqual([]);
    expect(codesOf(r)).toEqual([]);
  });
  it('near miss: a bind that only lacks its return (the capture stopped, no oops) is applied as the model decides it', () => {
    const r = replayEntries(trace([bind(false)]), K61);
    expect(factsAt(r, 1)).toContain('SvaBound');
    expect(codesOf(r)).toEqual(['end:SVA_BOND_LEAKED']);
  });
});

// 6.1 ioasid-eexist: ioasid_unregister_allocator's list_del check BUGs before it unlinks anything.
describe('given 6.1 and an ops re-registered with -EEXIST, when its unregister BUGs in list_del (cutBy)', () => {
  const K61 = profile('6.1.0-57-amd64 x86 intel');
  const reg = (ops: string, alloc: string, ret: 0 | '-EEXIST') =>
    ({ fn: 'ioasid_register_allocator', args: { ops, alloc, free: alloc.replace('alloc', 'free'), pdata: null }, ret }) as Rec;
  const setup = [reg('a_alloc#1', 'a_alloc', 0), reg('a_alloc#2', 'a_alloc', 0), reg('a_alloc#1', 'a_alloc', '-EEXIST'), reg('b_alloc#1', 'b_alloc', 0)];
  const unregister = (cut: boolean) =>
    ({ fn: 'ioasid_unregister_allocator', args: { ops: 'a_alloc#1' }, ...(cut ? { cutBy: 'list_del corruption. prev->next should be ffffffffc0421090' } : { ret: null }) }) as Rec;

  it('then the corruption it hit is still reported, and the allocator lists are as before it', () => {
    const r = replayEntries(trace([...setup, unregister(true)]), K61);
    expect(codesOf(r)).toEqual(['3:ALLOCATOR_ALREADY_REGISTERED', '5:ALLOCATOR_LIST_CORRUPT']);
    expect(factsAt(r, 5)).toEqual([]);
  });
  it('near miss: the same unregister without an oops (a kernel without CONFIG_DEBUG_LIST) takes effect', () => {
    const r = replayEntries(trace([...setup, unregister(false)]), K61);
    expect(codesOf(r)).toContain('5:ALLOCATOR_LIST_CORRUPT');
    expect(factsAt(r, 5).length).toBeGreaterThan(0);
  });
});

describe('a cut call written out again (minimize, what-if, the writer)', () => {
  it('keeps its cutBy, between caller and fn, so the rewritten trace replays the same', async () => {
    const { serializeRecord } = await import('../../src/log/serialize.js');
    const rec = trace(wrongDetach(true))[0].record;
    const line = serializeRecord(rec);
    expect(line).toBe(`{"seq":1,"ts":1000,"cpu":0,"tid":7,"cutBy":"${OOPS}","fn":"iommu_detach_device_pasid","args":{"domain":"dom2","dev":"0000:00:02.0","pasid":5}}`);
    expect(JSON.parse(line)).toEqual(rec);
  });
});
