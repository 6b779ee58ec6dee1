/**
 * SVA bind/unbind per era and the mm's PASID lifetime (§3, A19–A28, §B.2.5–6).
 * Each test: given a trace prefix, when one call, then the model's return, findings and facts.
 */
import { describe, it, expect } from 'vitest';
import { call, type CallSpec } from '../support/calls.js';
import { given } from '../support/gwt.js';

const DEV = '0000:00:02.0';
const DEV2 = '0000:00:03.0';
const probe = (dev = DEV, max = 32, group?: string) => call('iommu_probe_device', group ? { dev, max_pasids: max, group } : { dev, max_pasids: max });
const bind = (mm: string, h?: string, dev = DEV) => call('iommu_sva_bind_device', { dev, mm }, h);
const unbind = (h: string) => call('iommu_sva_unbind_device', { handle: h });
const exit = (mm: string) => call('mm_pasid_drop', { mm });
/** The nested calls the model expects, sorted (their order is not checked). */
const fns = (t: { children: readonly { fn: string }[] }) => t.children.map((c) => c.fn).sort();
/** The PASID a bind fact names. */
const boundPasid = (facts: readonly { type: string }[]) => (facts.find((f) => f.type === 'SvaBound') as { pasid: number } | undefined)?.pasid;

describe('SVA bind: device checks', () => {
  for (const kernel of ['5.11.0', '5.15.0', '5.18.0', '6.1.0']) {
    it(`bind on a device that shares its group is -EINVAL (singleton check, ${kernel})`, () => {
      const t = given(kernel, probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1')).when(bind('mm1'));
      expect(t.ret).toBe('-EINVAL');
      expect(t.codes).toEqual(['SVA_BIND_GROUP_NOT_SINGLETON']);
    });
  }
  it('near miss: the singleton check is gone in v6.2', () => {
    const t = given('6.2.0', probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1')).when(bind('mm1', 'h1'));
    expect(t.ret).toBe('h1');
    expect(t.codes).toEqual([]);
  });
  it('A3: the singleton check is there from the call itself (26b25a2b98e4, v5.2): it fires on v5.10 with Intel sva_bind', () => {
    const t = given('5.10.0', probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1')).when(bind('mm1'));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['SVA_BIND_GROUP_NOT_SINGLETON']);
  });
  it('A3 near miss: on v5.8 (Intel sva_bind, 064a57d7ddfc) a singleton group binds', () => {
    const t = given('5.8.0', probe(DEV, 32, 'g1')).when(bind('mm1', 'h1'));
    expect(t.ret).toBe('h1');
    expect(t.codes).toEqual([]);
  });
  it('A3/A4: on v5.7 the group check cannot fire: no driver has sva_bind, -ENODEV comes first', () => {
    const t = given('5.7.0', probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1')).when(bind('mm1'));
    expect(t.ret).toBe('-ENODEV');
    expect(t.codes).toEqual(['SVA_BIND_NO_DRIVER']);
  });
  it('near miss: a released group peer does not count (6.1)', () => {
    const t = given('6.1.0', probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1'), call('iommu_release_device', { dev: DEV2 })).when(bind('mm1', 'h1'));
    expect(t.ret).toBe('h1');
  });

  for (const kernel of ['6.2.0', '6.5.0']) {
    it(`bind with max_pasids 0 is -EOPNOTSUPP (${kernel})`, () => {
      const t = given(kernel, probe(DEV, 0)).when(bind('mm1'));
      expect(t.ret).toBe('-EOPNOTSUPP');
      expect(t.codes).toEqual(['SVA_BIND_NO_PASID_SUPPORT']);
    });
  }
  for (const kernel of ['6.6.0', '6.8.0', '6.11.0']) {
    it(`bind with max_pasids 0 is -ENOSPC from v6.6 (the global allocator has no range, ${kernel})`, () => {
      const t = given(kernel, probe(DEV, 0)).when(bind('mm1'));
      expect(t.ret).toBe('-ENOSPC');
      expect(t.codes).toEqual(['GLOBAL_PASID_EXHAUSTED']);
    });
    it(`bind with max_pasids 0 of an mm that already has a PASID is -EOVERFLOW (${kernel})`, () => {
      const t = given(kernel, probe(DEV, 32), probe(DEV2, 0), bind('mm1', 'h1')).when(bind('mm1', undefined, DEV2));
      expect(t.ret).toBe('-EOVERFLOW');
      expect(t.codes).toEqual(['SVA_BIND_PASID_OUT_OF_RANGE']);
    });
  }
  it('v6.2–v6.5: max_pasids 0 is -EOPNOTSUPP before the PASID step, even for an mm that has a PASID', () => {
    const t = given('6.5.0', probe(DEV, 32), probe(DEV2, 0), bind('mm1', 'h1')).when(bind('mm1', undefined, DEV2));
    expect(t.ret).toBe('-EOPNOTSUPP');
    expect(t.codes).toEqual(['SVA_BIND_NO_PASID_SUPPORT']);
  });
  for (const kernel of ['6.2.0', '6.5.0']) {
    it(`bind with max_pasids 1 has an empty range [1, 0]: -EINVAL (${kernel})`, () => {
      const t = given(kernel, probe(DEV, 1)).when(bind('mm1'));
      expect(t.ret).toBe('-EINVAL');
      expect(t.codes).toEqual(['SVA_BIND_BAD_RANGE']);
    });
  }
  it('bind with max_pasids 1 is -ENOSPC from v6.6', () => {
    const t = given('6.6.0', probe(DEV, 1)).when(bind('mm1'));
    expect(t.ret).toBe('-ENOSPC');
  });
  it('near miss: max_pasids 2 gives PASID 1', () => {
    const t = given('6.2.0', probe(DEV, 2)).when(bind('mm1', 'h1'));
    expect(t.ret).toBe('h1');
    expect(boundPasid(t.facts)).toBe(1);
  });

  for (const kernel of ['5.18.0', '6.2.0', '6.8.0', '6.11.0']) {
    it(`bind on a released device is -ENODEV (${kernel})`, () => {
      const t = given(kernel, probe(), call('iommu_release_device', { dev: DEV })).when(bind('mm1'));
      expect(t.ret).toBe('-ENODEV');
    });
  }
});

describe('SVA bind: the mm PASID (§3.2–§3.5)', () => {
  for (const kernel of ['5.15.0', '5.18.0', '6.2.0', '6.4.0', '6.6.0', '6.8.0', '6.11.0']) {
    it(`the PASID is allocated once per mm and shared by its devices (${kernel})`, () => {
      const first = given(kernel, probe(), probe(DEV2)).when(bind('mm1', 'h1'));
      expect(boundPasid(first.facts)).toBe(1);
      const second = given(kernel, probe(), probe(DEV2), bind('mm1', 'h1')).when(bind('mm1', 'h2', DEV2));
      expect(second.ret).toBe('h2');
      expect(boundPasid(second.facts)).toBe(1);
      expect(second.children.map((c) => c.fn)).not.toContain('ioasid_alloc');
      expect(second.children.map((c) => c.fn)).not.toContain('iommu_alloc_global_pasid');
      expect(second.codes).toEqual([]);
    });
    it(`another mm gets the lowest free PASID (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(bind('mm2', 'h2'));
      expect(boundPasid(t.facts)).toBe(2);
    });
  }

  it('v5.11–v5.17: a second bond of the mm takes an ioasid reference (ioasid_get)', () => {
    const t = given('5.15.0', probe(), probe(DEV2), bind('mm1', 'h1')).when(bind('mm1', 'h2', DEV2));
    expect(t.children).toContainEqual({ fn: 'ioasid_get', args: { ioasid: 1 } });
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'IoasidGot', ioasid: 1, refs: 2 }));
  });
  it('near miss: v5.18 takes no reference for the second bond', () => {
    const t = given('5.18.0', probe(), probe(DEV2), bind('mm1', 'h1')).when(bind('mm1', 'h2', DEV2));
    expect(t.children.map((c) => c.fn)).not.toContain('ioasid_get');
  });

  /** mm4 gets PASID 4 on DEV (mmA..mmC take 1..3); then binds DEV2 with `max` PASIDs. */
  const pasid4On = (kernel: string, max: number) =>
    given(kernel, probe(DEV, 64), probe(DEV2, max), bind('mmA', 'hA'), bind('mmB', 'hB'), bind('mmC', 'hC'), bind('mm4', 'h4')).when(bind('mm4', undefined, DEV2));

  for (const kernel of ['5.11.0', '5.17.0']) {
    it(`A1: PASID max_pasids - 1 is accepted in ${kernel} (iommu_sva_alloc_pasid checks min <= pasid <= max before 701fac40384f)`, () => {
      const t = pasid4On(kernel, 5);
      expect(t.ret).toBe('sva@7');
      expect(t.codes).toEqual([]);
    });
    it(`A1: PASID == max_pasids is refused in ${kernel}`, () => {
      const t = pasid4On(kernel, 4);
      expect(t.ret).toBe('-EOVERFLOW');
      expect(t.codes).toEqual(['SVA_BIND_PASID_OUT_OF_RANGE']);
    });
  }
  for (const kernel of ['5.18.0-rc1', '5.18.0', '6.1.0', '6.2.0', '6.3.0']) {
    it(`A1: -EOVERFLOW boundary: PASID max_pasids - 1 is refused in ${kernel} (off by one: pasid >= max, 701fac40384f until 4e14176ab13f)`, () => {
      const t = pasid4On(kernel, 5);
      expect(t.ret).toBe('-EOVERFLOW');
      expect(t.codes).toEqual(['SVA_BIND_PASID_OUT_OF_RANGE']);
    });
    it(`-EOVERFLOW boundary: PASID max_pasids - 2 is accepted in ${kernel}`, () => {
      const t = pasid4On(kernel, 6);
      expect(t.ret).toBe('sva@7');
      expect(t.codes).toEqual([]);
    });
  }
  for (const kernel of ['6.4.0', '6.5.0', '6.6.0', '6.8.0', '6.11.0']) {
    it(`-EOVERFLOW boundary: PASID max_pasids - 1 is accepted from v6.4 (${kernel})`, () => {
      const t = pasid4On(kernel, 5);
      expect(t.ret).toBe('sva@7');
      expect(t.codes).toEqual([]);
    });
    it(`-EOVERFLOW boundary: PASID == max_pasids is refused from v6.4 (${kernel})`, () => {
      const t = pasid4On(kernel, 4);
      expect(t.ret).toBe('-EOVERFLOW');
      expect(t.codes).toEqual(['SVA_BIND_PASID_OUT_OF_RANGE']);
    });
  }
  it('the order matters: the small-range device first gives a PASID the large one accepts (§B.2.5)', () => {
    const t = given('6.2.0', probe(DEV, 64), probe(DEV2, 3), bind('mmA', 'hA', DEV2)).when(bind('mmA', 'h2', DEV));
    expect(t.ret).toBe('h2');
  });

  it('bind of an exited mm is SVA_BIND_AFTER_EXIT (A24)', () => {
    const t = given('6.2.0', probe(), bind('mm1', 'h1'), unbind('h1'), exit('mm1')).when(bind('mm1', 'h2'));
    expect(t.codes).toContain('SVA_BIND_AFTER_EXIT');
  });
  it('near miss: a bind of another mm after one exits is clean', () => {
    const t = given('6.2.0', probe(), bind('mm1', 'h1'), unbind('h1'), exit('mm1')).when(bind('mm2', 'h2'));
    expect(t.codes).toEqual([]);
  });
});

describe('SVA bind: the PASID slot (§3.4, §3.5, A21)', () => {
  for (const kernel of ['6.2.0', '6.6.0', '6.8.0', '6.11.0']) {
    it(`bind where the mm's PASID slot holds a non-SVA domain is -EBUSY (${kernel})`, () => {
      const t = given(
        kernel,
        probe(),
        probe(DEV2),
        bind('mm1', 'h1'),
        call('iommu_domain_alloc', { type: 'dma' }, 'dom1'),
        call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV2, pasid: 1 }),
      ).when(bind('mm1', undefined, DEV2));
      expect(t.ret).toBe('-EBUSY');
      expect(t.codes).toEqual(['SVA_BIND_SLOT_BUSY']);
    });
    it(`near miss: a non-SVA domain on another PASID does not block the bind (${kernel})`, () => {
      const t = given(
        kernel,
        probe(),
        probe(DEV2),
        bind('mm1', 'h1'),
        call('iommu_domain_alloc', { type: 'dma' }, 'dom1'),
        call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV2, pasid: 2 }),
      ).when(bind('mm1', 'h2', DEV2));
      expect(t.ret).toBe('h2');
      expect(t.codes).toEqual([]);
    });
  }
});

