/** Test support: random scenario files (setup, tasks, teardown, conditions, ret_of) as text. */
import fc from 'fast-check';
import { profileFor } from '../../machines/profile.js';
import { parseScenario } from '../../src/explore/scenarioFile.js';
import { scenarioFromSpec, type Scenario } from '../../src/explore/scenario.js';

export interface Line {
  readonly in: string;
  readonly fn: string;
  readonly args: Record<string, unknown>;
  readonly if_ok?: number | string;
  readonly if_failed?: number | string;
  readonly name?: string;
}

export function scenarioText(kernel: string, lines: readonly Line[], extra: object = {}): string {
  return [{ type: 'header', format: 'pasid-ledger-scenario', version: 1, kernel, ...extra }, ...lines].map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** Parses and builds; throws on a bad scenario (the generators only write good ones). */
export function build(text: string): Scenario {
  const spec = parseScenario(text, 'gen.jsonl');
  if (!spec.ok) throw new Error(`${spec.error.message}\n${text}`);
  const header = spec.value.header;
  return scenarioFromSpec(spec.value, profileFor(header.kernel)!);
}

const DEVS = ['0000:6a:01.0', '0000:6a:02.0'];

/** One task's calls, each drawn from driver-like templates that refer back to the task's own earlier calls. */
function task(name: string, kinds: readonly string[], picks: readonly number[], offset: number, sva: boolean): Line[] {
  const out: Line[] = [];
  const last = (fn: string): number | undefined => {
    for (let i = out.length - 1; i >= 0; i--) if (out[i].fn === fn) return i + 1;
    return undefined;
  };
  kinds.forEach((kind, i) => {
    const pick = picks[(i + offset) % picks.length];
    const dev = DEVS[pick % 2];
    const guard = pick % 3 !== 0;
    const galloc = last('iommu_alloc_global_pasid');
    const pasid = galloc !== undefined ? { ret_of: galloc } : pick % 4 === 0 ? { ret_of: 'setup:5' } : sva ? 3 : 31;
    const dom = pick % 2 === 0 ? 'domA' : 'domB';
    switch (kind) {
      case 'release':
        out.push({ in: name, fn: pick % 2 === 0 ? 'iommu_release_device' : 'iommu_probe_device', args: pick % 2 === 0 ? { dev } : { dev, max_pasids: 16 } });
        break;
      case 'alloc':
        out.push({ in: name, fn: 'iommu_alloc_global_pasid', args: { dev } });
        break;
      case 'free':
        out.push({ in: name, fn: 'iommu_free_global_pasid', args: { pasid }, ...(guard && galloc !== undefined ? { if_ok: galloc } : {}) });
        break;
      case 'attach':
        out.push({ in: name, fn: 'iommu_attach_device_pasid', args: { domain: dom, dev, pasid }, ...(guard && galloc !== undefined ? { if_ok: galloc } : {}) });
        break;
      case 'detach': {
        const at = last('iommu_attach_device_pasid');
        const d = at !== undefined ? (out[at - 1].args.domain as string) : dom;
        const dv = at !== undefined ? (out[at - 1].args.dev as string) : dev;
        const p = at !== undefined ? out[at - 1].args.pasid : pasid;
        out.push({ in: name, fn: 'iommu_detach_device_pasid', args: { domain: d, dev: dv, pasid: p }, ...(at !== undefined && guard ? (pick % 5 === 0 ? { if_failed: at } : { if_ok: at }) : {}) });
        break;
      }
      case 'bind':
        if (sva) out.push({ in: name, fn: 'iommu_sva_bind_device', args: { dev, mm: pick % 2 === 0 ? 'mmA' : 'mmB' } });
        else out.push({ in: name, fn: 'iommu_alloc_global_pasid', args: { dev } });
        break;
      case 'unbind': {
        const b = last('iommu_sva_bind_device');
        if (b !== undefined) out.push({ in: name, fn: 'iommu_sva_unbind_device', args: { handle: { ret_of: b } }, ...(guard ? { if_ok: b } : {}) });
        else out.push({ in: name, fn: 'iommu_detach_device_pasid', args: { domain: dom, dev, pasid } });
        break;
      }
      case 'attachBound': {
        const b = last('iommu_sva_bind_device');
        if (b !== undefined) out.push({ in: name, fn: 'iommu_attach_device_pasid', args: { domain: dom, dev: DEVS[(pick + 1) % 2], pasid: { ret_of: b, field: 'pasid' } }, if_ok: b });
        break;
      }
    }
  });
  return out;
}

const setupLines = (maxB: number): Line[] => [
  { in: 'setup', fn: 'iommu_probe_device', args: { dev: DEVS[0], max_pasids: 32 } },
  { in: 'setup', fn: 'iommu_probe_device', args: { dev: DEVS[1], max_pasids: maxB } },
  { in: 'setup', fn: 'iommu_domain_alloc', args: { type: 'dma', dev: DEVS[0] }, name: 'domA' },
  { in: 'setup', fn: 'iommu_domain_alloc', args: { type: 'unmanaged', dev: DEVS[1] }, name: 'domB' },
  { in: 'setup', fn: 'iommu_alloc_global_pasid', args: { dev: DEVS[0] } },
];

function teardownOf(tasks: readonly Line[][], picks: readonly number[]): Line[] {
  const out: Line[] = [];
  tasks.forEach((calls, t) => {
    const k = calls.findIndex((c) => c.fn === 'iommu_alloc_global_pasid');
    if (k >= 0 && picks[t % picks.length] % 2 === 0) out.push({ in: 'teardown', fn: 'iommu_free_global_pasid', args: { pasid: { ret_of: `${calls[0].in}:${k + 1}` } }, if_ok: `${calls[0].in}:${k + 1}` });
  });
  if (picks[0] % 3 === 0) out.push({ in: 'teardown', fn: 'iommu_domain_free', args: { domain: 'domA' } });
  return out;
}

const KINDS = ['alloc', 'free', 'attach', 'detach', 'bind', 'unbind', 'attachBound'] as const;
const CONTENDED = ['alloc', 'free', 'attach', 'detach', 'alloc', 'free', 'release'] as const;

/** 2–3 tasks of 1–3 calls with conditions and references, set-up and teardown, in an era with global PASIDs and SVA. */
export const dynamicScenario = (maxCalls = 3): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('6.6.0', '6.8.0', '6.12.0'), fc.array(fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: maxCalls }), { minLength: 2, maxLength: 3 }), fc.array(fc.nat(59), { minLength: 1, maxLength: 8 }))
    .map(([kernel, tasks, picks]) => {
      const lines = tasks.map((kinds, t) => task(`t${t + 1}`, kinds, picks, t, true));
      return scenarioText(kernel, [...setupLines(4), ...lines.flat(), ...teardownOf(lines, picks)]);
    });

/** 2–3 tasks contending for the global IDA only (no SVA): where value symmetry may apply. */
export const contendedScenario = (maxCalls = 4): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('6.6.0', '6.8.0'), fc.array(fc.array(fc.constantFrom(...CONTENDED), { minLength: 1, maxLength: maxCalls }), { minLength: 2, maxLength: 3 }), fc.array(fc.nat(59), { minLength: 1, maxLength: 8 }))
    .map(([kernel, tasks, picks]) => {
      const lines = tasks.map((kinds, t) => task(`t${t + 1}`, kinds, picks, t, false));
      return scenarioText(kernel, [...setupLines(8), ...lines.flat(), ...teardownOf(lines, picks)]);
    });
