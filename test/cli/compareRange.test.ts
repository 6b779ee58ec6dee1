import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseKernelRange } from '../../src/cli/compare.js';

describe('--kernel-range A..B', () => {
  it('splits at the two dots between two versions', () => {
    expect(parseKernelRange('6.1..6.12')).toEqual(['6.1', '6.12']);
    expect(parseKernelRange('v6.8-rc5..6.8.0')).toEqual(['v6.8-rc5', '6.8.0']);
    expect(parseKernelRange('5.15.0-91-generic..6.8')).toEqual(['5.15.0-91-generic', '6.8']);
  });

  it('near misses are not ranges: one end, three dots, spaces, an empty end', () => {
    for (const t of ['6.1', '6.1...6.12', '6.1..6.2..6.3', '6.1 .. 6.12', '..6.12', '6.1..', '..', '']) expect(parseKernelRange(t), t).toBeNull();
  });

  it('never throws, and what it returns joins back to the input (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (t) => {
        const r = parseKernelRange(t);
        if (r !== null) expect(`${r[0]}..${r[1]}`).toBe(t);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9v.\-rc]{1,12}$/), fc.stringMatching(/^[0-9v.\-rc]{1,12}$/), (a, b) => {
        const r = parseKernelRange(`${a}..${b}`);
        if (r !== null) expect(`${r[0]}..${r[1]}`).toBe(`${a}..${b}`);
      }),
    );
  });
});
