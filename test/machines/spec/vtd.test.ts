/**
 * VT-d (§2): register_pasid_allocator decides whether the vcmd allocator registers (§2.1), a failed
 * registration switches scalable mode off for every unit (A15) — a silent inconsistency once a root
 * table was programmed with SMT (A16) — iommu_set_root_entry's SMT bit follows sm_supported()
 * (intel_iommu_sm && ecap_smts), free_dmar_iommu unregisters on the vcmd capability, and the vcmd
 * helpers' own rules (PASID_MIN, A17, A18). The vcmd allocator exists v5.8–v6.3.
 */
import { describe, it, expect } from 'vitest';
import { call } from '../../support/calls.js';
import { given } from '../../support/gwtAlloc.js';
import { alloc, find, free, freeDmarIommu, get, put, register, registerPasidAllocator, release, setData, setRootEntry, smDisable, unregister, VCMD, VCMD_KERNELS } from '../../support/allocCalls.js';
import { listOf } from '../../../machines/calls/reads.js';
import { profile } from '../../support/calls.js';

describe.each(VCMD_KERNELS)('register_pasid_allocator on %s', (kernel) => {
  it('bare metal (no caching mode) registers nothing: the default allocator stays active', () => {
    const t = given(kernel).when(registerPasidAllocator('dmar0', { cap_caching_mode: false }), alloc());
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['PasidAllocatorSkipped', 'IoasidAllocated', 'IoasidHolderAdded']);
    expect(t.facts[1]).toMatchObject({ space: 'default' });
  });

  it('scalable mode off for the unit (no ecap_smts) → no PASID allocation, nothing registered', () => {
    const t = given(kernel).when(registerPasidAllocator('dmar0', { ecap_smts: false }));
    expect(t.factTypes).toEqual(['PasidAllocatorSkipped']);
    expect(listOf(t.replay.world).entries).toEqual([]);
  });

  it('scalable mode already switched off (intel_iommu_sm = 0) → nothing registered', () => {
    const t = given(kernel, smDisable()).when(registerPasidAllocator('dmar0'));
    expect(t.factTypes).toEqual(['PasidAllocatorSkipped']);
    expect(t.codes).toEqual([]);
  });

  it('no vcmd PASID capability (vccap_pasid) → nothing registered', () => {
    const t = given(kernel).when(registerPasidAllocator('dmar0', { vccap_pasid: false }));
    expect(t.factTypes).toEqual(['PasidAllocatorSkipped']);
  });

  it('a guest unit with vcmd registers the vcmd allocator as the first custom allocator', () => {
    const t = given(kernel).when(registerPasidAllocator('dmar0'));
    expect(t.ret).toBeNull();
    expect(t.factTypes).toEqual(['PasidAllocatorRegistering', 'AllocatorRegistered', 'AllocatorSwitched', 'PasidAllocatorRegistered']);
    expect(t.facts[1]).toMatchObject({ ops: 'dmar0/pasid_allocator', ...VCMD, pdata: 'dmar0', role: 'active' });
    expect(t.codes).toEqual([]);
  });

  it('the 2nd unit has the same helpers → shares the entry and returns 0 (no switch)', () => {
    const t = given(kernel, registerPasidAllocator('dmar0')).when(registerPasidAllocator('dmar1'));
    expect(t.factTypes).toEqual(['PasidAllocatorRegistering', 'AllocatorRegistered', 'PasidAllocatorRegistered']);
    expect(t.facts[1]).toMatchObject({ role: 'shared' });
    expect(t.codes).toEqual([]);
  });

  it('the 2nd unit shares even with IDs outstanding (only the first registration checks, B.2.1)', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), alloc(1, 100, 9)).when(registerPasidAllocator('dmar1'));
    expect(t.codes).toEqual([]);
    expect(t.facts[1]).toMatchObject({ role: 'shared' });
  });

  it('A15: registration fails (-EAGAIN, default IDs outstanding) → pr_warn, intel_iommu_sm = 0', () => {
    const t = given(kernel, alloc()).when(registerPasidAllocator('dmar0'));
    expect(t.codes).toEqual(['ALLOCATOR_REGISTER_OUTSTANDING', 'VTD_ALLOCATOR_REGISTRATION_FAILED']);
    expect(t.factTypes).toEqual(['PasidAllocatorRegistering', 'PasidAllocatorRegistrationFailed', 'ScalableModeDisabled']);
  });

  it('A15: after the failure every later unit is legacy: its root table has no SMT, later registrations are skipped', () => {
    const t = given(kernel, alloc(), registerPasidAllocator('dmar0')).when(setRootEntry('dmar0'), registerPasidAllocator('dmar1'));
    expect(t.facts[0]).toMatchObject({ type: 'RootTableProgrammed', iommu: 'dmar0', smt: false });
    expect(t.factTypes).toEqual(['RootTableProgrammed', 'PasidAllocatorSkipped']);
    expect(t.codes).toEqual([]);
  });

  it('A16: a failing registration after an SMT root table was programmed → VTD_SM_DISABLED_AFTER_ROOT', () => {
    const t = given(kernel, setRootEntry('dmar0'), alloc()).when(registerPasidAllocator('dmar1'));
    expect(t.codes).toEqual(['ALLOCATOR_REGISTER_OUTSTANDING', 'VTD_ALLOCATOR_REGISTRATION_FAILED', 'VTD_SM_DISABLED_AFTER_ROOT']);
  });

  it('near miss of A16: the failing registration comes before any root table (unit 0 at init)', () => {
    const t = given(kernel, alloc()).when(registerPasidAllocator('dmar0'), setRootEntry('dmar0'));
    expect(t.codes).not.toContain('VTD_SM_DISABLED_AFTER_ROOT');
  });

  it('near miss of A16: earlier root tables were legacy (no ecap_smts)', () => {
    const t = given(kernel, setRootEntry('dmar0', undefined, false), alloc()).when(registerPasidAllocator('dmar1'));
    expect(t.codes).toEqual(['ALLOCATOR_REGISTER_OUTSTANDING', 'VTD_ALLOCATOR_REGISTRATION_FAILED']);
  });

  it('B5: a nested ioasid_register_allocator that failed -ENOMEM (GFP_ATOMIC) is followed down the failure path: scalable mode off after the SMT root table, no mismatch', () => {
    const t = given(kernel, setRootEntry('dmar0')).when(
      registerPasidAllocator('dmar1'),
      call('ioasid_register_allocator', { ops: 'dmar1/pasid_allocator', alloc: 'intel_vcmd_ioasid_alloc', free: 'intel_vcmd_ioasid_free', pdata: 'dmar1' }, '-ENOMEM', { parent: 2 }),
    );
    expect(t.codes).toEqual(['VTD_ALLOCATOR_REGISTRATION_FAILED', 'VTD_SM_DISABLED_AFTER_ROOT']);
  });

  it('B5 near miss: the same nested registration returning 0 registers the allocator', () => {
    const t = given(kernel, setRootEntry('dmar0')).when(
      registerPasidAllocator('dmar1'),
      call('ioasid_register_allocator', { ops: 'dmar1/pasid_allocator', alloc: 'intel_vcmd_ioasid_alloc', free: 'intel_vcmd_ioasid_free', pdata: 'dmar1' }, 0, { parent: 2 }),
    );
    expect(t.codes).toEqual([]);
  });

  it('A16 directly: intel_iommu_sm = 0 after an SMT root table', () => {
    const t = given(kernel, setRootEntry('dmar0')).when(smDisable('dmar0'));
    expect(t.codes).toEqual(['VTD_SM_DISABLED_AFTER_ROOT']);
    expect(t.factTypes).toEqual(['ScalableModeDisabled']);
  });

  it('near miss of A16: switching scalable mode off twice reports only once', () => {
    const t = given(kernel, setRootEntry('dmar0'), smDisable()).when(smDisable());
    expect(t.codes).toEqual([]);
  });

  it('registration of a unit hot-removed before: intel_iommu_add never registers', () => {
    const t = given(kernel, freeDmarIommu('dmar0')).when(registerPasidAllocator('dmar0'));
    expect(t.factTypes).toEqual([]);
  });
});

