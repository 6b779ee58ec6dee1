/**
 * The two executors agree: replaying any trace with the compiled tables ('fast') and with XState's
 * pure transition() ('xstate') gives the same facts, findings and final world. And the comparison has
 * teeth: a lifecycle with one guard replaced disagrees with the original on some step.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../../support/arbitraries.js';
import { replayCalls } from '../../support/calls.js';
import { defineLifecycle, type Snap } from '../../../machines/kit/lifecycle.js';
import { ioasidKind, type IoasidContext, type IoasidEvent } from '../../../machines/ioasid/ioasid.machine.js';
import { profileFor, type Profile } from '../../../machines/profile.js';

const observe = (kernel: string, calls: Parameters<typeof replayCalls>[1], mode: 'fast' | 'xstate') => {
  const r = replayCalls(kernel, calls, mode);
  return { facts: r.log.all(), findings: r.findings, world: [...r.world.objects] };
};

describe('fast and xstate executors (seed 11)', () => {
  it('give the same facts, findings and final world for any trace of any era', () => {
    fc.assert(
      fc.property(anyTrace(60), ([kernel, calls]) => {
        expect(observe(kernel, calls, 'xstate')).toEqual(observe(kernel, calls, 'fast'));
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe('the differential comparison catches a broken guard (seed 12)', () => {
  const p = profileFor('5.15.0') as Profile;
  // A copy of the ioasid lifecycle whose last-reference guard is off by one.
  const broken = defineLifecycle({ ...ioasidKind.spec, guards: { ...ioasidKind.spec.guards, isLastRef: ({ context }) => context.refs <= 0 } });
  const allocated: Snap<IoasidContext> = { value: 'allocated', context: { space: 'default', ioasid: 1, set: null, private: null, refs: 1 } };
  const put: IoasidEvent = { type: 'PUT', p, vcmd: false };

  it('a single step shows the divergence', () => {
    expect(broken.step(allocated, put)).not.toEqual(ioasidKind.step(allocated, put));
    expect(broken.stepWithXState(allocated, put)).toEqual(broken.step(allocated, put));
  });

  it('fast-check finds an event sequence on which original and broken copy disagree, and reports it', () => {
    const event = fc.constantFrom<IoasidEvent>(
      { type: 'ALLOC', p, set: null, private: null, orphanAliased: false },
      { type: 'GET', p },
      put,
      { type: 'FREE', p, vcmd: false },
    );
    const agree = (events: IoasidEvent[]) => {
      let a = ioasidKind.initial({ space: 'default', ioasid: 1 });
      let b = broken.initial({ space: 'default', ioasid: 1 });
      for (const e of events) {
        const ra = ioasidKind.step(a, e);
        const rb = broken.stepWithXState(b, e);
        if (JSON.stringify(ra) !== JSON.stringify(rb)) return false;
        a = ra.snap;
        b = rb.snap;
      }
      return true;
    };
    const out = fc.check(fc.property(fc.array(event, { maxLength: 8 }), agree), { seed: 12, numRuns: 500 });
    expect(out.failed, 'the broken guard went unnoticed').toBe(true);
    expect(out.counterexample?.[0].map((e) => e.type)).toContain('PUT');
  });
});
