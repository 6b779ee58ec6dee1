/**
 * Device probe/release, PASID attach/detach/replace and domain free (§4, A29–A37, A42), per era.
 * Each test: given a trace prefix, when one call, then the model's return and findings.
 */
import { describe, it, expect } from 'vitest';
import { call, codes, replayCalls } from '../support/calls.js';
import { given } from '../support/gwt.js';

const DEV = '0000:00:02.0';
const DEV2 = '0000:00:03.0';
const probe = (dev = DEV, max = 32, group?: string) => call('iommu_probe_device', group ? { dev, max_pasids: max, group } : { dev, max_pasids: max });
const domAlloc = (name: string) => call('iommu_domain_alloc', { type: 'dma' }, name);
const attach = (domain: string, pasid: number, dev = DEV) => call('iommu_attach_device_pasid', { domain, dev, pasid });
const detach = (domain: string, pasid: number, dev = DEV) => call('iommu_detach_device_pasid', { domain, dev, pasid });
const replace = (domain: string, pasid: number, handle: string, dev = DEV) => call('iommu_replace_device_pasid', { domain, dev, pasid, handle });

describe('device probe and release (§4.5)', () => {
  it('probe records max_pasids and returns 0', () => {
    const t = given('6.2.0').when(probe(DEV, 64));
    expect(t.ret).toBe(0);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'DeviceProbed', dev: DEV, max_pasids: 64 }));
    expect(t.codes).toEqual([]);
  });

  it('release of a device with an attached PASID is DEVICE_RELEASED_WITH_PASIDS', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(call('iommu_release_device', { dev: DEV }));
    expect(t.codes).toEqual(['DEVICE_RELEASED_WITH_PASIDS']);
  });

  it('release of a device with an SVA bond is DEVICE_RELEASED_WITH_PASIDS (v5.18, no domains)', () => {
    const t = given('5.18.0', probe(), call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1')).when(call('iommu_release_device', { dev: DEV }));
    expect(t.codes).toEqual(['DEVICE_RELEASED_WITH_PASIDS']);
  });

  it('near miss: release after detach and unbind is clean', () => {
    const t = given(
      '6.2.0',
      probe(),
      domAlloc('dom1'),
      attach('dom1', 5),
      detach('dom1', 5),
      call('iommu_sva_bind_device', { dev: DEV, mm: 'mm1' }, 'h1'),
      call('iommu_sva_unbind_device', { handle: 'h1' }),
    ).when(call('iommu_release_device', { dev: DEV }));
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'DeviceReleased', dev: DEV }));
  });
});

