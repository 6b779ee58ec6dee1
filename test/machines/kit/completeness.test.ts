/**
 * Completeness: every state of every object kind handles every event type the kind declares, so a
 * call model can never step an object into "not handled" (World.step would throw a model gap).
 */
import { describe, it, expect } from 'vitest';
import { OBJECT_KINDS } from '../../../machines/index.js';

describe('every machine is complete', () => {
  for (const kind of OBJECT_KINDS) {
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
