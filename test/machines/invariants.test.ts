/**
 * Invariants of the machines over random traces of every era (fast-check, fixed seeds; a failure
 * prints the seed and the shrunk counterexample): counters never go below zero silently, one domain
 * per device PASID, no ID handed out twice while allocated, replay is deterministic, and streaming
 * in any chunking gives the findings of the batch replay.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { CallRecord } from '../../events/records.js';
import type { Fact } from '../../events/facts.js';
import type { Snap } from '../../machines/kit/lifecycle.js';
import type { World } from '../../machines/kit/world.js';
import type { DomainContext } from '../../machines/device/domain.machine.js';
import type { PasidSlotContext } from '../../machines/device/pasidSlot.machine.js';
import type { SvaBondContext } from '../../machines/sva/svaBond.machine.js';
import { Replay } from '../../src/replay/replay.js';
import { replayEntries, stepEntries, type Entry } from '../../src/replay/replayTrace.js';
import { runReplay } from '../../src/audit/runReplay.js';
import { readTrace } from '../../src/log/reader.js';
import { serializeHeader, serializeRecord } from '../../src/log/serialize.js';
import { projectWorld } from '../../src/projections/projectWorld.js';
import { anyTrace } from '../support/arbitraries.js';
import { profile, records, type CallSpec } from '../support/calls.js';

/**
 * anyTrace, plus the same traces with 0000:00:01.0 and 0000:00:02.0 probed into one group 'g1', so
 * the per-group paths (pasid_array, for_each_group_device) are exercised too.
 */
const GROUPED = new Set(['0000:00:01.0', '0000:00:02.0']);
const grouped = (calls: readonly CallSpec[]): CallSpec[] =>
  calls.map((c) => (c.fn === 'iommu_probe_device' && GROUPED.has((c.args as { dev: string }).dev) ? { ...c, args: { ...c.args, group: 'g1' } } : c));
const anyTraces = (n: number) => fc.tuple(anyTrace(n), fc.boolean()).map(([[k, calls], g]): [string, CallSpec[]] => [k, g ? grouped(calls) : calls]);

const entriesOf = (calls: readonly CallSpec[]): Entry[] => records(calls).map((record, i) => ({ record, line: i + 2 }));

/** Replays step by step, calling `check(world, seq, codesAtSeq)` after every record. */
function stepwise(kernel: string, calls: readonly CallSpec[], check: (w: World, seq: number, codes: readonly string[]) => void): Replay {
  const entries = entriesOf(calls);
  const replay = new Replay({ profile: profile(kernel) });
  stepEntries(replay, entries, (i) => {
    const seq = entries[i].record.seq;
    check(replay.world, seq, replay.findings.filter((f) => f.seq === seq).map((f) => f.code));
  });
  replay.end();
  return replay;
}

/** Every counter the machines keep, as [object key, field, value]. */
function counters(w: World): [string, string, number][] {
  const fields: Record<string, readonly string[]> = {
    ioasid: ['refs'],
    domain: ['users', 'attachments'],
    svaBond: ['users'],
    device: ['attached', 'bonds'],
    mm: ['bonds'],
    globalPasid: ['attachments'],
  };
  const out: [string, string, number][] = [];
  for (const [key, snap] of w.objects) {
    const kind = key.slice(0, key.indexOf(':'));
    const ctx = snap.context as Record<string, unknown>;
    for (const f of fields[kind] ?? []) if (typeof ctx[f] === 'number') out.push([key, f, ctx[f] as number]);
  }
  return out;
}

const RUNS = 400;
/** Findings that report an ID now aliasing another holder. */
const ALIASING = new Set(['IOASID_DUPLICATE_IN_USE', 'ALLOCATOR_UNREGISTER_OUTSTANDING', 'GLOBAL_PASID_FREE_ATTACHED']);