describe('iommu_attach_device_pasid (§4.1)', () => {
  it('attach to an empty slot succeeds and counts the attachment', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1')).when(attach('dom1', 5));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
    expect(t.children).toContainEqual({ fn: 'set_dev_pasid', args: { domain: 'dom1', dev: DEV, pasid: 5 }, ret: 0 });
  });

  for (const kernel of ['6.2.0', '6.8.0', '6.11.0']) {
    it(`attach to an occupied slot is -EBUSY even with the same domain (${kernel})`, () => {
      const t = given(kernel, probe(), domAlloc('dom1'), attach('dom1', 5)).when(attach('dom1', 5));
      expect(t.ret).toBe('-EBUSY');
      expect(t.codes).toEqual(['ATTACH_BUSY']);
    });
  }

  it('attach to an occupied slot with another domain is -EBUSY', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 5)).when(attach('dom2', 5));
    expect(t.ret).toBe('-EBUSY');
    expect(t.codes).toEqual(['ATTACH_BUSY']);
  });

  it('near miss: the same domain on another PASID of the same device attaches', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(attach('dom1', 6));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });

  it('near miss: the same PASID on a device of another group attaches', () => {
    const t = given('6.2.0', probe(), probe(DEV2), domAlloc('dom1'), attach('dom1', 5)).when(attach('dom1', 5, DEV2));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });

  it('the same PASID on another device of the same group is -EBUSY (pasid_array is per group)', () => {
    const t = given('6.2.0', probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1'), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 5)).when(attach('dom2', 5, DEV2));
    expect(t.ret).toBe('-EBUSY');
    expect(t.codes).toEqual(['ATTACH_BUSY']);
  });

  it('near miss: after detach the slot can be attached again', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5), detach('dom1', 5)).when(attach('dom1', 5));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });

  describe('PASID 0 (IOMMU_NO_PASID)', () => {
    for (const kernel of ['6.2.0', '6.8.0']) {
      it(`attach to PASID 0 succeeds silently before v6.9 but is flagged ATTACH_PASID_ZERO (${kernel})`, () => {
        const t = given(kernel, probe(), domAlloc('dom1')).when(attach('dom1', 0));
        expect(t.ret).toBe(0);
        expect(t.codes).toEqual(['ATTACH_PASID_ZERO']);
      });
    }
    for (const kernel of ['6.9.0', '6.11.0', '6.15.0']) {
      it(`attach to PASID 0 is -EINVAL from v6.9 (${kernel})`, () => {
        const t = given(kernel, probe(), domAlloc('dom1')).when(attach('dom1', 0));
        expect(t.ret).toBe('-EINVAL');
        expect(t.codes).toEqual(['ATTACH_PASID_ZERO']);
      });
    }
    it('near miss: PASID 1 is the first valid PASID (v6.9)', () => {
      const t = given('6.9.0', probe(), domAlloc('dom1')).when(attach('dom1', 1));
      expect(t.ret).toBe(0);
      expect(t.codes).toEqual([]);
    });
  });

  describe('pasid >= max_pasids', () => {
    it('attach with pasid == max_pasids succeeds silently before v6.9 and is flagged (6.8.0)', () => {
      const t = given('6.8.0', probe(DEV, 16), domAlloc('dom1')).when(attach('dom1', 16));
      expect(t.ret).toBe(0);
      expect(t.codes).toEqual(['ATTACH_PASID_OUT_OF_RANGE']);
    });
    it('attach with pasid == max_pasids is -EINVAL from v6.9', () => {
      const t = given('6.9.0', probe(DEV, 16), domAlloc('dom1')).when(attach('dom1', 16));
      expect(t.ret).toBe('-EINVAL');
      expect(t.codes).toEqual(['ATTACH_PASID_OUT_OF_RANGE']);
    });
    for (const kernel of ['6.8.0', '6.9.0']) {
      it(`near miss: pasid == max_pasids - 1 is in range (${kernel})`, () => {
        const t = given(kernel, probe(DEV, 16), domAlloc('dom1')).when(attach('dom1', 15));
        expect(t.ret).toBe(0);
        expect(t.codes).toEqual([]);
      });
    }
    it('#21 A7: a device with max_pasids 0 refuses every PASID on v6.9 (c404f55c26fc tests every group device)', () => {
      const t = given('6.9.0', probe(DEV, 0), domAlloc('dom1')).when(attach('dom1', 7));
      expect(t.ret).toBe('-EINVAL');
    });
    it('#21 A7 near miss: from v6.15-rc7 it is skipped by the range check (b3f6fcd8404f)', () => {
      const t = given('6.15.0', probe(DEV, 0), domAlloc('dom1')).when(attach('dom1', 7));
      expect(t.ret).toBe(0);
      expect(t.codes).toEqual([]);
    });
    it('near miss: a device probed before the capture has an unknown range, no finding', () => {
      const t = given('6.9.0', domAlloc('dom1')).when(attach('dom1', 1000));
      expect(t.ret).toBe(0);
      expect(t.codes).toEqual([]);
    });
  });

  for (const kernel of ['6.2.0', '6.11.0']) {
    it(`attach to a released device is -ENODEV (${kernel})`, () => {
      const t = given(kernel, probe(), domAlloc('dom1'), call('iommu_release_device', { dev: DEV })).when(attach('dom1', 5));
      expect(t.ret).toBe('-ENODEV');
      expect(t.codes).toEqual(['ATTACH_NO_PASID_SUPPORT']);
    });
  }
  it('near miss: a released device probed again attaches', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), call('iommu_release_device', { dev: DEV }), probe()).when(attach('dom1', 5));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });

  it('attach of a freed domain is ATTACH_FREED_DOMAIN (the core does not notice)', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), call('iommu_domain_free', { domain: 'dom1' })).when(attach('dom1', 5));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual(['ATTACH_FREED_DOMAIN']);
  });
  it('near miss: a domain name allocated again after its free attaches cleanly', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), call('iommu_domain_free', { domain: 'dom1' }), domAlloc('dom1')).when(attach('dom1', 5));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });

  describe('PCI reset (v7.0+, c279e83953d9)', () => {
    const reset = call('pci_dev_reset_iommu_prepare', { dev: DEV });
    it('attach during a reset is -EBUSY (7.0)', () => {
      const t = given('7.0.0', probe(), domAlloc('dom1'), reset).when(attach('dom1', 5));
      expect(t.ret).toBe('-EBUSY');
      expect(t.codes).toEqual(['ATTACH_DURING_RESET']);
    });
    it('near miss: attach after the reset is done succeeds (7.0)', () => {
      const t = given('7.0.0', probe(), domAlloc('dom1'), reset, call('pci_dev_reset_iommu_done', { dev: DEV })).when(attach('dom1', 5));
      expect(t.ret).toBe(0);
      expect(t.codes).toEqual([]);
    });
    for (const kernel of ['6.18.0', '6.19.0']) {
      it(`the reset calls do not exist before v7.0 (${kernel})`, () => {
        const t = given(kernel, probe()).when(reset);
        expect(t.codes).toEqual(['CALL_NOT_IN_KERNEL']);
      });
    }
  });

  it('attach does not exist before v6.2', () => {
    const t = given('6.1.0', probe(), domAlloc('dom1')).when(attach('dom1', 5));
    expect(t.codes).toEqual(['CALL_NOT_IN_KERNEL']);
  });

  it('an attachment never detached is ATTACH_LEAKED at the end of the trace', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1')).when(attach('dom1', 5));
    expect(t.endCodes).toEqual(['ATTACH_LEAKED']);
  });
  it('near miss: a detached attachment is not a leak', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(detach('dom1', 5));
    expect(t.endCodes).toEqual([]);
  });
});

