import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { call } from '../support/calls.js';
import { replayCalls } from '../support/calls.js';
import { anyTrace } from '../support/arbitraries.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { diffViews } from '../../src/timetravel/diffViews.js';

const DEV = '0000:6a:01.0';
const probe = call('iommu_probe_device', { dev: DEV, max_pasids: 1048576, group: 'grp7' }, 0);
const dom = (name: string) => call('iommu_domain_alloc', { type: 'paging', dev: DEV }, name);
const viewOf = (calls: Parameters<typeof replayCalls>[1], kernel = '6.8.0') => projectWorld(replayCalls(kernel, calls).world);
const texts = (a: ReturnType<typeof viewOf>, b: ReturnType<typeof viewOf>) => diffViews(a, b).map((c) => c.text);

describe('diffViews', () => {
  it('given equal views, when diffed, then nothing changed', () => {
    const v = viewOf([probe, dom('dom1')]);
    expect(diffViews(v, v)).toEqual([]);
  });

  it('given an attach, then the slot appears with its domain and the domain gains an attachment', () => {
    const before = viewOf([probe, dom('dom1')]);
    const after = viewOf([probe, dom('dom1'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5 }, 0)]);
    expect(texts(before, after)).toEqual(['PASID slot 0000:6a:01.0/5: (none) → dom1', 'domain dom1: attachments 0 → 1']);
  });

  it('given a detach, then the slot goes to (none)', () => {
    const attached = [probe, dom('dom1'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5 }, 0)];
    const detached = [...attached, call('iommu_detach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5 }, null)];
    expect(texts(viewOf(attached), viewOf(detached))).toContain('PASID slot 0000:6a:01.0/5: dom1 → (none)');
  });

  it('given a freed IOASID, then it goes from allocated to freed', () => {
    const alloc = [call('ioasid_alloc', { set: null, min: 1, max: 10, private: null }, 1)];
    const freed = [...alloc, call('ioasid_free', { ioasid: 1 })];
    expect(texts(viewOf(alloc, '5.10.0'), viewOf(freed, '5.10.0'))).toContain('IOASID default/1: allocated → freed');
  });

  it('names the objects a change involves, for history and watches', () => {
    const before = viewOf([probe, dom('dom1')]);
    const after = viewOf([probe, dom('dom1'), call('iommu_attach_device_pasid', { domain: 'dom1', dev: DEV, pasid: 5 }, 0)]);
    expect(diffViews(before, after)[0].refs).toEqual(expect.arrayContaining([`dev:${DEV}`, 'pasid:5', 'domain:dom1', `slot:${DEV}/5`]));
  });
});

describe('diffViews properties (seed 99)', () => {
  it('a view diffed with itself is empty, and a diff from the empty world creates every object', () => {
    fc.assert(
      fc.property(anyTrace(40), ([kernel, calls]) => {
        const r = replayCalls(kernel, calls);
        const v = projectWorld(r.world);
        expect(diffViews(v, v)).toEqual([]);
        const empty = projectWorld(replayCalls(kernel, []).world);
        expect(diffViews(empty, v).every((c) => c.change !== 'removed')).toBe(true);
      }),
      { seed: 99, numRuns: 200 },
    );
  });
});