describe('refcounts and attachment counts (seed 4101)', () => {
  it('no counter goes below zero without a finding at that seq', () => {
    fc.assert(
      fc.property(anyTraces(60), ([kernel, calls]) => {
        stepwise(kernel, calls, (w, seq, codes) => {
          for (const [key, field, value] of counters(w)) {
            if (value < 0) expect(codes.length, `${kernel} seq ${seq}: ${key}.${field} = ${value} with no finding`).toBeGreaterThan(0);
          }
        });
      }),
      { seed: 4101, numRuns: RUNS },
    );
  });

  // Why the exemption: a capture that allocates a name PASID slots still hold (a lost free) resets the
  // domain's count in the model and in the fact fold alike; see the report. Such names are skipped.
  it("a domain's attachment count equals the PASID slots that hold it", () => {
    fc.assert(
      fc.property(anyTraces(60), ([kernel, calls]) => {
        const reallocated = new Set<string>();
        let held = new Map<string, number>();
        stepwise(kernel, calls, (w, seq) => {
          const c = calls[seq - 1];
          if (c.fn === 'iommu_domain_alloc' && typeof c.ret === 'string' && (held.get(c.ret) ?? 0) > 0) reallocated.add(c.ret);
          held = new Map<string, number>();
          for (const [, s] of w.entriesOf<PasidSlotContext>('pasidSlot')) if (s.context.domain !== null) held.set(s.context.domain, (held.get(s.context.domain) ?? 0) + 1);
          for (const [id, s] of w.entriesOf<DomainContext>('domain')) {
            if (reallocated.has(id)) continue;
            expect(s.context.attachments, `${kernel} seq ${seq}: domain ${id}`).toBe(held.get(id) ?? 0);
            if (s.value !== 'freed') expect(s.value === 'attached', `${kernel} seq ${seq}: domain ${id} state`).toBe((held.get(id) ?? 0) > 0);
          }
        });
      }),
      { seed: 4102, numRuns: RUNS },
    );
  });

  it("a device's attached count equals the slots of its group it attached", () => {
    fc.assert(
      fc.property(anyTraces(60), ([kernel, calls]) => {
        stepwise(kernel, calls, (w, seq) => {
          const held = new Map<string, number>();
          for (const [, s] of w.entriesOf<PasidSlotContext>('pasidSlot')) if (s.context.dev !== null) held.set(s.context.dev, (held.get(s.context.dev) ?? 0) + 1);
          for (const [id, s] of w.entriesOf<{ attached: number }>('device')) expect(s.context.attached, `${kernel} seq ${seq}: device ${id}`).toBe(held.get(id) ?? 0);
        });
      }),
      { seed: 4103, numRuns: RUNS },
    );
  });
});

describe('SVA counts agree with the bonds (seed 4104)', () => {
  it("device and mm bond counts equal their bound pairs; an SVA domain's users equal its binds (v6.2–v6.7) or devices (v6.8+)", () => {
    fc.assert(
      fc.property(anyTraces(60), ([kernel, calls]) => {
        const p = profile(kernel);
        stepwise(kernel, calls, (w, seq) => {
          const devBonds = new Map<string, number>();
          const mmBonds = new Map<string, number>();
          const users = new Map<string, number>();
          for (const [key, s] of w.entriesOf<SvaBondContext>('svaBond')) {
            expect(s.context.users, `${kernel} seq ${seq}: bond ${key}`).toBeGreaterThan(0);
            devBonds.set(s.context.dev, (devBonds.get(s.context.dev) ?? 0) + 1);
            mmBonds.set(s.context.mm, (mmBonds.get(s.context.mm) ?? 0) + 1);
            if (s.context.domain !== null) users.set(s.context.domain, (users.get(s.context.domain) ?? 0) + (p.svaDomainPerMm ? 1 : s.context.users));
          }
          for (const [id, s] of w.entriesOf<{ bonds: number }>('device')) expect(s.context.bonds, `${kernel} seq ${seq}: device ${id}`).toBe(devBonds.get(id) ?? 0);
          for (const [id, s] of w.entriesOf<{ bonds: number }>('mm')) expect(s.context.bonds, `${kernel} seq ${seq}: mm ${id}`).toBe(mmBonds.get(id) ?? 0);
          for (const [id, s] of w.entriesOf<DomainContext>('domain')) {
            if (s.context.type === 'sva' && s.value !== 'freed') expect(s.context.users, `${kernel} seq ${seq}: SVA domain ${id}`).toBe(users.get(id) ?? 0);
          }
        });
      }),
      { seed: 4104, numRuns: RUNS },
    );
  });
});

