/**
 * The race explorer's bench section (loaded by bench/hooks.ts): DPOR on a scenario
 * whose tasks never interact (4 × 4 on private devices, domains and PASIDs: one class of
 * 63,063,000 interleavings) and on one where every step contends for the global PASID IDA. The
 * scenarios are built here; the clock is the bench's (bench/measure.ts), not the explorer's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallRecord } from '../../events/records.js';
import { profileFor } from '../../machines/profile.js';
import type { BenchContext, BenchSection } from '../hooks.js';
import { best } from '../measure.js';
import type { Profile } from '../../machines/profile.js';
import { exploreBuilt } from '../../src/explore/explore.js';
import { isScenarioText, parseScenario } from '../../src/explore/scenarioFile.js';
import { buildScenario, scenarioFromSpec, type Scenario } from '../../src/explore/scenario.js';

const rec = (seq: number, tid: number, fn: string, args: object, ret?: string) => ({ seq, ts: seq, cpu: tid, tid, fn, args, ...(ret === undefined ? {} : { ret }) }) as CallRecord;

/** n tasks × 4 calls: probe, domain alloc, attach, detach, each on its own device, domain and PASID. */
export function privateSlots(n: number): CallRecord[] {
  const out: CallRecord[] = [];
  for (let t = 1; t <= n; t++) {
    const dev = `0000:6a:${String(t).padStart(2, '0')}.0`;
    out.push(rec(out.length + 1, t, 'iommu_probe_device', { dev, max_pasids: 32768 }));
    out.push(rec(out.length + 1, t, 'iommu_domain_alloc', { type: 'dma', dev }, `dma${t}`));
    out.push(rec(out.length + 1, t, 'iommu_attach_device_pasid', { domain: `dma${t}`, dev, pasid: t }));
    out.push(rec(out.length + 1, t, 'iommu_detach_device_pasid', { domain: `dma${t}`, dev, pasid: t }));
  }
  return out;
}

/** n tasks × 3 calls on the global IDA: alloc, free of PASID t, alloc (all allocations dependent). */
export function contendedIda(n: number): CallRecord[] {
  const out: CallRecord[] = [];
  for (let t = 1; t <= n; t++) {
    const dev = `0000:6b:${String(t).padStart(2, '0')}.0`;
    out.push(rec(out.length + 1, t, 'iommu_alloc_global_pasid', { dev }));
    out.push(rec(out.length + 1, t, 'iommu_free_global_pasid', { pasid: t }));
    out.push(rec(out.length + 1, t, 'iommu_alloc_global_pasid', { dev }));
  }
  return out;
}

/**
 * n drivers × (alloc, attach if ok, detach if attached, free if ok, alloc, free if ok) on one global
 * PASID IDA, as a scenario file; `shared`: every driver uses the same device (its slots then race).
 */
export function contendedScenario(n: number, shared: boolean): string {
  const dev = (t: number) => `0000:6a:${String(shared ? 1 : t).padStart(2, '0')}.0`;
  const lines: object[] = [{ type: 'header', format: 'pasid-ledger-scenario', version: 1, kernel: '6.6.0' }];
  for (let t = 1; t <= (shared ? 1 : n); t++) lines.push({ in: 'setup', fn: 'iommu_probe_device', args: { dev: dev(t), max_pasids: 64 } });
  for (let t = 1; t <= n; t++) lines.push({ in: 'setup', fn: 'iommu_domain_alloc', args: { type: 'dma', dev: dev(t) }, name: `dom${t}` });
  for (let t = 1; t <= n; t++) {
    const k = `t${t}`;
    const p = { ret_of: 1 };
    lines.push(
      { in: k, fn: 'iommu_alloc_global_pasid', args: { dev: dev(t) } },
      { in: k, fn: 'iommu_attach_device_pasid', args: { domain: `dom${t}`, dev: dev(t), pasid: p }, if_ok: 1 },
      { in: k, fn: 'iommu_detach_device_pasid', args: { domain: `dom${t}`, dev: dev(t), pasid: p }, if_ok: 2 },
      { in: k, fn: 'iommu_free_global_pasid', args: { pasid: p }, if_ok: 1 },
      { in: k, fn: 'iommu_alloc_global_pasid', args: { dev: dev(t) } },
      { in: k, fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: 5 } }, if_ok: 5 },
    );
  }
  for (let t = 1; t <= n; t++) lines.push({ in: 'teardown', fn: 'iommu_domain_free', args: { domain: `dom${t}` } });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** The checkout's root (the nearest folder with a package.json): this file runs from bench/ and from dist/bench/. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The bundled race scenarios (samples/races/), read as the CLI reads them: scenario files, or a header line then records. */