describe('iommu_detach_device_pasid (§4.2)', () => {
  for (const kernel of ['6.2.0', '6.10.0']) {
    it(`detach with another domain WARNs in ${kernel} (reaction WARN) and clears the slot`, () => {
      const t = given(kernel, probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 5)).when(detach('dom2', 5));
      expect(t.codes).toEqual(['DETACH_WRONG_DOMAIN']);
      expect(t.findings.find((f) => f.code === 'DETACH_WRONG_DOMAIN')?.reaction).toBe('WARN');
      expect(t.facts).toContainEqual(expect.objectContaining({ type: 'PasidDetached', pasid: 5, domain: 'dom1' }));
      expect(t.endCodes).toEqual([]);
    });
  }
  for (const kernel of ['6.11.0', '6.15.0']) {
    it(`detach with another domain is silent from v6.11 (${kernel}, reaction SILENT)`, () => {
      const t = given(kernel, probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 5)).when(detach('dom2', 5));
      expect(t.codes).toEqual(['DETACH_WRONG_DOMAIN']);
      expect(t.findings.find((f) => f.code === 'DETACH_WRONG_DOMAIN')?.reaction).toBe('SILENT');
    });
  }
  it('near miss: detach with the attached domain is clean', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(detach('dom1', 5));
    expect(t.ret).toBeNull();
    expect(t.codes).toEqual([]);
  });
  for (const [kernel, reaction] of [['6.2.0', 'WARN'], ['6.11.0', 'SILENT']] as const) {
    it(`detach of a PASID with nothing attached is DETACH_NOT_ATTACHED (${kernel}: ${reaction})`, () => {
      const t = given(kernel, probe(), domAlloc('dom1')).when(detach('dom1', 5));
      expect(t.codes).toEqual(['DETACH_NOT_ATTACHED']);
      expect(t.findings[0].reaction).toBe(reaction);
    });
  }
  it('detach twice: the second is DETACH_NOT_ATTACHED', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5), detach('dom1', 5)).when(detach('dom1', 5));
    expect(t.codes).toEqual(['DETACH_NOT_ATTACHED']);
  });

  for (const [kernel, args] of [
    ['6.9.0', { dev: DEV, pasid: 5 }],
    ['6.10.0', { dev: DEV, pasid: 5, domain: 'dom1' }],
  ] as const) {
    it(`the nested remove_dev_pasid gets the domain from v6.10 (${kernel})`, () => {
      const t = given(kernel, probe(), domAlloc('dom1'), attach('dom1', 5)).when(detach('dom1', 5));
      expect(t.children).toContainEqual({ fn: 'remove_dev_pasid', args });
    });
  }
  it('v6.11: a wrong domain is what remove_dev_pasid is handed (the driver flushes the wrong one)', () => {
    const t = given('6.11.0', probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 5)).when(detach('dom2', 5));
    expect(t.children).toContainEqual({ fn: 'remove_dev_pasid', args: { dev: DEV, pasid: 5, domain: 'dom2' } });
  });
});