describe('SVA bind twice of the same (dev, mm)', () => {
  for (const kernel of ['5.15.0', '6.1.0']) {
    it(`the vendor bond is refcounted: the same handle comes back (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(bind('mm1'));
      expect(t.ret).toBe('h1');
      expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaBound', handle: 'h1', users: 2 }));
    });
  }
  for (const kernel of ['6.2.0', '6.7.0']) {
    it(`v6.2–v6.7: a new handle per bind, domain->users counts the binds (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(bind('mm1', 'h2'));
      expect(t.ret).toBe('h2');
      expect(t.codes).toEqual([]);
      expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaDomainUsersChanged', users: 2 }));
      expect(t.children.map((c) => c.fn)).not.toContain('iommu_attach_device_pasid');
    });
  }
  for (const kernel of ['6.8.0-rc1', '6.8.0-rc5']) {
    it(`v6.8-rc1..rc5: the second bind is -EBUSY (A27, ${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(bind('mm1'));
      expect(t.ret).toBe('-EBUSY');
      expect(t.codes).toEqual(['SVA_BIND_TWICE_BUSY']);
    });
  }
  for (const kernel of ['6.8.0-rc6', '6.8.0', '6.11.0']) {
    it(`v6.8 final and later: the same handle is returned, its refcount goes up (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(bind('mm1'));
      expect(t.ret).toBe('h1');
      expect(t.codes).toEqual([]);
      expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaBound', handle: 'h1', users: 2 }));
      expect(t.facts.map((f) => f.type)).not.toContain('SvaDomainUsersChanged');
    });
  }
});