describe('one domain per device PASID (seed 4201)', () => {
  it('no two slots hold a domain for the same (device, PASID), and each slot holds one domain', () => {
    fc.assert(
      fc.property(anyTraces(60), ([kernel, calls]) => {
        // Why the exemption: a device used before its probe is assumed to be alone in its group; a probe
        // that then puts it into 'g1' strands the slots of the assumed group (see the report).
        const usedBeforeProbe = new Set<string>();
        let moved = false;
        stepwise(kernel, calls, (w, seq) => {
          const c = calls[seq - 1];
          const dev = (c.args as { dev?: string }).dev;
          if (dev !== undefined && c.fn !== 'iommu_probe_device') usedBeforeProbe.add(dev);
          if (c.fn === 'iommu_probe_device' && (c.args as { group?: string }).group !== undefined && usedBeforeProbe.has(dev as string)) moved = true;
          if (dev !== undefined && c.fn === 'iommu_probe_device') usedBeforeProbe.delete(dev);
          if (moved) return;
          const seen = new Set<string>();
          for (const [key, s] of w.entriesOf<PasidSlotContext>('pasidSlot')) {
            expect(s.value, `${kernel} seq ${seq}: slot ${key}`).toBe('attached');
            expect(s.context.domain, `${kernel} seq ${seq}: slot ${key}`).not.toBeNull();
            const k = `${s.context.dev}/${s.context.pasid}`;
            expect(seen.has(k), `${kernel} seq ${seq}: two slots for ${k}`).toBe(false);
            seen.add(k);
          }
        });
      }),
      { seed: 4201, numRuns: RUNS },
    );
  });
});

/** Allocation facts in order: a second allocation of an ID before its free is a duplicate. */
function duplicates(facts: readonly Fact[]): string[] {
  const live = new Set<string>();
  const dup: string[] = [];
  for (const f of facts) {
    let alloc: string | null = null;
    let freed: string | null = null;
    if (f.type === 'IoasidAllocated') alloc = `ioasid ${f.space}/${f.ioasid}`;
    else if (f.type === 'IoasidFreed' || f.type === 'IoasidOrphaned') freed = `ioasid ${f.space}/${f.ioasid}`;
    else if (f.type === 'GlobalPasidAllocated') alloc = `global ${f.pasid}`;
    else if (f.type === 'GlobalPasidFreed') freed = `global ${f.pasid}`;
    if (alloc !== null) {
      if (live.has(alloc)) dup.push(`${alloc} at seq ${f.seq}`);
      live.add(alloc);
    }
    if (freed !== null) live.delete(freed);
  }
  return dup;
}

describe('ID spaces (seed 4301)', () => {
  it('no ID is handed out twice in one ID space while it is allocated (ioasid spaces, the global IDA)', () => {
    fc.assert(
      fc.property(anyTraces(80), ([kernel, calls]) => {
        const r = replayEntries(entriesOf(calls), profile(kernel));
        expect(duplicates(r.log.all()), kernel).toEqual([]);
      }),
      { seed: 4301, numRuns: RUNS },
    );
  });

  // Why the exemption: a driver freeing an mm's PASID directly (owner confusion) lets the number go to
  // another mm; the model has no finding code for that yet (see the report), so such traces are skipped from there on.
  it('no two live mms hold the same PASID (unless a driver freed an mm-owned PASID directly)', () => {
    const livePasids = (w: World) => new Set([...w.entriesOf<{ pasid: number | null }>('mm')].filter(([, s]) => s.value !== 'exited' && s.context.pasid !== null).map(([, s]) => s.context.pasid as number));
    fc.assert(
      fc.property(anyTraces(60), ([kernel, calls]) => {
        let confused = false;
        let before = new Set<number>();
        stepwise(kernel, calls, (w, seq, codes) => {
          const c = calls[seq - 1];
          const freed = c.fn === 'iommu_free_global_pasid' || c.fn === 'ioasid_free' || c.fn === 'ioasid_put' ? Object.values(c.args)[0] : null;
          if (typeof freed === 'number' && before.has(freed)) confused = true;
          // An orphaned or early-freed ID aliasing a new one is reported (A10, A40); the duplicate that follows is expected.
          if (codes.some((x) => ALIASING.has(x))) confused = true;
          before = livePasids(w);
          if (confused) return;
          const owners = new Map<number, string>();
          for (const [id, s] of w.entriesOf<{ pasid: number | null }>('mm')) {
            if (s.value === 'exited' || s.context.pasid === null) continue;
            expect(owners.get(s.context.pasid), `${kernel} seq ${seq}: PASID ${s.context.pasid} of ${id}`).toBeUndefined();
            owners.set(s.context.pasid, id);
          }
        });
      }),
      { seed: 4302, numRuns: RUNS },
    );
  });
});