describe('iommu_replace_device_pasid (§4.3, v6.15+)', () => {
  it('replace on a PASID with nothing attached is -EINVAL', () => {
    const t = given('6.15.0', probe(), domAlloc('dom1')).when(replace('dom1', 5, 'h1'));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['REPLACE_NOT_ATTACHED']);
  });
  it('replace with the installed handle WARNs and is -EINVAL', () => {
    const t = given('6.15.0', probe(), domAlloc('dom1'), domAlloc('dom2'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5, handle: 'h1' })).when(replace('dom2', 5, 'h1'));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['REPLACE_SAME_HANDLE']);
    expect(t.findings[0].reaction).toBe('WARN');
  });
  it('replace with the same domain and a new handle only swaps the handle (no driver call, the domain keeps its one attachment)', () => {
    const t = given('6.15.0', probe(), domAlloc('dom1'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5, handle: 'h1' })).when(replace('dom1', 5, 'h2'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
    expect(t.facts).toEqual([{ type: 'PasidReplaced', seq: 4, group: DEV, dev: DEV, pasid: 5, from: 'dom1', to: 'dom1', handle: 'h2' }]);
    expect(t.children).toEqual([]);
  });
  it('after a same-domain replace, replacing with the new handle again is REPLACE_SAME_HANDLE', () => {
    const t = given('6.15.0', probe(), domAlloc('dom1'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5, handle: 'h1' }), replace('dom1', 5, 'h2')).when(replace('dom1', 5, 'h2'));
    expect(t.codes).toEqual(['REPLACE_SAME_HANDLE']);
  });
  it('near miss: replace with a new domain and a new handle swaps the domain', () => {
    const t = given('6.15.0', probe(), domAlloc('dom1'), domAlloc('dom2'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5, handle: 'h1' })).when(replace('dom2', 5, 'h2'));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'PasidReplaced', from: 'dom1', to: 'dom2' }));
    expect(t.children).toContainEqual({ fn: 'set_dev_pasid', args: { domain: 'dom2', dev: DEV, pasid: 5, old: 'dom1' }, ret: 0 });
  });
  it('after replace, freeing the old domain is clean and freeing the new one is A37', () => {
    const base = [probe(), domAlloc('dom1'), domAlloc('dom2'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5, handle: 'h1' }), replace('dom2', 5, 'h2')];
    expect(given('6.15.0', ...base).when(call('iommu_domain_free', { domain: 'dom1' })).codes).toEqual([]);
    expect(given('6.15.0', ...base).when(call('iommu_domain_free', { domain: 'dom2' })).codes).toEqual(['DOMAIN_FREE_ATTACHED']);
  });
  it('replace does not exist before v6.15', () => {
    const t = given('6.11.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(replace('dom1', 5, 'h1'));
    expect(t.codes).toEqual(['CALL_NOT_IN_KERNEL']);
  });
  it('replace on a released device is -ENODEV', () => {
    const t = given('6.15.0', probe(), domAlloc('dom1'), attach('dom1', 5), call('iommu_release_device', { dev: DEV })).when(replace('dom1', 5, 'h1'));
    expect(t.ret).toBe('-ENODEV');
  });
});

describe('iommu_domain_free (A37)', () => {
  it('free of a domain still attached to a PASID is DOMAIN_FREE_ATTACHED', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(call('iommu_domain_free', { domain: 'dom1' }));
    expect(t.codes).toEqual(['DOMAIN_FREE_ATTACHED']);
  });
  it('near miss: free after detach is clean', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5), detach('dom1', 5)).when(call('iommu_domain_free', { domain: 'dom1' }));
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'DomainFreed', domain: 'dom1' }));
  });
  it('near miss: free after detaching one of two attachments is still A37', () => {
    const t = given('6.2.0', probe(), domAlloc('dom1'), attach('dom1', 5), attach('dom1', 6), detach('dom1', 5)).when(call('iommu_domain_free', { domain: 'dom1' }));
    expect(t.codes).toEqual(['DOMAIN_FREE_ATTACHED']);
  });
  it('double free is DOMAIN_DOUBLE_FREE', () => {
    const t = given('6.2.0', domAlloc('dom1'), call('iommu_domain_free', { domain: 'dom1' })).when(call('iommu_domain_free', { domain: 'dom1' }));
    expect(t.codes).toEqual(['DOMAIN_DOUBLE_FREE']);
  });
  it('near miss: free of a domain allocated before the capture is clean', () => {
    const t = given('6.2.0').when(call('iommu_domain_free', { domain: 'dom1' }));
    expect(t.codes).toEqual([]);
  });
});