describe('SVA domains across devices', () => {
  for (const kernel of ['6.2.0', '6.7.0']) {
    it(`v6.2–v6.7: each device of the mm gets its own SVA domain (${kernel})`, () => {
      const t = given(kernel, probe(), probe(DEV2), bind('mm1', 'h1')).when(bind('mm1', 'h2', DEV2));
      expect(t.children.map((c) => c.fn)).toContain('iommu_sva_domain_alloc');
      expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaDomainUsersChanged', users: 1 }));
    });
  }
  for (const kernel of ['6.8.0', '6.11.0']) {
    it(`v6.8+: the second device joins the mm's SVA domain, users counts devices (${kernel})`, () => {
      const t = given(kernel, probe(), probe(DEV2), bind('mm1', 'h1', DEV)).when(bind('mm1', 'h2', DEV2));
      const first = given(kernel, probe(), probe(DEV2)).when(bind('mm1', 'h1', DEV));
      const dom = (first.facts.find((f) => f.type === 'SvaBound') as { domain: string }).domain;
      expect(t.children.map((c) => c.fn)).not.toContain('iommu_sva_domain_alloc');
      expect(t.children).toContainEqual({ fn: 'iommu_attach_device_pasid', args: { domain: dom, dev: DEV2, pasid: 1 }, ret: 0 });
      expect(t.facts).toContainEqual({ type: 'SvaDomainUsersChanged', seq: 4, domain: dom, users: 2 });
    });
  }
});

