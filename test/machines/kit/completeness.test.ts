/**
 * Completeness. A deciding kind: every state handles every event type the kind declares, so a call
 * model can never step an object into "not handled" (World.step would throw a model gap). A
 * fact-driven kind: every fact its address table follows moves it in some state (no route is dead),
 * and every state is left or changed by some fact (no object is stuck).
 */
import { describe, it, expect } from 'vitest';
import { OBJECT_KINDS } from '../../../machines/index.js';
import { FACT_DRIVEN } from '../../../machines/objects.js';

const factDriven = new Set<string>(FACT_DRIVEN.map((k) => k.id));

describe('every deciding machine is complete', () => {
  for (const kind of OBJECT_KINDS.filter((k) => !factDriven.has(k.id))) {
    it(`${kind.id}: every state handles every event type of the kind`, () => {
      const missing: string[] = [];
      for (const state of kind.stateNames) {
        const on = kind.spec.states[state]?.on ?? {};
        for (const type of kind.eventTypes) if (!(type in on)) missing.push(`${state} × ${type}`);
      }
      expect(missing, `${kind.id} leaves these (state × event) pairs unhandled`).toEqual([]);
    });

    it(`${kind.id}: every handled event has an unguarded last candidate, so some transition always fires`, () => {
      const guardedOnly: string[] = [];
      for (const state of kind.stateNames) {
        for (const [type, config] of Object.entries(kind.spec.states[state]?.on ?? {})) {
          const candidates = Array.isArray(config) ? config : [config];
          if (candidates[candidates.length - 1]?.guard !== undefined) guardedOnly.push(`${state} × ${type}`);
        }
      }
      expect(guardedOnly, `${kind.id}: when every guard is false these pairs decide nothing`).toEqual([]);
    });
  }
});

describe('every fact-driven machine follows what it addresses', () => {
  for (const kind of FACT_DRIVEN) {
    it(`${kind.id}: every fact in its address table has a transition in some state`, () => {
      const handled = new Set(kind.stateNames.flatMap((s) => Object.keys(kind.spec.states[s]?.on ?? {})));
      const dead = Object.keys(kind.factSpec.address).filter((t) => !handled.has(t));
      expect(dead, `${kind.id} is addressed by these facts but never moves on them`).toEqual([]);
    });

    it(`${kind.id}: every fact it handles is one its address table routes to it`, () => {
      const routed = new Set(Object.keys(kind.factSpec.address));
      const stray = kind.stateNames.flatMap((s) => Object.keys(kind.spec.states[s]?.on ?? {}).filter((t) => !routed.has(t)).map((t) => `${s} × ${t}`));
      expect(stray, `${kind.id} has transitions no fact can reach`).toEqual([]);
    });
  }
});
