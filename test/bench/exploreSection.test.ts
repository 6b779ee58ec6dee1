/** The bench section's scenarios: DPOR on the private 4x4 (one class) and the contended 4x6 with and without value symmetry. */
import { describe, expect, it } from 'vitest';
import { contendedFigures, contendedScenario, privateSlots } from '../../bench/sections/explore.js';
import { exploreScenario } from '../../src/explore/explore.js';
import { profileFor } from '../../machines/profile.js';

describe('race explorer bench section', () => {
  it('the private 4x4 scenario is one execution of 63063000 interleavings', () => {
    const r = exploreScenario(privateSlots(4), profileFor('6.8.0')!);
    expect(r.executions).toBe(1);
    expect(r.interleavings).toBe(63_063_000n);
  });

  it('reports the contended 4x6 figures with value symmetry and what it saved (short budget)', async () => {
    const f = await contendedFigures(300);
    expect(f['contended 4x6 private devices: executions with value symmetry']).toBe(1);
    expect(f['contended 4x6 private devices: verdict']).toBe('ok');
    expect(f['contended 4x6 one device: executions with value symmetry']).toBe(2520);
    expect(Number(f['contended 4x6 private devices: executions without value symmetry'])).toBeGreaterThan(1);
    expect(contendedScenario(2, true)).toContain('pasid-ledger-scenario');
  });
});