describe('SVA unbind per era', () => {
  it('v5.18–v6.1: unbind has no domain to detach', () => {
    const t = given('6.1.0', probe(), bind('mm1', 'h1')).when(unbind('h1'));
    expect(t.children).toEqual([]);
    expect(t.codes).toEqual([]);
    expect(t.endCodes).toEqual([]);
  });
  for (const kernel of ['6.2.0', '6.7.0']) {
    it(`v6.2–v6.7: the last unbind detaches and frees the domain (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(unbind('h1'));
      expect(fns(t)).toEqual(['iommu_detach_device_pasid', 'iommu_domain_free', 'remove_dev_pasid']);
      expect(t.facts.map((f) => f.type)).toEqual(expect.arrayContaining(['PasidDetached', 'DomainFreed', 'SvaUnbound']));
      expect(t.endCodes).toEqual([]);
    });
    it(`v6.2–v6.7: an unbind that leaves binds keeps the domain attached (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1'), bind('mm1', 'h2')).when(unbind('h1'));
      expect(t.children).toEqual([]);
      expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaDomainUsersChanged', users: 1 }));
    });
  }
  for (const kernel of ['6.8.0', '6.11.0']) {
    it(`v6.8+: unbind always detaches the device; the domain is freed with its last device (${kernel})`, () => {
      const t = given(kernel, probe(), probe(DEV2), bind('mm1', 'h1'), bind('mm1', 'h2', DEV2)).when(unbind('h1'));
      expect(fns(t)).toEqual(['iommu_detach_device_pasid', 'remove_dev_pasid']);
      const last = given(kernel, probe(), probe(DEV2), bind('mm1', 'h1'), bind('mm1', 'h2', DEV2), unbind('h1')).when(unbind('h2'));
      expect(fns(last)).toEqual(['iommu_detach_device_pasid', 'iommu_domain_free', 'remove_dev_pasid']);
      expect(last.endCodes).toEqual([]);
    });
    it(`v6.8+: the shared handle's first unbind only drops its refcount (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1'), bind('mm1')).when(unbind('h1'));
      expect(t.children).toEqual([]);
      expect(t.codes).toEqual([]);
    });
  }

  for (const kernel of ['5.15.0', '6.1.0', '6.2.0', '6.8.0', '6.11.0']) {
    it(`unbind of a freed handle is SVA_UNBIND_FREED_HANDLE (A25, ${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1'), unbind('h1')).when(unbind('h1'));
      expect(t.codes).toEqual(['SVA_UNBIND_FREED_HANDLE']);
    });
  }
  it('near miss: a shared handle bound twice is unbound twice cleanly (6.8)', () => {
    const t = given('6.8.0', probe(), bind('mm1', 'h1'), bind('mm1'), unbind('h1')).when(unbind('h1'));
    expect(t.codes).toEqual([]);
    expect(t.children.map((c) => c.fn)).toContain('iommu_domain_free');
  });
  it('near miss: the third unbind of a handle bound twice is A25 (6.8)', () => {
    const t = given('6.8.0', probe(), bind('mm1', 'h1'), bind('mm1'), unbind('h1'), unbind('h1')).when(unbind('h1'));
    expect(t.codes).toEqual(['SVA_UNBIND_FREED_HANDLE']);
  });
  for (const kernel of ['5.15.0', '6.2.0', '6.8.0']) {
    it(`near miss: unbind of a handle bound before the capture is not reported (${kernel})`, () => {
      const t = given(kernel, probe()).when(unbind('h0'));
      expect(t.codes).toEqual([]);
      expect(t.children).toEqual([]);
    });
  }
  it('a bond never unbound is SVA_BOND_LEAKED at the end (its attachment is not reported twice)', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'));
    expect(t.endCodes).toEqual(['SVA_BOND_LEAKED']);
  });
});