describe('the max_pasids check covers every device of the group (for_each_group_device, §4.1)', () => {
  it('attach with a PASID beyond another group device range is -EINVAL from v6.9', () => {
    const t = given('6.9.0', probe(DEV, 32, 'g1'), probe(DEV2, 8, 'g1'), domAlloc('dom1')).when(attach('dom1', 10));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['ATTACH_PASID_OUT_OF_RANGE']);
  });
  it('near miss: a PASID inside every group device range attaches', () => {
    const t = given('6.9.0', probe(DEV, 32, 'g1'), probe(DEV2, 8, 'g1'), domAlloc('dom1')).when(attach('dom1', 7));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });
  it('near miss: a released group device no longer narrows the range', () => {
    const t = given('6.9.0', probe(DEV, 32, 'g1'), probe(DEV2, 8, 'g1'), call('iommu_release_device', { dev: DEV2 }), domAlloc('dom1')).when(attach('dom1', 10));
    expect(t.ret).toBe(0);
  });
});

describe('attachments belong to the group (group->pasid_array)', () => {
  it('near miss: a detach through a group peer ends the attachment; releasing the attaching device is clean', () => {
    const t = given('6.2.0', probe(DEV, 32, 'g1'), probe(DEV2, 32, 'g1'), domAlloc('dom1'), attach('dom1', 5), detach('dom1', 5, DEV2)).when(call('iommu_release_device', { dev: DEV }));
    expect(t.codes).toEqual([]);
  });
});

describe('iommu_replace_device_pasid argument checks (v6.15, §4.3)', () => {
  it('replace with a NULL handle is -EINVAL', () => {
    const t = given('6.15.0', probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 5)).when(call('iommu_replace_device_pasid', { domain: 'dom2', dev: DEV, pasid: 5, handle: null }));
    expect(t.ret).toBe('-EINVAL');
  });
  it('near miss: a replace whose handle the capture did not record is not refused', () => {
    const t = given('6.15.0', probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 5)).when(call('iommu_replace_device_pasid', { domain: 'dom2', dev: DEV, pasid: 5 }));
    expect(t.ret).toBe(0);
  });
  it('replace has no max_pasids check: an unattached PASID beyond the range is REPLACE_NOT_ATTACHED', () => {
    const t = given('6.15.0', probe(DEV, 8), domAlloc('dom1')).when(replace('dom1', 20, 'h1'));
    expect(t.ret).toBe('-EINVAL');
    expect(t.codes).toEqual(['REPLACE_NOT_ATTACHED']);
  });
});

describe('captures that begin late (the history before the capture is unknown)', () => {
  it('near miss: a detach on a never-probed device with a never-allocated domain is not DETACH_NOT_ATTACHED', () => {
    const t = given('6.2.0').when(detach('dom9', 5));
    expect(t.codes).toEqual([]);
    expect(t.children).toEqual([{ fn: 'remove_dev_pasid', args: { dev: DEV, pasid: 5 } }]);
  });
  it('a detach with a domain allocated in the capture but never attached is DETACH_NOT_ATTACHED', () => {
    const t = given('6.2.0', domAlloc('dom1')).when(detach('dom1', 5));
    expect(t.codes).toEqual(['DETACH_NOT_ATTACHED']);
  });
  it('a detach on a device probed in the capture is DETACH_NOT_ATTACHED', () => {
    const t = given('6.2.0', probe()).when(detach('dom9', 5));
    expect(t.codes).toEqual(['DETACH_NOT_ATTACHED']);
  });
});

describe('a domain name allocated again while PASID slots still hold it', () => {
  it('keeps counting the attachments of those slots: freeing it is still DOMAIN_FREE_ATTACHED, and the detach then hands the driver the freed domain (#21 B6)', () => {
    const r = replayCalls('6.2.0', [
      call('iommu_probe_device', { dev: '0000:00:02.0', max_pasids: 32 }, 0),
      call('iommu_domain_alloc', { type: 'dma' }, 'dom1'),
      call('iommu_attach_device_pasid', { domain: 'dom1', dev: '0000:00:02.0', pasid: 1 }, 0),
      call('iommu_domain_alloc', { type: 'dma' }, 'dom1'),
      call('iommu_domain_free', { domain: 'dom1' }, null),
      call('iommu_detach_device_pasid', { domain: 'dom1', dev: '0000:00:02.0', pasid: 1 }, null),
    ]);
    expect(codes(r)).toEqual(['DOMAIN_FREE_ATTACHED', 'DETACH_FREED_DOMAIN']);
  });
});

