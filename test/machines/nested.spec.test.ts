/**
 * Nested calls (§3–§5): a record with `parent` is checked against what the enclosing call does
 * under the model; the capture's nested records lend the names the model cannot predict.
 */
import { describe, it, expect } from 'vitest';
import { call } from '../support/calls.js';
import { given } from '../support/gwt.js';

const DEV = '0000:00:02.0';
const probe = (dev = DEV, max = 32) => call('iommu_probe_device', { dev, max_pasids: max });
const bind = (mm: string, h?: string) => call('iommu_sva_bind_device', { dev: DEV, mm }, h);
const domainOf = (facts: readonly { type: string }[]) => (facts.find((f) => f.type === 'SvaBound') as { domain: string | null } | undefined)?.domain;

describe('a bind with its nested calls (v6.2)', () => {
  const nestedOk = [
    call('ioasid_alloc', { set: 'iommu_sva_pasid', min: 1, max: 31, private: 'mm1' }, 1),
    call('iommu_sva_domain_alloc', { dev: DEV, mm: 'mm1' }, 'svadomA'),
    call('iommu_attach_device_pasid', { domain: 'svadomA', dev: DEV, pasid: 1 }, 0),
  ];
  it('the nested iommu_sva_domain_alloc names the SVA domain, and matching nested calls are clean', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'), ...nestedOk);
    expect(domainOf(t.facts)).toBe('svadomA');
    expect(t.codes).toEqual([]);
  });
  it('the nested attach alone names the SVA domain', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'), nestedOk[2]);
    expect(domainOf(t.facts)).toBe('svadomA');
    expect(t.codes).toEqual([]);
  });
  it('near miss: without nested records the model derives a name from the seq', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'));
    expect(domainOf(t.facts)).toBe('sva-dom@2');
  });
  it('a nested attach whose return differs is NESTED_CALL_MISMATCH', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'), nestedOk[0], nestedOk[1], call('iommu_attach_device_pasid', { domain: 'svadomA', dev: DEV, pasid: 1 }, '-ENODEV'));
    expect(t.codes).toEqual(['NESTED_CALL_MISMATCH']);
  });
  it('a nested ioasid_alloc whose range differs is NESTED_CALL_MISMATCH', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'), call('ioasid_alloc', { set: 'iommu_sva_pasid', min: 1, max: 30, private: 'mm1' }, 1));
    expect(t.codes).toEqual(['NESTED_CALL_MISMATCH']);
  });
  it('a nested attach on another PASID is NESTED_CALL_MISMATCH', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'), call('iommu_attach_device_pasid', { domain: 'svadomA', dev: DEV, pasid: 2 }, 0));
    expect(t.codes).toEqual(['NESTED_CALL_MISMATCH']);
  });
  it('a nested iommu_domain_free in a successful bind is NESTED_CALL_UNEXPECTED', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'), ...nestedOk, call('iommu_domain_free', { domain: 'svadomA' }));
    expect(t.codes).toEqual(['NESTED_CALL_UNEXPECTED']);
  });
  it('a nested ioasid_alloc in the bind of an mm that has its PASID is NESTED_CALL_UNEXPECTED', () => {
    const t = given('6.2.0', probe(), call('iommu_probe_device', { dev: '0000:00:03.0', max_pasids: 32 }), call('iommu_sva_bind_device', { dev: '0000:00:03.0', mm: 'mm1' }, 'h0')).when(
      bind('mm1', 'h1'),
      call('ioasid_alloc', { set: 'iommu_sva_pasid', min: 1, max: 31, private: 'mm1' }, 2),
    );
    expect(t.codes).toEqual(['NESTED_CALL_UNEXPECTED']);
  });
  it('a second ioasid_alloc nested in one bind is NESTED_CALL_UNEXPECTED', () => {
    const t = given('6.2.0', probe()).when(bind('mm1', 'h1'), nestedOk[0], call('ioasid_alloc', { set: 'iommu_sva_pasid', min: 1, max: 31, private: 'mm1' }, 2));
    expect(t.codes).toEqual(['NESTED_CALL_UNEXPECTED']);
  });
});

