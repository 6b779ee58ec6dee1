/**
 * The two executors agree: replaying any trace with the compiled tables ('fast') and with XState's
 * pure transition() ('xstate') gives the same facts, findings and final world. And the comparison has
 * teeth: a lifecycle with one guard replaced disagrees with the original on some step.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { anyTrace } from '../../support/arbitraries.js';
import { replayCalls } from '../../support/calls.js';
import type { Snap } from '../../../machines/kit/lifecycle.js';
import { defineObject } from '../../../machines/kit/object.js';
import { svaBondKind, svaBondMachine, type SvaBondContext } from '../../../machines/sva/svaBond.machine.js';
import type { FactBody } from '../../../events/facts.js';

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
  // A copy of the SVA bond lifecycle whose last-unbind guard is off by one.
  // The kit holds the machine to the kind's guard functions, so the copy's machine is provided the same broken one.
  const isLastUser = ({ event }: { event: FactBody }) => event.type === 'SvaUnbound' && event.users <= 1;
  const broken = defineObject({
    machine: svaBondMachine.provide({ guards: { isLastUser } }),
    guards: { ...svaBondKind.guards, isLastUser },
    updates: svaBondKind.updates,
    absent: 'unbound',
    address: svaBondKind.factSpec.address,
  });
  const input = { dev: 'd0', mm: 'mm1', shares: true };
  const bound: Snap<SvaBondContext> = { value: 'bound', context: { dev: 'd0', mm: 'mm1', pasid: 1, domain: null, handles: ['h1'], users: 2, shares: true } };
  const unbind: FactBody = { type: 'SvaUnbound', handle: 'h1', dev: 'd0', mm: 'mm1', domain: null, users: 1 };

  it('a single step shows the divergence', () => {
    expect(broken.step(bound, unbind)).not.toEqual(svaBondKind.step(bound, unbind));
    expect(broken.stepWithXState(bound, unbind)).toEqual(broken.step(bound, unbind));
  });

  it('fast-check finds a fact sequence on which original and broken copy disagree, and reports it', () => {
    let users = 0;
    const fact = fc.constantFrom<'bind' | 'unbind'>('bind', 'unbind');
    const agree = (steps: ('bind' | 'unbind')[]) => {
      let a = svaBondKind.initial(input);
      let b = broken.initial(input);
      users = 0;
      for (const s of steps) {
        users += s === 'bind' ? 1 : -1;
        const f: FactBody = s === 'bind'
          ? { type: 'SvaBound', handle: 'h1', dev: 'd0', mm: 'mm1', pasid: 1, domain: null, users }
          : { type: 'SvaUnbound', handle: 'h1', dev: 'd0', mm: 'mm1', domain: null, users };
        const ra = svaBondKind.step(a, f);
        const rb = broken.stepWithXState(b, f);
        if (JSON.stringify(ra) !== JSON.stringify(rb)) return false;
        a = ra;
        b = rb;
      }
      return true;
    };
    const out = fc.check(fc.property(fc.array(fact, { maxLength: 8 }), agree), { seed: 12, numRuns: 500 });
    expect(out.failed, 'the broken guard went unnoticed').toBe(true);
    expect(out.counterexample?.[0]).toContain('unbind');
  });
});