function bundledScenarios(): { name: string; scenario: Scenario }[] {
  const dir = join(projectRoot(), 'samples', 'races');
  const out: { name: string; scenario: Scenario }[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const [header, ...rest] = text.split('\n').filter((l) => l.length > 0);
    const kernel = (JSON.parse(header) as { kernel: string }).kernel;
    const profile = profileFor(kernel);
    if (profile === null) continue;
    if (isScenarioText(header)) {
      const spec = parseScenario(text, f);
      if (spec.ok) out.push({ name: f.replace('.jsonl', ''), scenario: scenarioFromSpec(spec.value, profile) });
    } else out.push({ name: f.replace('.jsonl', ''), scenario: buildScenario(rest.map((l) => JSON.parse(l) as CallRecord), profile) });
  }
  return out;
}

/**
 * The default budget of each contended scenario explored without value symmetry. Those runs are cut
 * short by the budget (the classes they would enumerate number in the millions), so the budget is
 * what they cost: 3 × 10 s in a full run; `--explore-budget 60` for the 60 s the docs' earlier figures used.
 */
export const CONTENDED_BUDGET_MS = 10_000;

export const benchSection: BenchSection = {
  name: 'race explorer',
  async run(ctx: BenchContext) {
    const figures: Record<string, number | string | boolean> = {};
    const cases = [
      ...bundledScenarios(),
      { name: 'private 4x4', scenario: buildScenario(privateSlots(4), profileFor('6.8.0') as Profile) },
      { name: 'contended ida 3x3', scenario: buildScenario(contendedIda(3), profileFor('6.6.0') as Profile) },
    ];
    for (const c of cases) {
      const t = await best(5, () => exploreBuilt(c.scenario));
      const runs = t.value.executions + t.value.redundant;
      figures[`${c.name}: executions`] = t.value.executions;
      figures[`${c.name}: sleep-set-blocked`] = t.value.redundant;
      figures[`${c.name}: interleavings`] = t.value.interleavings.toString();
      figures[`${c.name}: ms`] = Math.round(t.ms * 100) / 100;
      figures[`${c.name}: µs per execution`] = Math.round((t.ms * 1000) / Math.max(1, runs));
    }
    const budgetMs = ctx.exploreBudgetMs ?? CONTENDED_BUDGET_MS;
    figures['budget per scenario without value symmetry ms'] = budgetMs;
    Object.assign(figures, await contendedFigures(budgetMs));
    return figures;
  },
};

/** Contended scenarios (issue 13): value symmetry on, and off under a time budget per scenario and 2 M executions. */
export async function contendedFigures(budgetMs: number): Promise<Record<string, number | string>> {
  const figures: Record<string, number | string> = {};
  {
    for (const [name, n, shared] of [['contended 4x6 private devices', 4, false], ['contended 4x6 one device', 4, true], ['contended 3x6 private devices', 3, false]] as const) {
      const spec = parseScenario(contendedScenario(n, shared), name);
      const profile = profileFor('6.6.0');
      if (!spec.ok || profile === null) continue;
      const s = scenarioFromSpec(spec.value, profile);
      const on = await best(1, () => exploreBuilt(s));
      figures[`${name}: executions with value symmetry`] = on.value.executions;
      figures[`${name}: ms with value symmetry`] = Math.round(on.ms);
      figures[`${name}: verdict`] = on.value.verdict;
      const start = Date.now();
      const off = await best(1, () => exploreBuilt(s, { symmetry: false, maxExecutions: 2_000_000, deadline: start + budgetMs, now: Date.now }));
      figures[`${name}: executions without value symmetry`] = off.value.executions;
      figures[`${name}: ms without value symmetry`] = Math.round(off.ms);
      figures[`${name}: without value symmetry cut short by`] = off.value.bounds.join(',') || 'nothing (exhaustive)';
      figures[`${name}: executions saved by value symmetry`] = `${off.value.executions - on.value.executions}${off.value.bounds.length > 0 ? ' or more' : ''}`;
    }
  }
  return figures;
}
