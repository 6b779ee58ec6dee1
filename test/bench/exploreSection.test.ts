/** The bench section runs DPOR on its two built-in scenarios and reports executions vs interleavings. */
import { describe, expect, it } from 'vitest';
import { benchSection } from '../../bench/sections/explore.js';

describe('race explorer bench section', () => {
  it('reports one execution of 63063000 interleavings for the private 4x4 scenario', async () => {
    const f = await benchSection.run({ traces: new Map(), kernel: '6.8.0' });
    expect(f['private 4x4: executions']).toBe(1);
    expect(f['private 4x4: interleavings']).toBe('63063000');
    expect(f['contended ida 3x3: interleavings']).toBe('1680');
    expect(Number(f['contended ida 3x3: executions'])).toBeGreaterThan(1);
  });
});
