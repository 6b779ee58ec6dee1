/** Markdown tables generated from the catalogues, so the README cannot drift from the code. Pure. */
import { FINDINGS, FINDING_CODES, reactionOf, severityOf, type FindingSpec } from '../../machines/findings.js';
import { ERAS, profileFor, type Profile } from '../../machines/profile.js';

const ERA_KERNELS: Record<(typeof ERAS)[number], string> = {
  'v5.5': '5.5', 'v5.11': '5.11', 'v5.18': '5.18', 'v6.2': '6.2', 'v6.6': '6.6', 'v6.8': '6.8', newest: '6.11',
};

/** An era-dependent column: the one value when every era agrees, else `era: value` per era. */
function perEra(of: (p: Profile) => string): string {
  const byEra = ERAS.map((e) => {
    const profile = profileFor(ERA_KERNELS[e]);
    if (profile === null) throw new Error(`no profile for the era kernel ${ERA_KERNELS[e]}`);
    return [e, of(profile)] as const;
  });
  return new Set(byEra.map(([, v]) => v)).size === 1 ? byEra[0][1] : byEra.map(([e, v]) => `${e}: ${v}`).join(', ');
}

/** One row per finding code: code, reference, kernel reaction (per era where it differs), severity, title. */
export function findingTable(): string {
  const rows = ['| code | ref | kernel reaction | severity | what |', '|---|---|---|---|---|'];
  for (const code of FINDING_CODES) {
    const spec: FindingSpec = FINDINGS[code];
    const reaction = typeof spec.reaction === 'function' ? perEra((p) => reactionOf(code, p)) : spec.reaction;
    const severity = typeof spec.severity === 'function' ? perEra((p) => severityOf(code, p)) : spec.severity;
    rows.push(`| \`${code}\` | ${spec.ref} | ${reaction} | ${severity} | ${spec.title} |`);
  }
  return rows.join('\n');
}

/** One row per era: the kernels it covers and what changes. */
export function eraTable(): string {
  const rows = ['| era | kernels | what the model changes |', '|---|---|---|'];
  const notes: Record<(typeof ERAS)[number], [string, string]> = {
    'v5.5': ['5.5–5.10', 'ioasid_free, no refcount; custom allocators (VT-d vcmd from 5.8); no driver implements sva_bind before 5.8 (every bind -ENODEV), then Intel only: its own PASID (-ENOSPC), a singleton group; SVA PASID freed with the last bond'],
    'v5.11': ['5.11–5.17', 'ioasid_get/ioasid_put refcount (ioasid_free absent); SMMUv3 sva_bind (its rebind reuses the bond first); Intel allocates its own PASID until 5.13; an existing PASID up to max_pasids − 1 is accepted'],
    'v5.18': ['5.18–6.1', 'ioasid_free again; one PASID per mm, freed only when the mm goes (mm_pasid_drop at __mmdrop from 5.18-rc6: a live bond pins it); -EOVERFLOW off by one (pasid >= max)'],
    'v6.2': ['6.2–6.5', 'SVA domains, iommu_attach/detach_device_pasid, WARN on a wrong-domain detach, no singleton-group check; ioasid.c gone from 6.4 (IDA inside iommu-sva.c); -EOVERFLOW off by one fixed in 6.4'],
    'v6.6': ['6.6–6.7', 'global PASIDs: iommu_alloc_global_pasid(dev) / iommu_free_global_pasid'],
    'v6.8': ['6.8–6.10', 'one SVA domain per mm shared across devices; per-handle refcount (6.8 final; 6.8-rc1..rc5 fail a double bind -EBUSY); PASID 0 / max_pasids checked in attach from 6.9-rc2; remove_dev_pasid gets the domain from 6.10'],
    newest: ['6.11+', 'attach handles in pasid_array (a handle-less attachment reads as empty to SVA bind), no WARN on a wrong-domain detach; iommu_replace_device_pasid from 6.15; PCI reset blocks attach (modelled from 6.18); x86 stable kernels 6.1.163+, 6.6.120+, 6.12.64+, 6.18.4+ refuse every SVA bind (-EOPNOTSUPP)'],
  };
  for (const era of ERAS) rows.push(`| ${era} | ${notes[era][0]} | ${notes[era][1]} |`);
  return rows.join('\n');
}

/** Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`. */
export function replaceBlock(doc: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return doc;
  return `${doc.slice(0, i + begin.length)}\n${body}\n${doc.slice(j)}`;
}
