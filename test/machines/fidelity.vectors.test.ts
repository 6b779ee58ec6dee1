/**
 * The kernel cases of issue #21 and #20 (test/fixtures/fidelity/, one trace each, written from the
 * kernel sources: the commit of each rule is in the test name). Each trace is audited as a user would
 * (`runReplay` on the file), and the findings at each record must be what the kernel does: triggers
 * report the rule, near misses do not.
 */
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { runReplay } from '../../src/audit/runReplay.js';
import { readTrace } from '../../src/log/reader.js';

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

/** `seq:CODE` of every finding of a fixture, in report order. */
async function audit(name: string): Promise<string[]> {
  const text = readFileSync(new URL(`../fixtures/fidelity/${name}.jsonl`, import.meta.url), 'utf8');
  const r = await runReplay(readTrace(once(text), { file: `${name}.jsonl` }), { file: `${name}.jsonl` });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.replay.findings.map((f) => `${f.seq}:${f.code}`);
}

const severities = async (name: string) => {
  const text = readFileSync(new URL(`../fixtures/fidelity/${name}.jsonl`, import.meta.url), 'utf8');
  const r = await runReplay(readTrace(once(text), { file: `${name}.jsonl` }), { file: `${name}.jsonl` });
  if (!r.ok) throw new Error(r.error.message);
  return Object.fromEntries(r.value.replay.findings.map((f) => [f.code, f.severity]));
};

describe('#21 A: the nine rules, at the kernel cases', () => {
  it('A1 (701fac40384f, v5.18): the top PASID max_pasids − 1 is refused -EOVERFLOW on 5.18', async () => {
    expect(await audit('A1-trigger')).toEqual(['5:SVA_BIND_PASID_OUT_OF_RANGE', '2:SVA_BOND_LEAKED']);
  });
  it('A1 near miss: 5.17 accepts it and takes the nested ioasid_get (no RET_MISMATCH)', async () => {
    expect(await audit('A1-nearmiss')).toEqual(['2:SVA_BOND_LEAKED', '5:SVA_BOND_LEAKED']);
  });
  it('A2 (Intel ≤ v5.13, before 404837741416): an existing PASID wider than the device is -ENOSPC', async () => {
    const f = await audit('A2-trigger');
    expect(f).toContain('24:SVA_BIND_PASID_OUT_OF_RANGE');
    expect(f.filter((x) => x.includes('RET_MISMATCH') || x.includes('NESTED'))).toEqual([]);
  });
  it('A3 (26b25a2b98e4, v5.2): the singleton-group check fires on 5.10 with Intel sva_bind', async () => {
    expect(await audit('A3-trigger')).toEqual(['3:SVA_BIND_GROUP_NOT_SINGLETON']);
  });
  it('A4 (no sva_bind before 064a57d7ddfc, v5.8): every bind on 5.6 is -ENODEV', async () => {
    expect(await audit('A4-trigger')).toEqual(['2:SVA_BIND_NO_DRIVER']);
  });
  it('A6 (2667ed10d9f0, v5.18-rc6): a drop under a live bond on 6.1 is a capture inconsistency (info), the PASID is not freed', async () => {
    const f = await audit('A6-release-6.1');
    expect(f).toContain('4:MM_EXIT_WITH_BONDS');
    expect((await severities('A6-release-6.1')).MM_EXIT_WITH_BONDS).toBe('info');
    expect(f.filter((x) => x.includes('NESTED'))).toEqual([]);
  });
  it('A6 trigger: on 5.18-rc4 (__mmput) the same drop is the use-after-free bug', async () => {
    expect(await audit('A6-trigger-rc4')).toContain('4:MM_EXIT_WITH_BONDS');
    expect((await severities('A6-trigger-rc4')).MM_EXIT_WITH_BONDS).toBe('bug');
  });
  it('A7 (c404f55c26fc, v6.9-rc2 … v6.15-rc6; 6.12.y before 6.12.93): a no-PASID group member makes the attach -EINVAL on 6.12.10', async () => {
    expect(await audit('A7-trigger')).toEqual(['4:ATTACH_PASID_OUT_OF_RANGE']);
  });
  it('A7/A8 near miss (b3f6fcd8404f, v6.15-rc7): on 6.15 the member is skipped, one nested set_dev_pasid', async () => {
    expect(await audit('A7-nearmiss')).toEqual(['4:ATTACH_LEAKED']);
  });
  it('A9 (14678219cf40, v6.11): a bind over an attachment without a handle goes through the attach tries (no NESTED_CALL_UNEXPECTED)', async () => {
    const f = await audit('A9-trigger');
    expect(f).toContain('7:SVA_BIND_SLOT_BUSY');
    expect(f.filter((x) => x.includes('NESTED'))).toEqual([]);
  });
});

