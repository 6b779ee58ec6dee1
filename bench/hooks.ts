/**
 * Optional bench sections of other subsystems, loaded when their module is in the build:
 * src/timetravel (checkpoint indexing and seek) and src/explore (the race explorer). A module opts in
 * by exporting `benchSection: BenchSection`; a missing module or export skips the section with a note.
 */
export interface BenchContext {
  /** Trace files by record count (JSON Lines, generated), up to the size a section may hold in memory (1 M). */
  readonly traces: ReadonlyMap<number, string>;
  /**
   * Every generated trace, the larger ones too (`--large`: 10 M), for a section that only streams
   * them (time travel's index build and seeks); absent: the same as `traces`.
   */
  readonly streamingTraces?: ReadonlyMap<number, string>;
  /**
   * PASID users live at steady state in each trace, by path (`generate --live`); a trace not in it,
   * or with its size's default (1 % of its records), is the trace of earlier runs of that size.
   */
  readonly live?: ReadonlyMap<string, number>;
  readonly kernel: string;
  /** `--k-sweep`: time travel also builds and seeks with K = 64 and 1024 on 100 k records (how the default K was chosen). */
  readonly kSweep?: boolean;
  /** The race explorer's budget per contended scenario explored without value symmetry (`--explore-budget S`). */
  readonly exploreBudgetMs?: number;
}

export interface BenchSection {
  readonly name: string;
  /** Figures to print and to add to --json under the section's name. */
  run(ctx: BenchContext): Promise<Record<string, number | string | boolean>>;
}

export const OPTIONAL_SECTIONS = [
  { name: 'time travel (binary index)', module: './sections/timetravel.js' },
  { name: 'race explorer', module: './sections/explore.js' },
  { name: 'import throughput', module: './sections/import.js' },
  { name: 'batch audit (worker pool)', module: './sections/batch.js' },
  { name: 'views (report and Perfetto export)', module: './sections/views.js' },
] as const;

export type SectionOutcome =
  | { readonly name: string; readonly skipped: string }
  | { readonly name: string; readonly seconds: number; readonly figures: Record<string, number | string | boolean> }
  | { readonly name: string; readonly seconds: number; readonly failed: string };

export async function runOptionalSections(ctx: BenchContext): Promise<SectionOutcome[]> {
  const out: SectionOutcome[] = [];
  for (const s of OPTIONAL_SECTIONS) {
    let section: BenchSection | undefined;
    try {
      // Why: a computed specifier, so the bench builds whether or not the module exists yet.
      const specifier: string = s.module;
      section = ((await import(specifier)) as { benchSection?: BenchSection }).benchSection;
    } catch {
      section = undefined;
    }
    if (section === undefined) {
      out.push({ name: s.name, skipped: `bench/${s.module.replace('./', '').replace('.js', '.ts')} not in this build (export benchSection to include it)` });
      continue;
    }
    // Why on stderr: a section can run for minutes, and --json keeps stdout for the one object.
    const t0 = performance.now();
    process.stderr.write(`section ${section.name}...\n`);
    const seconds = () => Math.round((performance.now() - t0) / 1000);
    try {
      const figures = await section.run(ctx);
      out.push({ name: section.name, seconds: seconds(), figures });
    } catch (e) {
      // Why: one section's failure (a 10 M index build out of memory) must not lose the figures of the others.
      out.push({ name: section.name, seconds: seconds(), failed: e instanceof Error ? e.message.slice(0, 2000) : String(e) });
    }
    process.stderr.write(`section ${section.name}: ${seconds()} s\n`);
  }
  return out;
}