describe.each(VCMD_KERNELS)('iommu_set_root_entry on %s', (kernel) => {
  it('SMT is set when sm_supported() = intel_iommu_sm && ecap_smts', () => {
    const t = given(kernel).when(setRootEntry('dmar0'), setRootEntry('dmar1', undefined, false));
    expect(t.facts).toMatchObject([{ iommu: 'dmar0', smt: true }, { iommu: 'dmar1', smt: false }]);
    expect(t.codes).toEqual([]);
  });

  it('a recorded SMT bit that agrees is silent', () => {
    expect(given(kernel).when(setRootEntry('dmar0', true)).codes).toEqual([]);
    expect(given(kernel, smDisable()).when(setRootEntry('dmar0', false)).codes).toEqual([]);
  });

  it('VTD_ROOT_MODE_MISMATCH: recorded SMT clear while scalable mode is on and the unit has ecap_smts', () => {
    expect(given(kernel).when(setRootEntry('dmar0', false)).codes).toEqual(['VTD_ROOT_MODE_MISMATCH']);
  });

  it('VTD_ROOT_MODE_MISMATCH: recorded SMT set after intel_iommu_sm = 0', () => {
    expect(given(kernel, smDisable()).when(setRootEntry('dmar0', true)).codes).toEqual(['VTD_ROOT_MODE_MISMATCH']);
  });

  it('VTD_ROOT_MODE_MISMATCH: recorded SMT set on a unit without ecap_smts', () => {
    expect(given(kernel).when(setRootEntry('dmar0', true, false)).codes).toEqual(['VTD_ROOT_MODE_MISMATCH']);
  });
});