describe('PASID lifetime (§3.2, §3.3, A28)', () => {
  it('v5.11–v5.17: each unbind puts a reference; the last one frees the PASID', () => {
    const calls: CallSpec[] = [probe(), probe(DEV2), bind('mm1', 'h1'), bind('mm1', 'h2', DEV2), unbind('h1')];
    const t = given('5.15.0', ...calls).when(unbind('h2'));
    expect(t.children).toContainEqual({ fn: 'ioasid_put', args: { ioasid: 1 } });
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'IoasidFreed', ioasid: 1 }));
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'MmPasidReleased', mm: 'mm1', pasid: 1 }));
    const mid = given('5.15.0', ...calls.slice(0, 4)).when(unbind('h1'));
    expect(mid.facts).toContainEqual(expect.objectContaining({ type: 'IoasidPut', ioasid: 1, refs: 1 }));
    expect(mid.facts.map((f) => f.type)).not.toContain('IoasidFreed');
  });
  it('v5.11–v5.17: after the last unbind the number goes to the next mm', () => {
    const t = given('5.15.0', probe(), bind('mm1', 'h1'), unbind('h1')).when(bind('mm2', 'h2'));
    expect(boundPasid(t.facts)).toBe(1);
  });
  it('v5.10: the last unbind of the mm frees the PASID (ioasid_free)', () => {
    const t = given('5.10.0', probe(), bind('mm1', 'h1')).when(unbind('h1'));
    expect(t.children).toContainEqual({ fn: 'ioasid_free', args: { ioasid: 1 } });
  });
  for (const kernel of ['5.18.0', '6.2.0', '6.6.0', '6.8.0']) {
    it(`v5.18+: unbind keeps the PASID with the mm; the next mm gets another number (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1'), unbind('h1')).when(bind('mm2', 'h2'));
      expect(boundPasid(t.facts)).toBe(2);
    });
    it(`v5.18+: mm_pasid_drop frees the PASID, the number is reused (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1'), unbind('h1'), exit('mm1')).when(bind('mm2', 'h2'));
      expect(boundPasid(t.facts)).toBe(1);
    });
    it(`v5.18+: the PASID of a live mm is not a leak at the end (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(unbind('h1'));
      expect(t.endCodes).toEqual([]);
    });
    it(`mm exit with a live bond is MM_EXIT_WITH_BONDS (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1')).when(exit('mm1'));
      expect(t.codes).toEqual(['MM_EXIT_WITH_BONDS']);
    });
    it(`near miss: mm exit after the unbind is clean (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1'), unbind('h1')).when(exit('mm1'));
      expect(t.codes).toEqual([]);
      expect(t.facts).toContainEqual(expect.objectContaining({ type: 'MmExited', mm: 'mm1' }));
    });
  }
  it('v5.18–v6.3: mm_pasid_drop calls ioasid_free; v6.6+: iommu_free_global_pasid', () => {
    expect(given('6.2.0', probe(), bind('mm1', 'h1'), unbind('h1')).when(exit('mm1')).children).toEqual([{ fn: 'ioasid_free', args: { ioasid: 1 } }]);
    expect(given('6.6.0', probe(), bind('mm1', 'h1'), unbind('h1')).when(exit('mm1')).children).toEqual([{ fn: 'iommu_free_global_pasid', args: { pasid: 1 } }]);
  });
});

describe('a bind of a pair that is already bound still runs the PASID step first (§3.2–§3.5)', () => {
  /** mm4 takes PASID 4, the top of DEV's range [1, 4] (max_pasids 5). */
  const topPasid = [probe(DEV, 5), bind('mmA', 'hA'), bind('mmB', 'hB'), bind('mmC', 'hC'), bind('mm4', 'h4')];
  for (const kernel of ['5.18.0', '6.2.0', '6.3.0']) {
    it(`v5.11–v6.3: binding the same pair again on the top PASID is -EOVERFLOW (the off-by-one, ${kernel})`, () => {
      const t = given(kernel, ...topPasid).when(bind('mm4'));
      expect(t.ret).toBe('-EOVERFLOW');
      expect(t.codes).toEqual(['SVA_BIND_PASID_OUT_OF_RANGE']);
    });
  }
  for (const kernel of ['6.4.0', '6.6.0', '6.8.0']) {
    it(`near miss: from v6.4 the same bind succeeds (${kernel})`, () => {
      const t = given(kernel, ...topPasid).when(bind('mm4'));
      expect(t.codes).toEqual([]);
    });
  }
  for (const kernel of ['5.18.0', '6.2.0', '6.8.0']) {
    it(`binding a still-bound pair after the mm exited is SVA_BIND_AFTER_EXIT (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1'), exit('mm1')).when(bind('mm1'));
      expect(t.givenCodes).toEqual(['MM_EXIT_WITH_BONDS']);
      expect(t.codes).toContain('SVA_BIND_AFTER_EXIT');
    });
  }
});

describe('the calls a failing bind makes (v6.8–v6.10 try every attach; v6.11+ asks the attach handle)', () => {
  const busySlot = [
    probe(),
    probe(DEV2),
    bind('mm1', 'h1'),
    call('iommu_domain_alloc', { type: 'dma' }, 'dom1'),
    call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV2, pasid: 1 }),
  ];
  for (const kernel of ['6.8.0', '6.10.0']) {
    it(`a bind on a slot held by a non-SVA domain tries the mm's domain and a new one, then frees it (${kernel})`, () => {
      const t = given(kernel, ...busySlot).when(bind('mm1', undefined, DEV2));
      expect(t.ret).toBe('-EBUSY');
      expect(t.children).toEqual([
        { fn: 'iommu_attach_device_pasid', args: { domain: 'sva-dom@3', dev: DEV2, pasid: 1 }, ret: '-EBUSY' },
        { fn: 'iommu_sva_domain_alloc', args: { dev: DEV2, mm: 'mm1' }, ret: 'sva-dom@6' },
        { fn: 'iommu_attach_device_pasid', args: { domain: 'sva-dom@6', dev: DEV2, pasid: 1 }, ret: '-EBUSY' },
        { fn: 'iommu_domain_free', args: { domain: 'sva-dom@6' } },
      ]);
    });
    it(`those nested calls in a capture are not reported (${kernel})`, () => {
      const t = given(kernel, ...busySlot).when(
        call('iommu_sva_bind_device', { dev: DEV2, mm: 'mm1' }, '-EBUSY'),
        call('iommu_attach_device_pasid', { domain: 'sva-dom@3', dev: DEV2, pasid: 1 }, '-EBUSY'),
        call('iommu_sva_domain_alloc', { dev: DEV2, mm: 'mm1' }, 'svaX'),
        call('iommu_attach_device_pasid', { domain: 'svaX', dev: DEV2, pasid: 1 }, '-EBUSY'),
        call('iommu_domain_free', { domain: 'svaX' }),
      );
      expect(t.codes).toEqual(['SVA_BIND_SLOT_BUSY']);
    });
  }
  const handleSlot = [...busySlot.slice(0, 4), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV2, pasid: 1, handle: 'iommufd-h1' })];
  it('v6.11: the bind fails on the attach handle, without attach tries, when the slot holds a handle (iommufd)', () => {
    const t = given('6.11.0', ...handleSlot).when(bind('mm1', undefined, DEV2));
    expect(t.ret).toBe('-EBUSY');
    expect(t.children).toEqual([]);
  });
  for (const kernel of ['6.11.0', '6.12.0', '6.15.0']) {
    it(`A9: a slot attached without a handle reads as -ENOENT, so the bind goes through the attach tries before -EBUSY (14678219cf40, ${kernel})`, () => {
      const t = given(kernel, ...busySlot).when(bind('mm1', undefined, DEV2));
      expect(t.ret).toBe('-EBUSY');
      expect(fns(t)).toEqual(['iommu_attach_device_pasid', 'iommu_attach_device_pasid', 'iommu_domain_free', 'iommu_sva_domain_alloc']);
    });
  }
  it('A9 near miss: v6.10 takes the same tries (no attach handles yet)', () => {
    const t = given('6.10.0', ...busySlot).when(bind('mm1', undefined, DEV2));
    expect(fns(t)).toEqual(['iommu_attach_device_pasid', 'iommu_attach_device_pasid', 'iommu_domain_free', 'iommu_sva_domain_alloc']);
  });
  for (const kernel of ['6.2.0', '6.11.0']) {
    it(`A6: an mm_pasid_drop under a live bond keeps the PASID with the bond (v5.18-rc6+), so another mm gets a new PASID (${kernel})`, () => {
      const t = given(kernel, probe(), bind('mm1', 'h1'), exit('mm1')).when(bind('mm2', 'h2'));
      expect(t.ret).toBe('h2');
      expect(t.codes).toEqual([]);
      expect(boundPasid(t.facts)).toBe(2);
    });
  }
  it('v6.8-rc3: the double bind tries the attach of the existing domain and a new one (A27)', () => {
    const t = given('6.8.0-rc3', probe(), bind('mm1', 'h1')).when(bind('mm1'));
    expect(fns(t)).toEqual(['iommu_attach_device_pasid', 'iommu_attach_device_pasid', 'iommu_domain_free', 'iommu_sva_domain_alloc']);
  });
});

