/**
 * Completeness. Every kernel object kind is fact-driven (the calls decide, the objects evolve), and
 * every fact a kind's address table follows moves it in some state (no route is dead), and every
 * transition it has is reachable by a fact routed to it.
 */
import { describe, it, expect } from 'vitest';
import { OBJECT_KINDS } from '../../../machines/index.js';
import { FACT_DRIVEN } from '../../../machines/objects.js';

const factDriven = new Set<string>(FACT_DRIVEN.map((k) => k.id));

describe('every kernel object is fact-driven', () => {
  it('each kind of machines/index.ts is in FACT_DRIVEN, so the world is the fold of the facts', () => {
    expect(OBJECT_KINDS.map((k) => k.id).filter((id) => !factDriven.has(id))).toEqual([]);
  });
});

describe('every fact-driven machine follows what it addresses', () => {
  for (const kind of FACT_DRIVEN) {
    it(`${kind.id}: every fact in its address table has a transition in some state`, () => {
      const handled = new Set(kind.stateNames.flatMap((s) => Object.keys(kind.config.states[s]?.on ?? {})));
      const dead = Object.keys(kind.factSpec.address).filter((t) => !handled.has(t));
      expect(dead, `${kind.id} is addressed by these facts but never moves on them`).toEqual([]);
    });

    it(`${kind.id}: every fact it handles is one its address table routes to it`, () => {
      const routed = new Set(Object.keys(kind.factSpec.address));
      const stray = kind.stateNames.flatMap((s) => Object.keys(kind.config.states[s]?.on ?? {}).filter((t) => !routed.has(t)).map((t) => `${s} × ${t}`));
      expect(stray, `${kind.id} has transitions no fact can reach`).toEqual([]);
    });
  }
});
