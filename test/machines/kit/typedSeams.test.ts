/**
 * Typed seams. A kind's machine is built at its own site with setup({ types, guards }).extend({ actions }), so
 * XState's types check the names its config uses: each `@ts-expect-error` below is a compile error
 * under `npx tsc --noEmit -p .` (which CI runs), and an unused one fails it, so the file fails to
 * compile when a check is switched off (a cast, a generic that erases the names). Each case differs
 * from the accepted control machine in one name. What XState's types do not check (targets, inline
 * guards, nested states) XState or the kit refuses at run time, when the machine is built or its
 * table compiled; those cases run here.
 */
import { describe, it, expect } from 'vitest';
import { setup } from 'xstate';
import { assignsOf, defineObject, factTypes, type FactGuards, type FactUpdates } from '../../../machines/kit/object.js';
import type { FactBody } from '../../../events/facts.js';
import type { AnyStateMachine } from 'xstate';
import { FACT_DRIVEN } from '../../../machines/objects.js';
import { deviceMachine } from '../../../machines/device/device.machine.js';
import { domainMachine } from '../../../machines/device/domain.machine.js';
import { pasidSlotMachine } from '../../../machines/device/pasidSlot.machine.js';
import { globalPasidMachine } from '../../../machines/global/globalPasid.machine.js';
import { globalPasidHistoryMachine } from '../../../machines/global/globalPasidHistory.machine.js';
import { globalPasidHolderMachine } from '../../../machines/global/globalPasidHolder.machine.js';
import { allocatorListMachine } from '../../../machines/ioasid/allocatorList.machine.js';
import { allocatorRegistrationMachine } from '../../../machines/ioasid/allocatorRegistration.machine.js';
import { idSpaceMachine } from '../../../machines/ioasid/idSpace.machine.js';
import { ioasidMachine } from '../../../machines/ioasid/ioasid.machine.js';
import { ioasidOwnerMachine, ioasidHolderMachine } from '../../../machines/ioasid/ioasidOwner.machine.js';
import { mmMachine } from '../../../machines/sva/mm.machine.js';
import { svaBondMachine } from '../../../machines/sva/svaBond.machine.js';
import { svaHandleMachine } from '../../../machines/sva/svaHandle.machine.js';
import { scalableModeMachine } from '../../../machines/vtd/scalableMode.machine.js';
import { vtdUnitMachine } from '../../../machines/vtd/vtdUnit.machine.js';

interface Ctx {
  readonly n: number;
}
const guards = { isZero: ({ context }) => context.n === 0 } satisfies FactGuards<Ctx>;
const updates = { inc: (c) => ({ ...c, n: c.n + 1 }) } satisfies FactUpdates<Ctx>;
const counterSetup = setup({ types: factTypes<Ctx, { n: number }>(), guards });
const counter = counterSetup.extend({ actions: assignsOf(counterSetup.assign, updates) });
const address = { SvaBound: (f: Extract<FactBody, { type: 'SvaBound' }>) => [{ id: f.dev, input: { n: f.users } }] };
const bound: FactBody = { type: 'SvaBound', handle: 'h1', dev: 'd0', mm: 'mm1', pasid: 1, domain: null, users: 0 };

/** The control: the names the failing cases misspell, spelt right. */
const control = counter.createMachine({
  id: 'counter',
  initial: 'a',
  context: ({ input }) => ({ n: input.n }),
  states: { a: { on: { SvaBound: [{ guard: 'isZero', target: 'b', actions: 'inc' }] } }, b: {} },
});

describe('the control machine', () => {
  it('compiles, and the kit accepts it: both executors take its guarded transition', () => {
    const kind = defineObject({ machine: control, guards, updates, absent: 'a', address });
    const start = kind.initial({ n: 0 });
    expect(kind.step(start, bound)).toEqual({ value: 'b', context: { n: 1 } });
    expect(kind.stepWithXState(start, bound)).toEqual(kind.step(start, bound));
  });
});

describe('XState checks at compile time (and the kit refuses at run time) the names a config uses', () => {
  it('a guard the kind does not have', () => {
    const machine = counter.createMachine({
      id: 'counter',
      initial: 'a',
      context: ({ input }) => ({ n: input.n }),
      // @ts-expect-error 'isZro' is not one of the kind's guards
      states: { a: { on: { SvaBound: [{ guard: 'isZro', target: 'b', actions: 'inc' }] } }, b: {} },
    });
    expect(() => defineObject({ machine, guards, updates, address })).toThrow(/guard 'isZro' is missing/);
  });

  it('an action the kind does not have', () => {
    const machine = counter.createMachine({
      id: 'counter',
      initial: 'a',
      context: ({ input }) => ({ n: input.n }),
      // @ts-expect-error 'incc' is not one of the kind's updates
      states: { a: { on: { SvaBound: [{ guard: 'isZero', target: 'b', actions: 'incc' }] } }, b: {} },
    });
    expect(() => defineObject({ machine, guards, updates, address })).toThrow(/update 'incc' is missing/);
  });

  it('an event type that is no fact', () => {
    const machine = counter.createMachine({
      id: 'counter',
      initial: 'a',
      context: ({ input }) => ({ n: input.n }),
      // @ts-expect-error 'SvaBund' is not a fact type
      states: { a: { on: { SvaBund: [{ guard: 'isZero', target: 'b', actions: 'inc' }] } }, b: {} },
    });
    expect(() => defineObject({ machine, guards, updates, address })).toThrow(/transitions on SvaBund, which its address table does not route/);
  });

  it('a context factory that reads what the input does not have', () => {
    expect(() =>
      counter.createMachine({
        id: 'counter',
        initial: 'a',
        // @ts-expect-error the input has no m (and the context would lack n)
        context: ({ input }) => ({ n: input.m }),
        states: { a: {} },
      }),
    ).not.toThrow();
  });

  it('an update that returns no context of the kind', () => {
    // @ts-expect-error n must stay a number
    const wrong = { inc: (c) => ({ ...c, n: String(c.n) }) } satisfies FactUpdates<Ctx>;
    expect(wrong.inc({ n: 1 })).toEqual({ n: '1' });
  });

  it('an absent state the machine does not have', () => {
    // @ts-expect-error 'c' is not a state of the control
    expect(() => defineObject({ machine: control, guards, updates, absent: 'c', address })).toThrow(/absent state c/);
  });

  it('a dead state the machine does not have', () => {
    // @ts-expect-error 'c' is not a state of the control
    expect(() => defineObject({ machine: control, guards, updates, dead: { states: ['c'], self: 'n' }, address })).toThrow(/dead state c/);
  });

  it('a dead id field the context lacks (the types alone check it: no context exists before an input)', () => {
    // @ts-expect-error 'id' is not a field of the control's context
    const kind = defineObject({ machine: control, guards, updates, dead: { states: ['b'], self: 'id' }, address });
    expect(kind.factSpec.dead?.self).toBe('id');
  });

  it('a dead state that is the absent one (an absent object is not stored at all)', () => {
    expect(() => defineObject({ machine: control, guards, updates, absent: 'a', dead: { states: ['a'], self: 'n' }, address })).toThrow(/dead state a/);
  });
});