describe('A2: Intel before v5.14 allocates its own PASID (intel_svm_bind_mm; 404837741416 moved it to iommu_sva_alloc_pasid)', () => {
  const wide = (kernel: string, width: number) =>
    given(kernel, probe(DEV, 64), probe(DEV2, width), bind('mmA', 'hA'), bind('mmB', 'hB'), bind('mmC', 'hC'), bind('mm4', 'h4')).when(bind('mm4', undefined, DEV2));
  for (const kernel of ['5.10.0', '5.13.0 intel']) {
    it(`an existing PASID at the device's width is -ENOSPC ("Limited PASID width"), not -EOVERFLOW (${kernel})`, () => {
      const t = wide(kernel, 4);
      expect(t.ret).toBe('-ENOSPC');
      expect(t.codes).toEqual(['SVA_BIND_PASID_OUT_OF_RANGE']);
    });
    it(`near miss: PASID width − 1 is accepted (${kernel})`, () => {
      const t = wide(kernel, 5);
      expect(t.codes).toEqual([]);
      expect(boundPasid(t.facts)).toBe(4);
    });
    it(`exhaustion is -ENOSPC (ioasid_alloc INVALID_IOASID in intel_svm_bind_mm), not -ENOMEM (${kernel})`, () => {
      const t = given(kernel, probe(DEV, 2), bind('mmA', 'hA')).when(bind('mmB'));
      expect(t.ret).toBe('-ENOSPC');
    });
    it(`a device of width 1 has no -EINVAL range test: ioasid_alloc(1, 0) fails, -ENOSPC (${kernel})`, () => {
      const t = given(kernel, probe(DEV, 1)).when(bind('mmA'));
      expect(t.ret).toBe('-ENOSPC');
      expect(t.codes).not.toContain('SVA_BIND_BAD_RANGE');
    });
  }
  it('A2 boundary: v5.14 Intel goes through iommu_sva_alloc_pasid: the same bind is -EOVERFLOW', () => {
    const t = wide('5.14.0 intel', 4);
    expect(t.ret).toBe('-EOVERFLOW');
  });
  it('A2: Intel ≤ v5.13 takes no ioasid_get for a second device of the same mm (one reference per svm)', () => {
    const t = given('5.13.0 intel', probe(DEV, 64), probe(DEV2, 64), bind('mmA', 'hA')).when(bind('mmA', 'hB', DEV2));
    expect(t.ret).toBe('hB');
    expect(fns(t)).toEqual([]);
  });
  it('A2 near miss: SMMUv3 on v5.13 takes an ioasid_get per new bond (iommu_sva_alloc_pasid)', () => {
    const t = given('5.13.0 smmuv3', probe(DEV, 64), probe(DEV2, 64), bind('mmA', 'hA')).when(bind('mmA', 'hB', DEV2));
    expect(fns(t)).toEqual(['ioasid_get']);
  });
});

describe('A5: before v6.2 a rebind of the same (dev, mm) is vendor-ordered', () => {
  // The device's own first bind gets the top of its range (every lower PASID taken by other mms).
  const top = (kernel: string) => given(kernel, probe(DEV, 64), probe(DEV2, 4), bind('mmA', 'hA'), bind('mmB', 'hB'), bind('mm3', 'h3', DEV2)).when(bind('mm3', undefined, DEV2));
  for (const kernel of ['5.18.0 intel', '6.1.0 intel']) {
    it(`Intel runs iommu_sva_alloc_pasid first: its own top PASID is refused on the rebind (off by one, ${kernel})`, () => {
      const t = top(kernel);
      expect(t.ret).toBe('-EOVERFLOW');
    });
  }
  for (const kernel of ['5.18.0 smmuv3', '6.1.0 smmuv3']) {
    it(`SMMUv3 finds the bond first (__arm_smmu_sva_bind): the rebind returns the same handle (${kernel})`, () => {
      const t = top(kernel);
      expect(t.ret).toBe('h3');
      expect(t.codes).toEqual([]);
    });
  }
  it('A5 boundary: from v6.2 the PASID step always runs first (no vendor bonds), SMMUv3 included', () => {
    const t = given('6.2.0 smmuv3', probe(DEV, 64), probe(DEV2, 4), bind('mmA', 'hA'), bind('mmB', 'hB'), bind('mm3', 'h3', DEV2)).when(bind('mm3', undefined, DEV2));
    expect(t.ret).toBe('-EOVERFLOW');
  });
});