describe.each(VCMD_KERNELS)('free_dmar_iommu on %s', (kernel) => {
  it('unregisters the unit’s vcmd allocator: the last one switches back to default', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), setRootEntry('dmar0')).when(freeDmarIommu('dmar0'));
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['DmarUnitFreed', 'AllocatorUnregistered', 'AllocatorSwitched']);
    expect(listOf(t.replay.world).active).toBe('default');
  });

  it('hot-remove of a unit with outstanding vcmd IDs → A9 WARN, orphans', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), alloc(1, 100, 5)).when(freeDmarIommu('dmar0'));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_OUTSTANDING']);
    expect(t.endCodes).toEqual(['IOASID_ORPHANED']);
  });

  it('A12: removing unit 0 while unit 1 shares → its intel_iommu stays the entry’s pdata', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), registerPasidAllocator('dmar1')).when(freeDmarIommu('dmar0'));
    expect(t.codes).toEqual(['ALLOCATOR_DANGLING_PDATA']);
  });

  it('near miss of A12: removing the sharer (unit 1) first', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), registerPasidAllocator('dmar1')).when(freeDmarIommu('dmar1'), freeDmarIommu('dmar0'));
    expect(t.codes).toEqual([]);
  });

  it('after a failed registration the helpers are set, so it still unregisters: empty list → A11 pr_warn', () => {
    const t = given(kernel, alloc(), registerPasidAllocator('dmar0')).when(freeDmarIommu('dmar0'));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_NONE']);
  });

  it('vcmd capability but never registered (scalable mode off): NULL helpers, empty list → A11 pr_warn', () => {
    const t = given(kernel, registerPasidAllocator('dmar0', { ecap_smts: false })).when(freeDmarIommu('dmar0'));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_NONE']);
  });

  it('vcmd capability but never registered, another unit registered: NULL helpers match nothing, silent', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), registerPasidAllocator('dmar1', { ecap_smts: false })).when(freeDmarIommu('dmar1'));
    expect(t.codes).toEqual([]);
    expect(listOf(t.replay.world).entries).toHaveLength(1);
  });

  it('near miss: no vcmd capability → ioasid_unregister_allocator is not called', () => {
    const t = given(kernel, registerPasidAllocator('dmar0', { vccap_pasid: false })).when(freeDmarIommu('dmar0'));
    expect(t.codes).toEqual([]);
    expect(t.factTypes).toEqual(['DmarUnitFreed']);
  });

  it('a unit never seen by register_pasid_allocator (hot-added) unregisters nothing the model knows of', () => {
    expect(given(kernel).when(freeDmarIommu('dmar9')).codes).toEqual([]);
  });
});