describe('what XState does not check at compile time, the kit refuses when it compiles the table', () => {
  it('an unknown target: XState types a target as any string, and refuses it only when it builds the machine', () => {
    expect(() =>
      counter.createMachine({
        id: 'counter',
        initial: 'a',
        context: ({ input }) => ({ n: input.n }),
        states: { a: { on: { SvaBound: [{ guard: 'isZero', target: 'nowhere', actions: 'inc' }] } }, b: {} },
      }),
    ).toThrow(/'nowhere' does not exist/);
  });

  it('an inline guard (the fast path calls named guards only)', () => {
    const machine = counter.createMachine({
      id: 'counter',
      initial: 'a',
      context: ({ input }) => ({ n: input.n }),
      states: { a: { on: { SvaBound: [{ guard: ({ context }) => context.n === 0, target: 'b' }] } }, b: {} },
    });
    expect(() => defineObject({ machine, guards, updates, address })).toThrow(/the guard must be named/);
  });

  it('a nested state (the table is flat)', () => {
    const machine = counter.createMachine({
      id: 'counter',
      initial: 'a',
      context: ({ input }) => ({ n: input.n }),
      states: { a: { initial: 'x', states: { x: {} }, on: { SvaBound: { target: 'b' } } }, b: {} },
    });
    expect(() => defineObject({ machine, guards, updates, address })).toThrow(/initial, states outside the lifecycle subset/);
  });

  it('a machine whose guard is not the function the fast path is given', () => {
    const machine = control.provide({ guards: { isZero: ({ context }) => context.n !== 0 } });
    expect(() => defineObject({ machine, guards, updates, address })).toThrow(/guard 'isZero' is not the kind's guard function/);
  });

  it('a machine whose action is not assignsOf of the update the fast path is given', () => {
    const other = assignsOf(counterSetup.assign, { inc: (c: Ctx) => ({ ...c, n: c.n + 2 }) });
    const machine = control.provide({ actions: other });
    expect(() => defineObject({ machine, guards, updates, address })).toThrow(/action 'inc' is not assignsOf\(updates\)\.inc/);
  });
});

describe('every kind keeps its machine typed (a cast or an erasing helper at its site would let these through)', () => {
  it('provide() refuses a guard or action name the machine does not have, for each of the 17 machines, and those machines are the ones the world folds through', () => {
    // (A machine without guards takes any record as its guards — {} accepts every object — so only the kinds with guards are probed for them.)
    // @ts-expect-error no such guard
    deviceMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    deviceMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such guard
    domainMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    domainMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such action
    pasidSlotMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such action
    globalPasidMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such action
    globalPasidHistoryMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such guard
    globalPasidHolderMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    globalPasidHolderMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such guard
    allocatorListMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    allocatorListMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such guard
    allocatorRegistrationMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    allocatorRegistrationMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such guard
    idSpaceMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    idSpaceMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such action
    ioasidMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such action
    ioasidOwnerMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such guard
    ioasidHolderMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    ioasidHolderMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such guard
    mmMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    mmMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such guard
    svaBondMachine.provide({ guards: { noSuchGuard: () => true } });
    // @ts-expect-error no such action
    svaBondMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such action
    svaHandleMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such action
    scalableModeMachine.provide({ actions: { noSuchAction: () => undefined } });
    // @ts-expect-error no such action
    vtdUnitMachine.provide({ actions: { noSuchAction: () => undefined } });
    const typed: readonly AnyStateMachine[] = [deviceMachine, domainMachine, pasidSlotMachine, globalPasidMachine, globalPasidHistoryMachine, globalPasidHolderMachine, allocatorListMachine, allocatorRegistrationMachine, idSpaceMachine, ioasidMachine, ioasidOwnerMachine, ioasidHolderMachine, mmMachine, svaBondMachine, svaHandleMachine, scalableModeMachine, vtdUnitMachine];
    expect(new Set(FACT_DRIVEN.map((k) => k.machine))).toEqual(new Set(typed));
  });
});