describe('A4: iommu_sva_bind_device exists from v5.2 but no driver implements sva_bind before v5.8', () => {
  for (const kernel of ['5.5.0', '5.7.0']) {
    it(`every bind is -ENODEV on ${kernel}, before any device or PASID work`, () => {
      const t = given(kernel, probe()).when(bind('mm1'));
      expect(t.ret).toBe('-ENODEV');
      expect(t.codes).toEqual(['SVA_BIND_NO_DRIVER']);
      expect(t.children).toEqual([]);
    });
  }
  it('near miss: v5.8 with Intel binds (064a57d7ddfc)', () => {
    const t = given('5.8.0 intel', probe()).when(bind('mm1', 'h1'));
    expect(t.ret).toBe('h1');
  });
  it('SMMUv3 has no sva_bind before v5.11 (32784a9562fb): -ENODEV on v5.10', () => {
    const t = given('5.10.0 smmuv3', probe()).when(bind('mm1'));
    expect(t.ret).toBe('-ENODEV');
  });
  it('near miss: SMMUv3 binds on v5.11', () => {
    const t = given('5.11.0 smmuv3', probe()).when(bind('mm1', 'h1'));
    expect(t.ret).toBe('h1');
  });
  it('unbind on v5.6 is a silent no-op (the call exists)', () => {
    const t = given('5.6.0', probe()).when(unbind('h1'));
    expect(t.codes).toEqual([]);
  });
});