describe.each(VCMD_KERNELS)('the vcmd helpers on %s', (kernel) => {
  it('intel_vcmd_ioasid_alloc: min < PASID_MIN (1) → INVALID_IOASID', () => {
    const t = given(kernel, registerPasidAllocator('dmar0')).when(alloc(0, 100));
    expect(t.ret).toBe('INVALID_IOASID');
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED']);
    expect(t.findings[0].rule).toMatch(/PASID_MIN/);
  });

  it('near miss: min = PASID_MIN goes to the host', () => {
    const t = given(kernel, registerPasidAllocator('dmar0')).when(alloc(1, 100, 77));
    expect(t.codes).toEqual([]);
    expect(t.facts[0]).toMatchObject({ ioasid: 77 });
  });

  it('a recorded host ID with min 0 contradicts intel_vcmd_ioasid_alloc → RET_MISMATCH naming PASID_MIN', () => {
    const t = given(kernel, registerPasidAllocator('dmar0')).when(alloc(0, 100, 5));
    expect(t.codes).toContain('RET_MISMATCH');
    expect(t.findings.find((f) => f.code === 'RET_MISMATCH')?.rule).toMatch(/PASID_MIN/);
  });

  it('A17: host out of PASIDs → INVALID_IOASID', () => {
    const t = given(kernel, registerPasidAllocator('dmar0')).when(alloc(1, 100, 'INVALID_IOASID'));
    expect(t.codes).toEqual(['IOASID_ALLOC_FAILED']);
    expect(t.findings[0].rule).toMatch(/host/);
  });

  it('A18: releasing a vcmd ID that still has private data → pr_alert, host PASID leaked, guest entry erased', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), alloc(1, 100, 5, null, 'mm1')).when(release(kernel, 5), find(5));
    expect(t.codes).toEqual(['VTD_VCMD_FREE_ACTIVE', 'IOASID_FIND_MISS']);
    expect(t.factTypes).toContain('IoasidFreed');
  });

  it('near miss of A18: private data cleared with ioasid_set_data(id, NULL) first', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), alloc(1, 100, 5, null, 'mm1'), setData(5, null)).when(release(kernel, 5));
    expect(t.codes).toEqual([]);
  });

  it('near miss of A18: a custom allocator with other helpers has no such check', () => {
    const t = given(kernel, register('opsA'), alloc(1, 100, 5, null, 'mm1')).when(release(kernel, 5));
    expect(t.codes).toEqual([]);
  });

  it('near miss of A18: the default allocator', () => {
    const t = given(kernel, alloc(1, 100, undefined, null, 'mm1')).when(release(kernel, 1));
    expect(t.codes).toEqual([]);
  });

  if (profile(kernel).ioasidRefcount) {
    it('near miss of A18 (v5.11–v5.17): a put that does not reach refcount 0 does not call the free helper', () => {
      const t = given(kernel, registerPasidAllocator('dmar0'), alloc(1, 100, 5, null, 'mm1'), get(5)).when(put(5));
      expect(t.codes).toEqual([]);
    });
  }

  it('unregister then re-register by the unit is not possible: hot-add never registers', () => {
    const t = given(kernel, registerPasidAllocator('dmar0'), freeDmarIommu('dmar0')).when(registerPasidAllocator('dmar0'), alloc());
    expect(t.facts.at(-1)).toMatchObject({ space: 'default' });
  });
});

describe('VT-d outside v5.8–v6.3', () => {
  it.each(['5.5.0', '5.7.0', '6.4.0', '6.8.0'])('register_pasid_allocator and free_dmar_iommu do not exist in %s', (kernel) => {
    const t = given(kernel).when(registerPasidAllocator('dmar0'), freeDmarIommu('dmar0'));
    expect(t.codes).toEqual(['CALL_NOT_IN_KERNEL', 'CALL_NOT_IN_KERNEL']);
  });

  it.each(['5.5.0', '6.8.0'])('iommu_set_root_entry and the scalable-mode switch exist in %s', (kernel) => {
    const t = given(kernel, setRootEntry('dmar0')).when(smDisable());
    expect(t.codes).toEqual(['VTD_SM_DISABLED_AFTER_ROOT']);
  });
});

describe('ioasid_unregister_allocator of the vcmd ops by hand', () => {
  it('matches by helpers: another unit’s vcmd entry is removed (ALLOCATOR_UNREGISTER_OTHER_OPS)', () => {
    const t = given('6.1.0', registerPasidAllocator('dmar0')).when(unregister('dmar1/pasid_allocator', VCMD));
    expect(t.codes).toEqual(['ALLOCATOR_UNREGISTER_OTHER_OPS']);
  });

  it('free of a vcmd ID after its unit is gone → A1', () => {
    const t = given('6.1.0', registerPasidAllocator('dmar0'), alloc(1, 100, 5), freeDmarIommu('dmar0')).when(free(5));
    expect(t.codes).toEqual(['IOASID_FREE_UNKNOWN']);
  });
});