describe('#21 B: the audit gaps, at the kernel cases', () => {
  it('B1: a second free of a freed ID is a double free; an ID never allocated stays unknown', async () => {
    expect(await audit('B1')).toEqual(['3:IOASID_DOUBLE_FREE', '4:IOASID_FREE_UNKNOWN']);
  });
  it('B2: the earlier holder\'s put drops the new owner\'s ID; the owner\'s put is then a double put', async () => {
    expect(await audit('B2')).toEqual(['4:IOASID_STALE_RELEASE', '5:IOASID_DOUBLE_FREE']);
  });
  it('B3: a free by the owner of another set', async () => {
    expect(await audit('B3')).toContain('3:IOASID_FREE_BY_OTHER');
  });
});

describe('#21 B, device family: the kernel cases', () => {
  it('B6 (97e57733d8e3, v6.10): on 6.12 a detach naming a freed domain hands it to the driver (use-after-free)', async () => {
    expect(await audit('B6-6.12.0')).toEqual(['8:DETACH_FREED_DOMAIN']);
  });
  it('B6 near miss: on 6.5 the driver is not given the domain, so the same detach is the core WARN only', async () => {
    expect(await audit('B6-6.5.0')).toEqual(['8:DETACH_NOT_ATTACHED']);
  });
  it('B7: a PASID freed while attached goes to a second owner, which attaches it in its own group', async () => {
    const f = await audit('B7');
    expect(f.slice(0, 3)).toEqual(['8:GLOBAL_PASID_FREE_ATTACHED', '9:GLOBAL_PASID_SECOND_OWNER', '10:GLOBAL_PASID_SECOND_OWNER']);
  });
  it('B10 (v6.10+ before 79ea2feb917b): on 6.12 VT-d a wrong-domain detach drops the wrong domain\'s reference; its last detach then dereferences NULL', async () => {
    expect(await audit('B10')).toEqual(['8:DETACH_WRONG_DOMAIN', '10:VTD_DOMAIN_REFCOUNT_CORRUPT']);
    expect((await severities('B10')).DETACH_WRONG_DOMAIN).toBe('bug');
  });
  it('B11: seven allocations then IOMMU_PASID_INVALID show max_pasids <= 8; the attach of 4000 is then refused (no RET_MISMATCH)', async () => {
    const f = await audit('B11');
    expect(f.slice(0, 2)).toEqual(['9:GLOBAL_PASID_EXHAUSTED', '10:ATTACH_PASID_OUT_OF_RANGE']);
    expect(f.filter((x) => x.includes('RET_MISMATCH'))).toEqual([]);
  });
});

describe('#21 C and #20: records and kernels the model did not know', () => {
  it('C1: a u32 PASID argument is recorded and audited (v6.9-rc2+ refuses it -EINVAL), not refused as input', async () => {
    expect(await audit('C1')).toEqual(['3:ATTACH_PASID_OUT_OF_RANGE']);
  });
  it('C2: -E2BIG is a recordable errno, and an SMMUv3 set_dev_pasid answering it fails the attach (#21 B5: no mismatch)', async () => {
    expect(await audit('C2')).toEqual([]);
  });
  it('#20: the -EEXIST re-registration of an entry head with a sharer corrupts the list at the next unregister', async () => {
    expect(await audit('E20-2-trigger')).toEqual(['3:ALLOCATOR_ALREADY_REGISTERED', '5:ALLOCATOR_LIST_CORRUPT']);
  });
  it('#20 near miss: the same duplicate of a lone ops unregisters cleanly', async () => {
    expect(await audit('E20-2-nearmiss')).toEqual(['2:ALLOCATOR_ALREADY_REGISTERED']);
  });
  it('#20 (72f98ef9a4be stable backport): 6.12.64 on x86 refuses every SVA bind -EOPNOTSUPP (info, no RET_MISMATCH)', async () => {
    expect(await audit('X86-trigger')).toEqual(['2:SVA_BIND_DISABLED_X86']);
  });
});