describe('an unbind with its nested calls', () => {
  it('v6.2: detach (with remove_dev_pasid inside it) and free nested in the last unbind are clean', () => {
    const t = given('6.2.0', probe(), bind('mm1', 'h1')).when(
      call('iommu_sva_unbind_device', { handle: 'h1' }),
      call('iommu_detach_device_pasid', { domain: 'sva-dom@2', dev: DEV, pasid: 1 }),
      call('remove_dev_pasid', { dev: DEV, pasid: 1 }, null, { parent: 4 }),
      call('iommu_domain_free', { domain: 'sva-dom@2' }),
    );
    expect(t.codes).toEqual([]);
  });
  it('v6.2: a nested free in an unbind that leaves binds is NESTED_CALL_UNEXPECTED', () => {
    const t = given('6.2.0', probe(), bind('mm1', 'h1'), bind('mm1', 'h2')).when(call('iommu_sva_unbind_device', { handle: 'h1' }), call('iommu_domain_free', { domain: 'sva-dom@2' }));
    expect(t.codes).toEqual(['NESTED_CALL_UNEXPECTED']);
  });
  it('v6.10: a nested remove_dev_pasid without the domain where the model passes it is clean (absent args are not compared)', () => {
    const t = given('6.10.0', probe(), bind('mm1', 'h1')).when(call('iommu_sva_unbind_device', { handle: 'h1' }), call('remove_dev_pasid', { dev: DEV, pasid: 1 }));
    expect(t.codes).toEqual([]);
  });
  it('v6.10: a nested remove_dev_pasid with another domain is NESTED_CALL_MISMATCH', () => {
    const t = given('6.10.0', probe(), bind('mm1', 'h1')).when(call('iommu_sva_unbind_device', { handle: 'h1' }), call('remove_dev_pasid', { dev: DEV, pasid: 1, domain: 'other' }));
    expect(t.codes).toEqual(['NESTED_CALL_MISMATCH']);
  });
});

describe('nested calls of attach and detach', () => {
  const dom = call('iommu_domain_alloc', { type: 'dma' }, 'dom1');
  it('a nested set_dev_pasid matching the attach is clean', () => {
    const t = given('6.2.0', probe(), dom).when(call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }, 0), call('set_dev_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }, 0));
    expect(t.codes).toEqual([]);
  });
  it('a nested set_dev_pasid in an attach refused -EBUSY is NESTED_CALL_UNEXPECTED', () => {
    const t = given('6.2.0', probe(), dom, call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 3 })).when(
      call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }, '-EBUSY'),
      call('set_dev_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }, 0),
    );
    expect(t.codes).toEqual(['ATTACH_BUSY', 'NESTED_CALL_UNEXPECTED']);
  });
  it('a nested set_dev_pasid for another PASID is NESTED_CALL_MISMATCH', () => {
    const t = given('6.2.0', probe(), dom).when(call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }, 0), call('set_dev_pasid', { domain: 'dom1', dev: DEV, pasid: 4 }, 0));
    expect(t.codes).toEqual(['NESTED_CALL_MISMATCH']);
  });
  it('a detach of nothing still calls remove_dev_pasid (before xa_erase): only DETACH_NOT_ATTACHED', () => {
    const t = given('6.2.0', probe(), dom).when(call('iommu_detach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }), call('remove_dev_pasid', { dev: DEV, pasid: 3 }));
    expect(t.codes).toEqual(['DETACH_NOT_ATTACHED']);
  });
  it('a second remove_dev_pasid nested in one detach of a singleton group is NESTED_CALL_UNEXPECTED', () => {
    const t = given('6.2.0', probe(), dom, call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 3 })).when(
      call('iommu_detach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }),
      call('remove_dev_pasid', { dev: DEV, pasid: 3 }),
      call('remove_dev_pasid', { dev: DEV, pasid: 3 }),
    );
    expect(t.codes).toEqual(['NESTED_CALL_UNEXPECTED']);
  });
  it('attach on a two-device group calls set_dev_pasid on both devices (for_each_group_device)', () => {
    const D2 = '0000:00:03.0';
    const t = given('6.2.0', call('iommu_probe_device', { dev: DEV, max_pasids: 32, group: 'g1' }), call('iommu_probe_device', { dev: D2, max_pasids: 32, group: 'g1' }), dom).when(
      call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }, 0),
      call('set_dev_pasid', { domain: 'dom1', dev: DEV, pasid: 3 }, 0),
      call('set_dev_pasid', { domain: 'dom1', dev: D2, pasid: 3 }, 0),
    );
    expect(t.codes).toEqual([]);
  });
});
