import { describe, expect, it } from 'vitest';
import { CALL_NAMES } from '../../events/records.js';
import { FLAGS, profileFor, type Profile } from '../../machines/profile.js';
import { parseKernelVersion, type KernelVersion } from '../../machines/kit/version.js';
import { CALLS } from '../../machines/calls/index.js';
import { boundaries, boundaryName, changeName, changesBetween, FLAG_NAMES, flagsOfCall, segmentStart, versionKernel, withChange } from '../../src/compare/boundaries.js';

const at = (k: string) => profileFor(k) as Profile;
const v = (k: string) => parseKernelVersion(k) as KernelVersion;

describe('the era boundaries', () => {
  it('are the versions where the era table or a call range changes, with the release candidates that changed a rule', () => {
    // v5.18-rc6: mm_pasid_drop moves to __mmdrop; v6.8-rc6: handle sharing restored; v6.9-rc2: the
    // attach checks; v6.15-rc7: devices without PASIDs skipped; v7.1: VT-d's wrong-domain fix (stable 7.0.10, 6.18.33).
    expect(boundaries().map(boundaryName)).toEqual([
      '5.8', '5.11', '5.14', '5.18', '5.18-rc6', '6.2', '6.4', '6.6', '6.8', '6.8-rc6', '6.9-rc2', '6.10', '6.11', '6.13', '6.14', '6.15', '6.15-rc7', '7.0', '7.1',
    ]);
  });

  it('leave no change out: every release and release candidate from 5.5 to 6.30 has the rules of its segment', () => {
    for (const major of [5, 6, 7]) {
      for (let minor = major === 5 ? 5 : 0; minor <= (major === 5 ? 19 : major === 6 ? 30 : 5); minor++) {
        for (const rc of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null]) {
          const k = rc === null ? `${major}.${minor}.0` : `${major}.${minor}.0-rc${rc}`;
          const start = segmentStart(v(k));
          const expected = start === null ? at('5.5.0') : at(versionKernel(start));
          expect(changesBetween(expected, at(k)), k).toEqual([]);
        }
      }
    }
  });

  it('each flag of the era table changes at one of them', () => {
    const changed = new Set<string>();
    let prev = at('5.5.0');
    for (const b of boundaries()) {
      const p = at(versionKernel(b));
      for (const c of changesBetween(prev, p)) changed.add(changeName(c));
      prev = p;
    }
    expect(FLAG_NAMES.filter((f) => !changed.has(f))).toEqual([]);
    // A call that exists in every modelled kernel never changes; every other one does.
    expect(CALL_NAMES.filter((fn) => !changed.has(fn) && !(at('5.5.0').calls.has(fn) && at('6.30.0').calls.has(fn)))).toEqual([]);
  });

  it('name each flag change with its commit and section', () => {
    const c = changesBetween(at('6.9.0'), at('6.10.0')).find((x) => x.kind === 'flag' && x.flag === 'removeDevPasidGetsDomain');
    expect(c).toEqual({ kind: 'flag', flag: 'removeDevPasidGetsDomain', from: false, to: true, commit: FLAGS.removeDevPasidGetsDomain.commit, doc: '§4.2' });
  });
});

describe('the flag that stands for a call range at a boundary', () => {
  const flagsAt = (before: string, after: string) => changesBetween(at(before), at(after)).flatMap((c) => (c.kind === 'flag' ? [c.flag] : []));

  it('is ioasid for the ioasid_* calls at v6.4 (not the off-by-one fix of the same release)', () => {
    expect(flagsOfCall('ioasid_alloc', flagsAt('6.3.0', '6.4.0'))).toEqual(['ioasid']);
    expect(flagsOfCall('ioasid_free', flagsAt('6.3.0', '6.4.0'))).toEqual(['ioasid']);
  });

  it('is ioasidRefcount for ioasid_free at v5.11 and v5.18 (not the SMMUv3 bind op or the PASID-lifetime change beside it)', () => {
    expect(flagsOfCall('ioasid_free', flagsAt('5.10.0', '5.11.0'))).toEqual(['ioasidRefcount']);
    expect(flagsOfCall('ioasid_free', flagsAt('5.17.0', '5.18.0'))).toEqual(['ioasidRefcount']);
  });

  it('is svaDomains for iommu_attach_device_pasid at v6.2 and globalPasids for iommu_alloc_global_pasid at v6.6', () => {
    expect(flagsOfCall('iommu_attach_device_pasid', flagsAt('6.1.0', '6.2.0'))).toEqual(['svaDomains']);
    expect(flagsOfCall('iommu_alloc_global_pasid', flagsAt('6.5.0', '6.6.0'))).toEqual(['globalPasids']);
  });

  it('is none when no flag changes with the call', () => {
    expect(flagsOfCall('ioasid_alloc', [])).toEqual([]);
  });

  it('exists for every bound of every call: one of the flags its range follows changes there', () => {
    const missing: string[] = [];
    for (const fn of CALL_NAMES) {
      for (const r of CALLS[fn].exists) {
        for (const bound of [r.since, r.until]) {
          if (bound === undefined) continue;
          const i = boundaries().findIndex((b) => boundaryName(b) === bound);
          expect(i, `${fn} ${bound} is a boundary`).toBeGreaterThanOrEqual(0);
          const flags = flagsAt(i === 0 ? '5.5.0' : versionKernel(boundaries()[i - 1]), versionKernel(boundaries()[i]));
          if (flagsOfCall(fn, flags).length === 0) missing.push(`${fn} ${bound}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('a counterfactual profile', () => {
  it('applies one change and nothing else', () => {
    const before = at('6.8.0');
    const [change] = changesBetween(before, at('6.9.0'));
    const p = withChange(before, change);
    expect(changesBetween(before, p)).toEqual([change]);
  });

  it('adds or removes one call', () => {
    const before = at('6.14.0');
    const change = changesBetween(before, at('6.15.0')).find((c) => c.kind === 'call');
    expect(change).toBeDefined();
    expect(withChange(before, change!).calls.has('iommu_replace_device_pasid')).toBe(true);
    expect(changesBetween(before, withChange(before, change!))).toEqual([change]);
  });
});