describe('determinism (seed 4401)', () => {
  it('replaying the same trace twice gives byte-identical state, facts and findings', () => {
    fc.assert(
      fc.property(anyTraces(60), ([kernel, calls]) => {
        const a = replayEntries(entriesOf(calls), profile(kernel));
        const b = replayEntries(entriesOf(calls), profile(kernel));
        expect(JSON.stringify(projectWorld(b.world))).toBe(JSON.stringify(projectWorld(a.world)));
        expect(JSON.stringify(b.log.all())).toBe(JSON.stringify(a.log.all()));
        expect(JSON.stringify(b.findings)).toBe(JSON.stringify(a.findings));
      }),
      { seed: 4401, numRuns: RUNS },
    );
  });

  it('the XState executor and the compiled table agree on state, facts and findings', () => {
    fc.assert(
      fc.property(anyTraces(40), ([kernel, calls]) => {
        const fast = replayEntries(entriesOf(calls), profile(kernel), 'fast');
        const xs = replayEntries(entriesOf(calls), profile(kernel), 'xstate');
        expect(JSON.stringify(projectWorld(xs.world))).toBe(JSON.stringify(projectWorld(fast.world)));
        expect(JSON.stringify(xs.log.all())).toBe(JSON.stringify(fast.log.all()));
        expect(xs.findings.map((f) => `${f.seq}:${f.code}`)).toEqual(fast.findings.map((f) => `${f.seq}:${f.code}`));
      }),
      { seed: 4402, numRuns: 150 },
    );
  });

  it('every fact the model derives passes its own schema', () => {
    fc.assert(
      fc.property(anyTraces(60), ([kernel, calls]) => {
        const errors: string[] = [];
        const entries = entriesOf(calls);
        const replay = new Replay({ profile: profile(kernel) });
        replay.log.on('error', (e) => errors.push(e.message));
        stepEntries(replay, entries);
        replay.end();
        expect(errors, kernel).toEqual([]);
      }),
      { seed: 4403, numRuns: RUNS },
    );
  });
});

/** Splits text into chunks at the given cut points (bytes may split UTF-8 and lines anywhere). */
async function* chunked(bytes: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
  let at = 0;
  for (const p of points) {
    if (p > at) yield bytes.subarray(at, p);
    at = Math.max(at, p);
  }
  if (at < bytes.length) yield bytes.subarray(at);
}

describe('streaming (seed 4501)', () => {
  it('findings and facts do not depend on how the serialized trace is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(anyTraces(60), fc.array(fc.nat(), { maxLength: 30 }), async ([kernel, calls], cuts) => {
        const recs: CallRecord[] = records(calls);
        const header = { type: 'header' as const, format: 'pasid-ledger-trace' as const, version: 1 as const, kernel, source: 'hand-written' as const };
        const text = [serializeHeader(header), ...recs.map(serializeRecord)].map((l) => `${l}\n`).join('');
        const bytes = Buffer.from(text, 'utf8');
        const streamed = await runReplay(readTrace(chunked(bytes, cuts), { file: 't.jsonl' }), { file: 't.jsonl', retainFacts: true });
        expect(streamed.ok).toBe(true);
        if (!streamed.ok) return;
        const batch = replayEntries(entriesOf(calls), profile(kernel));
        const view = (r: Replay) => r.findings.map((f) => `${f.seq}:${f.line}:${f.code}:${f.message}`);
        expect(view(streamed.value.replay)).toEqual(view(batch));
        expect(JSON.stringify(streamed.value.replay.log.all())).toBe(JSON.stringify(batch.log.all()));
      }),
      { seed: 4501, numRuns: 200 },
    );
  });
});
