import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../support/arbitraries.js';
import { profile } from '../support/calls.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { buildIndex, seekIndex } from '../../src/timetravel/index.js';
import { Cursor } from '../../src/timetravel/cursor.js';
import { entriesOf, withNested } from './support.js';

describe('cursor (seed 5150)', () => {
  beforeAll(() => fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'large' }));
  afterAll(() => fc.resetConfigureGlobal());
  it('walking forward record by record passes through the positions seek gives', () => {
    fc.assert(
      fc.property(anyTrace(200), ([kernel, calls]) => {
        const entries = entriesOf(withNested(calls));
        const index = buildIndex(entries, profile(kernel), 16);
        const cursor = new Cursor(index);
        for (let t = 0; t < entries.length; t++) {
          const walked = cursor.moveTo(t).replay;
          const sought = seekIndex(index, t).replay;
          expect(projectWorld(walked.world)).toEqual(projectWorld(sought.world));
          expect(walked.findings).toEqual(sought.findings);
        }
      }),
      { seed: 5150, numRuns: 30 },
    );
  });
});