describe('#21 A7/A8: group devices without PASID support (c404f55c26fc v6.9-rc2; b3f6fcd8404f v6.15-rc7, 6.12.93)', () => {
  const A = '0000:00:01.0';
  const B = '0000:00:01.1';
  const group = [
    call('iommu_probe_device', { dev: A, max_pasids: 0, group: 'g1' }),
    call('iommu_probe_device', { dev: B, max_pasids: 64, group: 'g1' }),
    call('iommu_domain_alloc', { type: 'paging', dev: B }, 'dom1'),
  ];
  const attach = call('iommu_attach_device_pasid', { domain: 'dom1', dev: B, pasid: 5 });
  for (const kernel of ['6.9.0-rc2', '6.12.10', '6.12.92', '6.14.0', '6.15.0-rc6']) {
    it(`A7: a member with max_pasids 0 makes every attach to the group -EINVAL (${kernel})`, () => {
      const t = given(kernel, ...group).when(attach);
      expect(t.ret).toBe('-EINVAL');
      expect(t.codes).toEqual(['ATTACH_PASID_OUT_OF_RANGE']);
    });
  }
  for (const kernel of ['6.15.0-rc7', '6.15.0', '6.12.93', '6.18.0']) {
    it(`A7/A8: the member is skipped in the check and in the driver fan-out (${kernel})`, () => {
      const t = given(kernel, ...group).when(attach);
      expect(t.ret).toBe(0);
      expect(t.children.map((c) => c.args.dev)).toEqual([B]);
    });
  }
  it('A7 near miss: before v6.9-rc2 there is no check; the fan-out reaches both devices (6.9-rc1)', () => {
    const t = given('6.9.0-rc1', ...group).when(attach);
    expect(t.ret).toBe(0);
    expect(t.children.map((c) => c.args.dev)).toEqual([A, B]);
  });
  it('A8: the detach fan-out skips the member too (6.15)', () => {
    const t = given('6.15.0', ...group, attach).when(call('iommu_detach_device_pasid', { domain: 'dom1', dev: B, pasid: 5 }));
    expect(t.children.map((c) => c.args.dev)).toEqual([B]);
  });
  it('A8 near miss: the 6.14 detach walks every member', () => {
    const t = given('6.14.0', call('iommu_probe_device', { dev: A, max_pasids: 0, group: 'g1' }), call('iommu_probe_device', { dev: B, max_pasids: 64, group: 'g1' })).when(call('iommu_detach_device_pasid', { domain: 'dom1', dev: B, pasid: 5 }));
    expect(t.children.map((c) => c.args.dev)).toEqual([A, B]);
  });
});