describe('x86 stable kernels with SVA disabled (72f98ef9a4be backport, CVE-2025-71089)', () => {
  for (const kernel of ['6.1.163', '6.6.120', '6.12.64', '6.18.4']) {
    it(`every bind is -EOPNOTSUPP on x86 ${kernel}`, () => {
      const t = given(`${kernel} x86 intel`, probe()).when(bind('mm1'));
      expect(t.ret).toBe('-EOPNOTSUPP');
      expect(t.codes).toEqual(['SVA_BIND_DISABLED_X86']);
    });
  }
  for (const kernel of ['6.1.162', '6.6.119', '6.12.63', '6.18.3', '6.19.0']) {
    it(`near miss: a handle on x86 ${kernel}`, () => {
      const t = given(`${kernel} x86 intel`, probe()).when(bind('mm1', 'h1'));
      expect(t.ret).toBe('h1');
    });
  }
  it('near miss: arm64 6.12.64 binds (the check is CONFIG_X86)', () => {
    const t = given('6.12.64 arm64 smmuv3', probe()).when(bind('mm1', 'h1'));
    expect(t.ret).toBe('h1');
  });
  it('the check comes after the no-group -ENODEV and before the group-size -EINVAL (6.1.163)', () => {
    const t = given('6.1.163 x86 intel', probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1')).when(bind('mm1'));
    expect(t.ret).toBe('-EOPNOTSUPP');
  });
  it('a distro version without the sublevel: a recorded -EOPNOTSUPP is plausible (no RET_MISMATCH)', () => {
    const t = given('6.12.0-31-amd64 x86 intel', probe()).when(call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, '-EOPNOTSUPP'));
    expect(t.ret).toBe('-EOPNOTSUPP');
    expect(t.codes).toEqual(['SVA_BIND_DISABLED_X86']);
  });
  it('near miss: the same distro version with a recorded handle binds', () => {
    const t = given('6.12.0-31-amd64 x86 intel', probe()).when(call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1'));
    expect(t.codes).toEqual([]);
  });
});

describe('SVA on a two-device group (no singleton check from v6.2)', () => {
  const group = [probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1'), bind('mm1', 'h1', DEV)];
  for (const kernel of ['6.11.0', '6.15.0']) {
    it(`v6.11+: the peer's bind finds the mm's handle in the group pasid_array and returns it (${kernel})`, () => {
      const t = given(kernel, ...group).when(bind('mm1', undefined, DEV2));
      expect(t.ret).toBe('h1');
      expect(t.codes).toEqual([]);
    });
    it(`v6.11+: the shared handle is unbound twice, the second unbind frees the domain (${kernel})`, () => {
      const t = given(kernel, ...group, bind('mm1', undefined, DEV2), unbind('h1')).when(unbind('h1'));
      expect(t.codes).toEqual([]);
      expect(fns(t)).toContain('iommu_domain_free');
      expect(t.endCodes).toEqual([]);
    });
  }
  for (const kernel of ['6.8.0', '6.10.0']) {
    it(`v6.8–v6.10: the peer's bind fails -EBUSY (its own attach hits the group slot) (${kernel})`, () => {
      const t = given(kernel, ...group).when(bind('mm1', undefined, DEV2));
      expect(t.ret).toBe('-EBUSY');
    });
  }
  it('v6.2: the peer joins the SVA domain found on the group slot with a new handle', () => {
    const t = given('6.2.0', ...group).when(bind('mm1', 'h2', DEV2));
    expect(t.ret).toBe('h2');
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaDomainUsersChanged', users: 2 }));
  });
});

describe('an unbind of a handle bound before the capture', () => {
  it('near miss: its nested teardown (detach, remove_dev_pasid, free) is not reported', () => {
    const t = given('6.2.0', probe()).when(
      unbind('h0'),
      call('iommu_detach_device_pasid', { domain: 'svaOld', dev: DEV, pasid: 7 }),
      call('remove_dev_pasid', { dev: DEV, pasid: 7 }, null, { parent: 3 }),
      call('iommu_domain_free', { domain: 'svaOld' }),
    );
    expect(t.codes).toEqual([]);
  });
  it('the domain it freed is freed: a later attach of it is ATTACH_FREED_DOMAIN', () => {
    const t = given('6.2.0', probe(), unbind('h0'), call('iommu_domain_free', { domain: 'svaOld' }, null, { parent: 2 })).when(
      call('iommu_attach_device_pasid', { domain: 'svaOld', dev: DEV, pasid: 3 }),
    );
    expect(t.codes).toEqual(['ATTACH_FREED_DOMAIN']);
  });
  it('a nested call that is not teardown is still NESTED_CALL_UNEXPECTED', () => {
    const t = given('6.2.0', probe()).when(unbind('h0'), call('iommu_sva_domain_alloc', { dev: DEV, mm: 'mm1' }, 'x'));
    expect(t.codes).toEqual(['NESTED_CALL_UNEXPECTED']);
  });
});

describe('v6.8+: an mm with SVA domains on several IOMMUs (iommu_mm->sva_domains)', () => {
  const DEV3 = '0000:00:04.0';
  /** DEV's domain A; DEV2 (another IOMMU) refuses A and gets domain B. */
  const twoDomains = [
    probe(),
    probe(DEV2),
    probe(DEV3),
    call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1'),
    call('iommu_sva_domain_alloc', { dev: DEV, mm: 'mm1' }, 'domA', { parent: 4 }),
    call('iommu_sva_bind_device', { dev: DEV2, mm: 'mm1' }, 'h2'),
    call('iommu_attach_device_pasid', { domain: 'domA', dev: DEV2, pasid: 1 }, '-EINVAL', { parent: 6 }),
    call('iommu_sva_domain_alloc', { dev: DEV2, mm: 'mm1' }, 'domB', { parent: 6 }),
    call('iommu_attach_device_pasid', { domain: 'domB', dev: DEV2, pasid: 1 }, 0, { parent: 6 }),
  ];
  it('a device that refuses the first domain gets a new one; the failed attach is expected, not reported', () => {
    const t = given('6.8.0', ...twoDomains.slice(0, 5)).when(
      call('iommu_sva_bind_device', { dev: DEV2, mm: 'mm1' }, 'h2'),
      call('iommu_attach_device_pasid', { domain: 'domA', dev: DEV2, pasid: 1 }, '-EINVAL'),
      call('iommu_sva_domain_alloc', { dev: DEV2, mm: 'mm1' }, 'domB'),
      call('iommu_attach_device_pasid', { domain: 'domB', dev: DEV2, pasid: 1 }, 0),
    );
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaBound', domain: 'domB' }));
  });
  it('the newest domain is tried first (list_add at the head): a third device joins domB by default', () => {
    const t = given('6.8.0', ...twoDomains).when(call('iommu_sva_bind_device', { dev: DEV3, mm: 'mm1' }, 'h3'));
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaBound', domain: 'domB' }));
    expect(t.children.filter((k) => k.fn === 'iommu_attach_device_pasid')).toEqual([{ fn: 'iommu_attach_device_pasid', args: { domain: 'domB', dev: DEV3, pasid: 1 }, ret: 0 }]);
  });
  it('a third device that joins domA after domB refused it: both attaches expected, no findings', () => {
    const t = given('6.8.0', ...twoDomains).when(
      call('iommu_sva_bind_device', { dev: DEV3, mm: 'mm1' }, 'h3'),
      call('iommu_attach_device_pasid', { domain: 'domB', dev: DEV3, pasid: 1 }, '-EINVAL'),
      call('iommu_attach_device_pasid', { domain: 'domA', dev: DEV3, pasid: 1 }, 0),
    );
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'SvaBound', domain: 'domA' }));
  });
});

describe('v5.11–v5.17 PASID references per bind (Intel) or per bond (SMMUv3)', () => {
  const intel = [
    probe(),
    bind('mm1', 'h1'),
    call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1'),
    call('ioasid_get', { ioasid: 1 }, null, { parent: 3 }),
  ];
  it('a rebind whose capture shows ioasid_get takes the reference (Intel) and is clean', () => {
    const t = given('5.15.0', ...intel.slice(0, 2)).when(call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1'), call('ioasid_get', { ioasid: 1 }, null));
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'IoasidGot', ioasid: 1, refs: 2 }));
  });
  it('near miss: a rebind without it takes none (SMMUv3 bond refcount)', () => {
    const t = given('5.15.0', probe(), bind('mm1', 'h1')).when(bind('mm1'));
    expect(t.children).toEqual([]);
  });
  it('Intel: each unbind puts a reference; the second frees the PASID', () => {
    const first = given('5.15.0', ...intel).when(unbind('h1'), call('ioasid_put', { ioasid: 1 }, false));
    expect(first.codes).toEqual([]);
    const second = given('5.15.0', ...intel, unbind('h1'), call('ioasid_put', { ioasid: 1 }, false, { parent: 5 })).when(unbind('h1'), call('ioasid_put', { ioasid: 1 }, true));
    expect(second.codes).toEqual([]);
    expect(second.facts).toContainEqual(expect.objectContaining({ type: 'IoasidFreed', ioasid: 1 }));
  });
});
