/**
 * The interpreter of `pasid-ledger travel`: one command line in, one response out. Holds a cursor
 * over the trace's positions, the previous position (for `diff`) and a watch. Pure: the CLI wires
 * it to a terminal or a pipe.
 */
import { projectWorld } from '../projections/projectWorld.js';
import { stateView } from './live.js';
import { formatState } from '../projections/formatState.js';
import type { StateView } from '../projections/view.js';
import { Cursor } from './cursor.js';
import { describe, diffViews, flattenView } from './diffViews.js';
import { allFindings } from './history.js';
import { formatFindingLine, formatRecord, formatWhere } from './format.js';
import { recordTokens, selectorToken, type SelectorKind } from './refs.js';
import { asTimeline, timelineIndexOf, type Timeline } from './timeline.js';
import type { TravelIndex } from './index.js';

/** A move prints its record and at most this many changes; `diff` lists them all, `state` the whole state. */
export const SUMMARY_CHANGES = 12;

export const TRAVEL_HELP = `commands:
  step [N]          apply the next N records (default 1); stops early when a watched object changes
  back [N]          go back N records (default 1)
  seek SEQ          go to right after record SEQ (0 = the start)
  seek finding N    go to the record that raised finding N (see \`findings\`)
  watch KIND NAME   watch an object: pasid N, dev BDF, domain D, mm M, allocator OPS, handle H, ioasid N
  unwatch           stop watching
  continue          go to the next record that changes the watched object (without a watch:
                    to the next finding of \`findings\`)
  state [--dead]    the live objects here, and how many dead ones are not shown (as
                    \`pasid-ledger state --at\`); --dead lists every object
  diff              what changed since the previous position
  findings          the findings so far (numbered for \`seek finding N\`), then the ones still ahead
  where             the current position and record
  help              this list
  quit              leave`;

const WATCH_KINDS: Readonly<Record<string, SelectorKind>> = {
  pasid: 'pasid', dev: 'dev', device: 'dev', domain: 'domain', mm: 'mm', allocator: 'allocator', ops: 'allocator', handle: 'handle', ioasid: 'ioasid',
};

export interface Response {
  readonly text: string;
  readonly quit: boolean;
}

export interface SessionOptions {
  /** Called while a long `step`/`continue` runs: records done of at most `total` (a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called when the long step ends (the bar is taken down). */
  readonly onProgressEnd?: () => void;
}

export class TravelSession {
  readonly #cursor: Cursor;
  #previous: StateView;
  #watch: { token: string; label: string } | null = null;
  readonly index: Timeline;

  constructor(index: Timeline | TravelIndex, readonly file: string, readonly options: SessionOptions = {}) {
    this.index = asTimeline(index);
    this.#cursor = new Cursor(index);
    this.#previous = this.#view();
  }

  #view(): StateView {
    return projectWorld(this.#cursor.position.replay.world);
  }