describe('a driver set_dev_pasid error inside an attach (#21 B5): the kernel undoes the group devices already set', () => {
  const A = '0000:00:04.0';
  const B = '0000:00:05.0';
  const group = [probe(A, 32, 'g1'), probe(B, 32, 'g1'), domAlloc('dom1')];
  const set = (dev: string, ret: 0 | '-ENOSPC') => call('set_dev_pasid', { domain: 'dom1', dev, pasid: 5 }, ret);
  const attachA = call('iommu_attach_device_pasid', { domain: 'dom1', dev: A, pasid: 5 }, '-ENOSPC');
  for (const kernel of ['6.2.0', '6.9.0']) {
    it(`v6.2–v6.9: __iommu_remove_group_pasid calls remove_dev_pasid on every group device, then the error is returned (${kernel})`, () => {
      const t = given(kernel, ...group).when(attachA, set(A, 0), set(B, '-ENOSPC'), call('remove_dev_pasid', { dev: A, pasid: 5 }), call('remove_dev_pasid', { dev: B, pasid: 5 }));
      expect(t.ret).toBe('-ENOSPC');
      expect(t.codes).toEqual([]);
      expect(t.children.filter((c) => c.fn === 'remove_dev_pasid').map((c) => c.args.dev)).toEqual([A, B]);
      expect(t.facts).toEqual([]);
    });
  }
  for (const kernel of ['6.10.0', '6.13.0']) {
    it(`v6.10–v6.13 (c6cbe8392097): only the devices before the failing one are undone, with the domain (${kernel})`, () => {
      const t = given(kernel, ...group).when(attachA, set(A, 0), set(B, '-ENOSPC'), call('remove_dev_pasid', { dev: A, pasid: 5, domain: 'dom1' }));
      expect(t.ret).toBe('-ENOSPC');
      expect(t.codes).toEqual([]);
      expect(t.children.filter((c) => c.fn === 'remove_dev_pasid')).toEqual([{ fn: 'remove_dev_pasid', args: { dev: A, pasid: 5, domain: 'dom1' } }]);
    });
  }
  it('v6.10+: an undo of every group device (the v6.9 form) is NESTED_CALL_UNEXPECTED', () => {
    const t = given('6.12.0', ...group).when(attachA, set(A, 0), set(B, '-ENOSPC'), call('remove_dev_pasid', { dev: A, pasid: 5, domain: 'dom1' }), call('remove_dev_pasid', { dev: B, pasid: 5, domain: 'dom1' }));
    expect(t.codes).toEqual(['NESTED_CALL_UNEXPECTED']);
  });
  it('v6.14+ (647b7aad1949): the undo is the blocked domain\'s set_dev_pasid with the domain as the old one', () => {
    const t = given('6.14.0', ...group).when(attachA, set(A, 0), set(B, '-ENOSPC'), call('set_dev_pasid', { domain: 'blocked', dev: A, pasid: 5, old: 'dom1' }, 0));
    expect(t.ret).toBe('-ENOSPC');
    expect(t.codes).toEqual([]);
    expect(t.children.at(-1)).toEqual({ fn: 'set_dev_pasid', args: { dev: A, pasid: 5, old: 'dom1' }, ret: 0 });
  });
  it('the first device failing undoes nothing from v6.10 (6.12)', () => {
    const t = given('6.12.0', ...group).when(attachA, set(A, '-ENOSPC'));
    expect(t.ret).toBe('-ENOSPC');
    expect(t.codes).toEqual([]);
    expect(t.children).toEqual([{ fn: 'set_dev_pasid', args: { domain: 'dom1', dev: A, pasid: 5 }, ret: '-ENOSPC' }]);
  });
  it('the slot stays empty: a later attach of the PASID succeeds', () => {
    const t = given('6.12.0', ...group, { ...attachA }, { ...set(A, '-ENOSPC'), parent: 4 }).when(call('iommu_attach_device_pasid', { domain: 'dom1', dev: A, pasid: 5 }, 0));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
  });
  it('near miss: every set_dev_pasid succeeds, the attach is stored', () => {
    const t = given('6.12.0', ...group).when(call('iommu_attach_device_pasid', { domain: 'dom1', dev: A, pasid: 5 }, 0), set(A, 0), set(B, 0));
    expect(t.ret).toBe(0);
    expect(t.codes).toEqual([]);
    expect(t.facts).toContainEqual(expect.objectContaining({ type: 'PasidAttached', pasid: 5 }));
  });
  it('replace (v6.15+): the devices before the failing one are set back to the old domain, the slot keeps it', () => {
    const base = [...group, domAlloc('dom2'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: A, pasid: 5, handle: 'h1' }, 0)];
    const setNew = (dev: string, ret: 0 | '-ENOSPC') => call('set_dev_pasid', { domain: 'dom2', dev, pasid: 5, old: 'dom1' }, ret);
    const t = given('6.15.0', ...base).when(
      call('iommu_replace_device_pasid', { domain: 'dom2', dev: A, pasid: 5, handle: 'h2' }, '-ENOSPC'),
      setNew(A, 0),
      setNew(B, '-ENOSPC'),
      call('set_dev_pasid', { domain: 'dom1', dev: A, pasid: 5, old: 'dom2' }, 0),
    );
    expect(t.ret).toBe('-ENOSPC');
    expect(t.codes).toEqual([]);
    expect(t.facts).toEqual([]);
  });
});

