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
import { exploreScenario } from '../../src/explore/explore.js';

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

/** The checkout's root (the nearest folder with a package.json): this file runs from bench/ and from dist/bench/. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The bundled race scenarios (samples/races/), read as the CLI would: header line, then records. */
function bundledScenarios(): { name: string; kernel: string; records: CallRecord[] }[] {
  const dir = join(projectRoot(), 'samples', 'races');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => {
      const [header, ...rest] = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0);
      return { name: f.replace('.jsonl', ''), kernel: (JSON.parse(header) as { kernel: string }).kernel, records: rest.map((l) => JSON.parse(l) as CallRecord) };
    });
}

export const benchSection: BenchSection = {
  name: 'race explorer',
  async run(_ctx: BenchContext) {
    const figures: Record<string, number | string | boolean> = {};
    const cases = [
      ...bundledScenarios(),
      { name: 'private 4x4', kernel: '6.8.0', records: privateSlots(4) },
      { name: 'contended ida 3x3', kernel: '6.6.0', records: contendedIda(3) },
    ];
    for (const c of cases) {
      const profile = profileFor(c.kernel);
      if (profile === null) continue;
      const t = await best(5, () => exploreScenario(c.records, profile));
      const runs = t.value.executions + t.value.redundant;
      figures[`${c.name}: executions`] = t.value.executions;
      figures[`${c.name}: sleep-set-blocked`] = t.value.redundant;
      figures[`${c.name}: interleavings`] = t.value.interleavings.toString();
      figures[`${c.name}: ms`] = Math.round(t.ms * 100) / 100;
      figures[`${c.name}: µs per execution`] = Math.round((t.ms * 1000) / Math.max(1, runs));
    }
    return figures;
  },
};