  #watched(view: StateView): string {
    const w = this.#watch;
    if (w === null) return '';
    return flattenView(view).filter((o) => o.refs.includes(w.token)).map((o) => `${o.label}: ${describe(o)}`).join('\n');
  }

  /** Moves, remembering where it came from; reports the record and what changed. */
  #moveTo(t: number): string {
    const before = this.#view();
    this.#cursor.moveTo(t);
    this.#previous = before;
    return this.#report(before);
  }

  #report(before: StateView): string {
    const p = this.#cursor.position;
    const out = [formatWhere(p, this.#cursor.length)];
    if (p.at >= 0) out.push(`  ${formatRecord(this.index.entry(p.at).record, p.line)}`);
    const changes = diffViews(before, this.#view());
    for (const c of changes.slice(0, SUMMARY_CHANGES)) out.push(`  ${c.text}`);
    if (changes.length > SUMMARY_CHANGES) out.push(`  ... ${changes.length - SUMMARY_CHANGES} more change(s) of ${changes.length}: \`diff\` lists them all, \`state\` shows the whole state`);
    return out.join('\n');
  }

  /**
   * Steps forward one record at a time until `stop` says so, `max` records, or the end. `stop`
   * sees the record just stepped and the findings count before it; it computes views only when
   * it needs them (a watch looks only at records that name the watched object).
   */
  #run(max: number, stop: (t: number, findingsBefore: number) => string | null): string {
    const start = this.#view();
    let note = '';
    const total = Math.min(max, this.#cursor.length - 1 - this.#cursor.position.at);
    for (let i = 0; i < max && this.#cursor.position.at < this.#cursor.length - 1; i++) {
      const findings = this.#cursor.position.replay.findings.length;
      const t = this.#cursor.position.at + 1;
      this.#cursor.moveTo(t);
      if ((i + 1) % 1024 === 0) this.options.onProgress?.(i + 1, total);
      const why = stop(t, findings);
      if (why !== null) {
        note = why;
        break;
      }
    }
    if (total >= 1024) this.options.onProgressEnd?.();
    if (note === '' && this.#cursor.position.at >= this.#cursor.length - 1) note = 'end of trace';
    this.#previous = start;
    return `${note ? `stopped: ${note}\n` : ''}${this.#report(start)}`;
  }

  /** The watched objects as they were before the last step, kept while stepping. */
  #watchedBefore: string | null = null;

  #watchStop = (t: number): string | null => {
    const w = this.#watch;
    if (w === null) return null;
    const p = this.#cursor.position;
    // The facts of the record just stepped are the log's tail (a restored log holds those since its checkpoint).
    const log = p.replay.log.all();
    let i = log.length;
    while (i > 0 && log[i - 1].seq === p.seq) i--;
    if (!recordTokens(this.index.entry(t).record, log.slice(i)).has(w.token)) return null;
    const now = this.#watched(this.#view());
    const before = this.#watchedBefore;
    this.#watchedBefore = now;
    return before === null || before === now ? null : `${w.label} changed`;
  };

  /**
   * `continue` without a watch: straight to the record of the full run's next finding (the list
   * `findings` numbers), one seek, not a step per record.
   */
  #toNextFinding(): string {
    const here = this.#cursor.position.at;
    const start = this.#view();
    for (const f of this.index.findings) {
      const t = f.seq === null ? undefined : this.index.indexOf(f.seq);
      if (t === undefined || t <= here) continue;
      this.#cursor.moveTo(t);
      this.#previous = start;
      return `stopped: a finding\n${this.#report(start)}\n  ${formatFindingLine(f, this.file)}`;
    }
    this.#cursor.moveTo(this.#cursor.length - 1);
    this.#previous = start;
    return `stopped: end of trace\n${this.#report(start)}`;
  }

  /**
   * `continue` with a watch: only the records that name the watched object (the index's
   * per-object lists) can change it, so the cursor visits those, in order, until its state differs.
   */
  #toWatchChange(w: { token: string; label: string }): string {
    const here = this.#cursor.position.at;
    const start = this.#view();
    let before = this.#watched(start);
    const candidates = this.index.touching(new Set([w.token]), this.#cursor.length - 1).filter((t) => t > here);
    let note = 'end of trace';
    for (const [i, t] of candidates.entries()) {
      this.#cursor.moveTo(t);
      if ((i + 1) % 64 === 0) this.options.onProgress?.(i + 1, candidates.length);
      const now = this.#watched(this.#view());
      if (now !== before) {
        note = `${w.label} changed`;
        break;
      }
      before = now;
    }
    if (candidates.length >= 64) this.options.onProgressEnd?.();
    if (note === 'end of trace') this.#cursor.moveTo(this.#cursor.length - 1);
    this.#previous = start;
    return `stopped: ${note}\n${this.#report(start)}`;
  }

  run(line: string): Response {
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    const [cmd, ...rest] = words;
    const count = (s: string | undefined): number | null => (s === undefined ? 1 : /^\d+$/.test(s) ? Number(s) : null);
    const text = (t: string): Response => ({ text: t, quit: false });
    const p = this.#cursor.position;
    switch (cmd) {
      case undefined:
        return text('');
      case 'step': {
        const n = count(rest[0]);
        if (n === null) return text(`step takes a number of records, got "${rest[0]}"; e.g. step 5`);
        this.#watchedBefore = this.#watch === null ? null : this.#watched(this.#view());
        return text(this.#run(n, this.#watchStop));
      }
      case 'back': {
        const n = count(rest[0]);
        if (n === null) return text(`back takes a number of records, got "${rest[0]}"; e.g. back 2`);
        return text(this.#moveTo(p.at - n));
      }
      case 'seek': {
        if (rest[0] === 'finding') {
          const all = allFindings(this.index);
          const n = Number(rest[1]);
          if (!/^\d+$/.test(rest[1] ?? '') || n < 1 || n > all.length) return text(`seek finding N: N is 1..${all.length} (see \`findings\`)`);
          const f = all[n - 1];
          const t = f.seq === null ? this.#cursor.length - 1 : (this.index.indexOf(f.seq) ?? this.#cursor.length - 1);
          return text(`${formatFindingLine(f, this.file)}\n${this.#moveTo(f.atEnd ? this.#cursor.length - 1 : t)}`);
        }
        if (!/^\d+$/.test(rest[0] ?? '')) return text('seek takes a seq (0 = the start) or `finding N`; e.g. seek 12');
        const t = timelineIndexOf(this.index, Number(rest[0]), 'seek', this.file);
        if (!t.ok) return text(t.error.message);
        return text(this.#moveTo(t.value));
      }
      case 'watch': {
        const kind = WATCH_KINDS[rest[0] ?? ''];
        if (kind === undefined || rest[1] === undefined) return text('watch KIND NAME: KIND is pasid, dev, domain, mm, allocator, handle or ioasid; e.g. watch pasid 5');
        this.#watch = { token: selectorToken(kind, rest[1]), label: `${rest[0]} ${rest[1]}` };
        const now = this.#watched(this.#view());
        return text(`watching ${rest[0]} ${rest[1]}${now ? `\n${now}` : ' (no such object here yet)'}`);
      }
      case 'unwatch':
        this.#watch = null;
        return text('not watching');
      case 'continue':
        return text(this.#watch === null ? this.#toNextFinding() : this.#toWatchChange(this.#watch));
      case 'state':
        if (rest.length > 0 && !(rest.length === 1 && rest[0] === '--dead')) return text('state [--dead]: --dead lists the dead objects too; e.g. state --dead');
        return text(formatState(stateView(this.#cursor.position.replay.world, rest[0] === '--dead')));
      case 'diff': {
        const changes = diffViews(this.#previous, this.#view());
        return text(changes.length === 0 ? 'no change since the previous position' : changes.map((c) => c.text).join('\n'));
      }
      case 'findings': {
        const all = allFindings(this.index);
        const here = p.replay.findings.length;
        const lines = all.map((f, i) => `${i < here ? ' ' : '>'} ${i + 1}. ${formatFindingLine(f, this.file)}`);
        return text(lines.length === 0 ? 'no findings in this trace' : `${here} so far; > marks those ahead\n${lines.join('\n')}`);
      }
      case 'where':
        return text(`${formatWhere(p, this.#cursor.length)}${p.at >= 0 ? `\n  ${formatRecord(this.index.entry(p.at).record, p.line)}` : ''}${this.#watch ? `\nwatching ${this.#watch.label}` : ''}`);
      case 'help':
        return text(TRAVEL_HELP);
      case 'quit':
      case 'exit':
        return { text: '', quit: true };
      default:
        return text(`unknown command "${cmd}"; type help`);
    }
  }
}