describe('a detach naming a freed domain (#21 B6)', () => {
  const freed = [probe(), domAlloc('dom1'), attach('dom1', 5), detach('dom1', 5), call('iommu_domain_free', { domain: 'dom1' })];
  for (const kernel of ['6.10.0', '6.12.0', '6.15.0']) {
    it(`v6.10+ (97e57733d8e3): the driver is handed the freed domain: DETACH_FREED_DOMAIN (${kernel})`, () => {
      const t = given(kernel, ...freed).when(detach('dom1', 5));
      expect(t.codes).toEqual(['DETACH_FREED_DOMAIN']);
    });
  }
  it('v6.2–v6.9: the driver looks the attached domain up itself, so it is the core WARN only (6.9)', () => {
    const t = given('6.9.0', ...freed).when(detach('dom1', 5));
    expect(t.codes).toEqual(['DETACH_NOT_ATTACHED']);
  });
  it('in every era a slot that still holds the domain freed while attached is used by the driver (6.5)', () => {
    const t = given('6.5.0', probe(), domAlloc('dom1'), attach('dom1', 5), call('iommu_domain_free', { domain: 'dom1' })).when(detach('dom1', 5));
    expect(t.codes).toEqual(['DETACH_FREED_DOMAIN']);
  });
  it('near miss: detach before the free is clean (6.12)', () => {
    const t = given('6.12.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(detach('dom1', 5));
    expect(t.codes).toEqual([]);
  });
});

describe('a wrong-domain detach per vendor (#21 B10)', () => {
  const base = [probe(), domAlloc('dom1'), domAlloc('dom2'), attach('dom1', 5), attach('dom2', 6)];
  const run = (kernel: string, vendor: string, ...calls: ReturnType<typeof detach>[]) => replayCalls(`${kernel} ${vendor}`, [...base, ...calls]);
  it('VT-d 6.12: the wrong detach drops dom2\'s reference; the detach of dom2\'s last PASID then dereferences NULL', () => {
    const r = run('6.12.0', 'intel', detach('dom2', 5), detach('dom2', 6));
    expect(r.findings.map((f) => `${f.seq}:${f.code}`)).toEqual(['6:DETACH_WRONG_DOMAIN', '7:VTD_DOMAIN_REFCOUNT_CORRUPT']);
    expect(r.findings[0].reaction).toBe('WARN');
  });
  it('VT-d 6.12: a wrong domain never attached on the IOMMU dereferences NULL at once', () => {
    const r = replayCalls('6.12.0 intel', [probe(), domAlloc('dom1'), domAlloc('dom3'), attach('dom1', 5), detach('dom3', 5)]);
    expect(codes(r)).toEqual(['DETACH_WRONG_DOMAIN', 'VTD_DOMAIN_REFCOUNT_CORRUPT']);
  });
  it('VT-d near miss: the right detaches are clean (6.12)', () => {
    const r = run('6.12.0', 'intel', detach('dom1', 5), detach('dom2', 6));
    expect(codes(r)).toEqual([]);
  });
  it('VT-d near miss: 6.9 hands the driver no domain: the core WARN only', () => {
    const r = run('6.9.0', 'intel', detach('dom2', 5), detach('dom2', 6));
    expect(codes(r)).toEqual(['DETACH_WRONG_DOMAIN']);
  });
  for (const kernel of ['7.0.10', '6.18.33', '7.1.0']) {
    it(`VT-d near miss: with 79ea2feb917b the driver returns early, nothing is dropped (${kernel})`, () => {
      const r = run(kernel, 'intel', detach('dom2', 5), detach('dom2', 6));
      expect(codes(r)).toEqual(['DETACH_WRONG_DOMAIN']);
    });
  }
  it('VT-d: 7.0.9 still drops the reference', () => {
    const r = run('7.0.9', 'intel', detach('dom2', 5), detach('dom2', 6));
    expect(codes(r)).toEqual(['DETACH_WRONG_DOMAIN', 'VTD_DOMAIN_REFCOUNT_CORRUPT']);
  });
  for (const [iommu, text] of [['smmuv3', 'SMMUv3 removes the PASID as if dom2'], ['amd', 'AMD finds no entry']] as const) {
    it(`${iommu} 6.12: the wrong domain reaches the driver (named in the finding), no VT-d refcount`, () => {
      const r = run('6.12.0', iommu, detach('dom2', 5), detach('dom2', 6));
      expect(codes(r)).toEqual(['DETACH_WRONG_DOMAIN']);
      expect(r.findings[0].message).toContain(text);
      expect(r.findings[0].reaction).toBe('SILENT');
    });
  }
});

describe('detach removal per era (§4.2)', () => {
  it('v6.14+ (647b7aad1949): the removal is the blocked domain\'s set_dev_pasid with the domain as old', () => {
    const t = given('6.14.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(detach('dom1', 5));
    expect(t.children).toEqual([{ fn: 'set_dev_pasid', args: { dev: DEV, pasid: 5, old: 'dom1' }, ret: 0 }]);
  });
  it('v6.13: remove_dev_pasid with the domain', () => {
    const t = given('6.13.0', probe(), domAlloc('dom1'), attach('dom1', 5)).when(detach('dom1', 5));
    expect(t.children).toEqual([{ fn: 'remove_dev_pasid', args: { dev: DEV, pasid: 5, domain: 'dom1' } }]);
  });
  it('remove_dev_pasid does not exist from v6.14', () => {
    expect(given('6.14.0', probe()).when(call('remove_dev_pasid', { dev: DEV, pasid: 5 })).codes).toEqual(['CALL_NOT_IN_KERNEL']);
  });
});
