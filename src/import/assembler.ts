/**
 * Turns the events of one capture into trace items: pairs entries with returns, names pointers,
 * decodes arguments and returns by C type, validates each record and releases records in seq order.
 * No IO: the caller feeds events and forwards the items it gets back.
 */
import { RECORD_SPECS, TRACE_FORMAT, TRACE_FORMAT_VERSION, type CallName, type CallRecord, type TraceHeader } from '../../events/records.js';
import type { FieldKind, FieldList } from '../../events/fields.js';
import { validateHeader, validateRecord } from '../../events/validate.js';
import type { CaptureEvent, ProbeHit, RawValue } from './captureEvent.js';
import { CAPTURE_MAPPINGS, callForSymbol, namesMmByTask } from './catalog.js';
import { decodeArg, decodeReturn, type ArgValue } from './decodeValue.js';
import { PointerNames, type NameHint } from './naming.js';
import { CallPairing } from './pairing.js';
import { EVERY_TIME, importProblem, PROBLEM_SEVERITY, type ProblemCode } from './problems.js';
import { baseSymbol, rawInteger } from './rawValue.js';
import { SeqReorder } from './reorder.js';
import { SummaryBuilder } from './summary.js';
import { MAX_CAPTURE_LINE_BYTES } from './lines.js';
import type { ImportItem, ImportOptions, KernelReport } from './importTypes.js';

const DEFAULT_MAX_HELD = 100_000;
/** Field names under which a return value may arrive (kit `ret=`, bare kretprobe `$retval`, fprobe exit `arg1`). */
const RETURN_FIELDS = ['ret', 'retval', '$retval'] as const;
/**
 * The first line of a kernel report (lib/bug.c, arch/x86/mm/fault.c, lib/list_debug.c, kernel/panic.c):
 * a WARN, a BUG or oops, a list corruption, a panic. Lines of one report follow until its `RIP:`.
 */
const REPORT_START = /^(?:WARNING: |BUG: |kernel BUG at |Oops: |general protection fault|list_(?:add|del) corruption|Kernel panic - not syncing|UBSAN: )/;
/** `RIP: 0010:cache_tag_unassign_domain+0x3c/0x1e0` (x86), `pc : fn+0x…` (arm64): where it happened. */
const REPORT_AT = /^(?:RIP: [0-9a-f]{4}:|pc : )(\S+)/;
/** The task of a report: `CPU: 1 UID: 0 PID: 539 Comm: insmod` (v6.11+ adds UID), `WARNING: CPU: 1 PID: 539 at …`. */
const REPORT_TASK = /\bCPU: \d+ (?:UID: \d+ )?PID: (\d+)(?: Comm: | at )/;
/** The kit's BTF fetch of dev->iommu beside max_pasids: 0 means dev->iommu is NULL (nothing was read). */
const DEV_IOMMU_FIELD = 'dev_iommu';

type Items = ImportItem[];

export class CaptureAssembler {
  readonly #names = new PointerNames();
  readonly #pairing = new CallPairing();
  readonly #reorder = new SeqReorder();
  readonly #summary: SummaryBuilder;
  readonly #lastTsByCpu = new Map<number, number>();
  readonly #maxHeld: number;
  /** Symbols whose return probe the kit could not define (its start marker says so). */
  readonly #noReturn = new Set<string>();
  /** Symbols of which at least one return line was seen. */
  readonly #returnsSeen = new Set<string>();
  /** What the trace already says of each device (probe records, real or written from a BTF max_pasids). */
  readonly #devices = new Map<string, { readonly maxPasids: number | null; readonly group?: string }>();
  #kernel: string | undefined;
  #host: TraceHeader['host'];
  #headerSent = false;
  #recognised = false;
  #stopped = false;
  /** Records kept other than device state the kit wrote (iommu_probe_device from markers or BTF): zero means nothing to audit. */
  #lifecycle = 0;
  /** Tasks whose latest kernel report has not shown its `RIP:` line yet. */
  readonly #reportOpen = new Set<number>();
  /** Report lines traced through printk:console, so the same lines in the appended dmesg are not read twice. */
  readonly #tracedReportLines = new Map<string, number>();
  /** A report read from the appended dmesg, until its `RIP:` line. */
  #kmsgReport: { line: number; ts: number; text: string; tid?: number; rip?: string; continues: boolean } | undefined;

  constructor(private readonly options: ImportOptions) {
    this.#summary = new SummaryBuilder(options.file, options.from);
    this.#maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD;
    this.#kernel = options.kernel;
    if (options.kernel !== undefined) this.#summary.kernel(options.kernel);
  }

  /** True once a fatal problem ended the import: feed nothing more, call finish(). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Items to emit before the first line: ftrace text cannot name its kernel, so --kernel is required up front. */
  start(): Items {
    return [];
  }

  accept(ev: CaptureEvent): Items {
    if (this.#stopped) return [];
    this.#summary.line(ev.line);
    switch (ev.kind) {
      case 'ignored':
        this.#recognised = true;
        return [];
      case 'foreign':
        this.#summary.foreign(ev.foreign ?? 'text');
        // Why: a tracepoint or function-tracer line is ftrace text, just none of ours: not NOT_A_CAPTURE.
        if (ev.foreign !== undefined && ev.foreign !== 'text') this.#recognised = true;
        return this.#problem('FOREIGN_LINE', `not a line of our probes (${ev.what}); skipped`, ev.line);
      case 'truncated':
        return this.#problem('TRUNCATED_LINE', 'the last line has no newline: the capture was cut while being written; skipped', ev.line, {
          fix: 'stop the tracer before copying the capture',
        });
      case 'tooLong':
        return this.#problem('LINE_TOO_LONG', `the line is ${ev.bytes} bytes, over the limit of ${MAX_CAPTURE_LINE_BYTES}; skipped`, ev.line, {
          fix: 'this is no line of the kit (its lines are under 1 KiB): check that the file is the capture',
        });
      case 'malformed':
        this.#recognised = true;
        return this.#problem('FIELD_INVALID', `${ev.what}; skipped`, ev.line);
      case 'meta':
        this.#recognised = true;
        for (const fn of ev.noReturn ?? []) this.#noReturn.add(fn);
        return this.#meta(ev.line, ev.kernel, ev.host);
      case 'kernelLog':
        this.#recognised = true;
        return this.#kernelLog(ev);
      case 'kmsg':
        return this.#kmsg(ev);
      case 'lost': {
        this.#recognised = true;
        this.#summary.lost(ev.count, this.#pairing.lastSeq);
        const what = `the tracer lost ${ev.count ?? 'some'} events${ev.cpu !== undefined ? ` on CPU ${ev.cpu}` : ''} after seq ${this.#pairing.lastSeq}`;
        return this.#problem('LOST_EVENTS', what, ev.line, { fix: 'enlarge the buffer (buffer_size_kb, bpftrace BPFTRACE_PERF_RB_PAGES) and capture again' });
      }
      case 'entry':
      case 'exit':
      case 'call':
        this.#recognised = true;
        return this.#probe(ev.kind, ev);
    }
  }

  /**
   * Closes the import: open calls of a function that never returned anywhere in the capture and
   * was entered more than once (its return probe was not defined) become calls without a return value; other open calls become
   * ENTRY_WITHOUT_RETURN; then the summary.
   */
  finish(): Items {
    const out: Items = [];
    if (!this.#stopped) {
      out.push(...this.#closeKmsgReport());
      const unreturned = new Map<string, { count: number; line: number }>();
      // Why: one open call may be a task still inside it when the capture stopped; two or more of a
      // function that never returned anywhere mean its returns were never recorded.
      const open = new Map<string, number>();
      for (const call of this.#pairing.open()) open.set(call.entry.symbol, (open.get(call.entry.symbol) ?? 0) + 1);
      const noReturnProbe = (symbol: string): boolean => !this.#returnsSeen.has(symbol) && (open.get(symbol) ?? 0) >= 2;
      for (let call = this.#pairing.oldest(); call !== undefined; call = this.#pairing.oldest()) {
        this.#pairing.abandon(call);
        if (noReturnProbe(call.entry.symbol)) {
          const u = unreturned.get(call.entry.symbol);
          if (u === undefined) unreturned.set(call.entry.symbol, { count: 1, line: call.entry.line });
          else u.count++;
          this.#complete(call.seq, call.parent, call.fn, call.entry, call.entry, call.args, call.failures, out, false, false);
          continue;
        }
        // Why: the kernel made the call even if it never returned (the task oopsed in it, #20): dropping
        // it hides the call that crashed the kernel. The model decides what a missing return would be.
        this.#complete(call.seq, call.parent, call.fn, call.entry, call.entry, call.args, call.failures, out, false, false, this.#cutBy(call.entry.tid, call.seq));
        out.push(...this.#problem('ENTRY_WITHOUT_RETURN', `${call.entry.symbol} on task ${call.entry.tid} (seq ${call.seq}) never returned ${this.#whyNoReturn(call.entry.tid, call.seq)}: kept as a call with an unknown return`, call.entry.line, { fn: call.entry.symbol }));
      }
      for (const [symbol, u] of unreturned) {
        out.push(...this.#problem('RETURN_PROBE_MISSING', `no return of ${symbol} in the whole capture (its return probe was not defined?): kept ${u.count} entr${u.count === 1 ? 'y' : 'ies'} as calls without a return value; calls that followed on the same task may be shown nested in them`, u.line, {
          fn: symbol,
          fix: 'check the warnings of `ftrace-probes.sh start` and capture again with the current kit',
        }));
      }
      out.push(...this.#release());
      if (!this.#recognised) {
        out.push(...this.#problem('NOT_A_CAPTURE', `no line is a ${this.options.from} capture line`, 0, { fix: 'check --from, and that the probes were enabled' }));
      } else if (this.#lifecycle === 0) {
        // Why: a trace with no lifecycle record audits as "0 findings", a false all-clear.
        out.push(...this.#problem('NO_LIFECYCLE_RECORD', `kept no record of the PASID lifecycle: ${this.#summary.seenText()}`, 0, {
          fix: this.options.from === 'ftrace'
            ? 'capture with capture/ftrace-probes.sh (kprobe events named after the functions; function_graph, function and tracepoint traces carry no arguments or returns)'
            : 'capture with the script of capture/gen-bpftrace.sh, run as `bpftrace -f json`',
        }));
      } else if (!this.#headerSent) out.push(...this.#header());
    }
    out.push({ kind: 'summary', summary: this.#summary.build() });
    return out;
  }

  #meta(line: number, kernel: string | undefined, host: TraceHeader['host']): Items {
    if (host !== undefined) this.#host = host;
    if (kernel === undefined) return [];
    if (this.#kernel === undefined) {
      this.#kernel = kernel;
      this.#summary.kernel(kernel);
      return [];
    }
    if (this.#kernel !== kernel) {
      return this.#problem('KERNEL_MISMATCH', `the capture says kernel ${kernel} but --kernel says ${this.#kernel}; using ${this.#kernel}`, line);
    }
    return [];
  }

  #header(): Items {
    if (this.#kernel === undefined) {
      return this.#problem('KERNEL_UNKNOWN', 'the capture does not start with the kit\'s kernel line', 0, { fix: 'pass --kernel with `uname -r` of the machine under test' });
    }
    const header: TraceHeader = {
      type: 'header',
      format: TRACE_FORMAT,
      version: TRACE_FORMAT_VERSION,
      kernel: this.#kernel,
      source: this.options.from,
      ...(this.#host !== undefined ? { host: this.#host } : {}),
    };
    const invalid = validateHeader(header);
    if (invalid !== null) {
      return this.#problem('KERNEL_UNKNOWN', `"${this.#kernel}" is not a kernel version (header ${invalid.path || 'field'} ${invalid.message})`, 0, {
        fix: 'pass --kernel like 6.2.0 or 6.8.0-45-generic',
      });
    }
    this.#headerSent = true;
    return [{ kind: 'header', header }];
  }

  #probe(kind: 'entry' | 'exit' | 'call', hit: ProbeHit): Items {
    const out: Items = [];
    const last = this.#lastTsByCpu.get(hit.cpu);
    if (last !== undefined && hit.ts < last) {
      out.push(...this.#problem('CLOCK_BACKWARDS', `time goes back on CPU ${hit.cpu}: ${hit.ts} ns after ${last} ns`, hit.line, {
        fix: 'capture with a global clock (echo mono > trace_clock); the record is kept',
      }));
    }
    this.#lastTsByCpu.set(hit.cpu, hit.ts);
    const fn = callForSymbol(hit.symbol);
    if (fn === undefined) {
      out.push(...this.#problem('UNKNOWN_FUNCTION', `${hit.symbol} is not a function pasid-ledger models; skipped`, hit.line, { fn: hit.symbol }));
      return out;
    }
    if (!this.#headerSent) {
      out.push(...this.#header());
      if (this.#stopped) return out;
    }
    if (kind !== 'exit') this.#deviceState(fn, hit, out);
    if (kind === 'entry' && !this.#noReturn.has(hit.symbol)) {
      const call = this.#pairing.enter(fn, hit);
      this.#decodeArgs(fn, hit, call.args, call.failures, false);
      return out;
    }
    if (kind === 'exit') {
      this.#returnsSeen.add(hit.symbol);
      const call = this.#pairing.leave(hit.tid, hit.symbol);
      if (call === undefined) {
        out.push(...this.#problem('RETURN_WITHOUT_ENTRY', `return of ${hit.symbol} on task ${hit.tid} has no entry; skipped`, hit.line, { fn: hit.symbol }));
        return out;
      }
      this.#complete(call.seq, call.parent, fn, call.entry, hit, call.args, call.failures, out);
    } else {
      // A call record (fexit), or the entry of a function with no return probe (no return value).
      const { seq, parent } = this.#pairing.single(hit.tid);
      this.#complete(seq, parent, fn, hit, hit, new Map(), new Map(), out, kind === 'call');
    }
    out.push(...this.#release());
    return out;
  }

  #decodeArgs(fn: CallName, hit: ProbeHit, args: Map<string, ArgValue>, failures: Map<string, string>, final: boolean): void {
    const spec: FieldList = RECORD_SPECS[fn].args;
    const mapping = CAPTURE_MAPPINGS[fn];
    for (const [arg, kindSpec] of Object.entries(spec)) {
      if (args.has(arg) || failures.has(arg)) continue;
      const optional = kindSpec.endsWith('?');
      const kind = (optional ? kindSpec.slice(0, -1) : kindSpec) as FieldKind;
      const raw = hit.fields.get(arg) ?? bitOf(hit, mapping.bits?.[arg]);
      if (raw === undefined) {
        if (final && !optional) failures.set(arg, `argument "${arg}" is missing`);
        continue;
      }
      const decoded = decodeArg(kind, raw, mapping.names?.[arg], this.#names, hintFor(fn, hit));
      if (decoded.ok) args.set(arg, decoded.value);
      else failures.set(arg, `argument "${arg}" ${decoded.error}`);
    }
  }

  #complete(
    seq: number,
    parent: number | undefined,
    fn: CallName,
    entry: ProbeHit,
    exit: ProbeHit,
    args: Map<string, ArgValue>,
    failures: Map<string, string>,
    out: Items,
    returned = true,
    bound = true,
    cutBy?: string,
  ): void {
    if (fn === 'iommu_probe_device') this.#probeMaxPasids(entry, exit, args, failures, out);
    this.#decodeArgs(fn, exit, args, failures, true);
    const mapping = CAPTURE_MAPPINGS[fn];
    // Why: without a return probe the value is unknown; a record without `ret` lets the model compute it.
    // A void call the task died in has no return either (its record says so by having none, and cutBy).
    const retKnown = returned || (RECORD_SPECS[fn].ret === 'retVoid' && cutBy === undefined);
    const ret = retKnown ? decodeReturn(RECORD_SPECS[fn].ret, returnOf(exit, entry !== exit), mapping.retCategory, this.#names) : undefined;
    if (ret !== undefined && !ret.ok) failures.set('return', `return ${ret.error}`);
    if (mapping.retires !== undefined) {
      const p = rawInteger(entry.fields.get(mapping.retires) ?? exit.fields.get(mapping.retires) ?? { t: 'null' }, 16);
      if (p !== undefined) this.#names.retire(BigInt.asUintN(64, p));
    }
    if (failures.size > 0) {
      this.#reorder.settle(seq, null);
      out.push(...this.#problem('FIELD_INVALID', `${exit.symbol}: ${[...failures.values()].join('; ')}; call skipped`, exit.line, { fn: exit.symbol }));
      return;
    }
    const ordered: Record<string, ArgValue> = {};
    for (const arg of Object.keys(RECORD_SPECS[fn].args)) if (args.has(arg)) ordered[arg] = args.get(arg) as ArgValue;
    const comm = entry.comm ?? exit.comm;
    const caller = exit.caller ?? entry.caller;
    const record = {
      seq,
      ts: entry.ts,
      cpu: entry.cpu,
      tid: entry.tid,
      ...(parent !== undefined ? { parent } : {}),
      ...(comm !== undefined ? { comm } : {}),
      ...(caller !== undefined ? { caller } : {}),
      ...(cutBy !== undefined ? { cutBy } : {}),
      fn,
      args: ordered,
      ...(ret !== undefined ? { ret: ret.ok ? ret.value : null } : {}),
    };
    const invalid = validateRecord(record);
    if (invalid !== null) {
      this.#reorder.settle(seq, null);
      const where = invalid.path === '' ? 'the record' : invalid.path;
      out.push(...this.#problem('RECORD_INVALID', `${fn}: ${where} ${invalid.message}; call skipped`, exit.line, { fn: exit.symbol }));
      return;
    }
    // Why: a probe the kernel made is a call to audit; a device marker is only the state the kit read from sysfs.
    if (fn !== 'iommu_probe_device' || entry.marker !== true) this.#lifecycle++;
    if (fn === 'iommu_probe_device' && record.ret === 0) {
      const a = ordered as { dev: string; max_pasids: number | null; group?: string };
      this.#devices.set(a.dev, { maxPasids: a.max_pasids, ...(a.group !== undefined ? { group: a.group } : {}) });
    }
    this.#reorder.settle(seq, { record: record as CallRecord, line: exit.line, offset: exit.offset });
    if (bound) this.#bound(out);
  }

  /**
   * A probe record without a max_pasids the capture could read keeps the device with an unknown
   * maximum (null): at boot dev->iommu does not exist yet when __iommu_probe_device is entered
   * (iommu_init_device allocates it), and a NULL dev->iommu reads as nothing (#20).
   */
  #probeMaxPasids(entry: ProbeHit, exit: ProbeHit, args: Map<string, ArgValue>, failures: Map<string, string>, out: Items): void {
    if (args.has('max_pasids') || failures.has('max_pasids')) return;
    const raw = exit.fields.get('max_pasids') ?? entry.fields.get('max_pasids');
    const iommu = exit.fields.get(DEV_IOMMU_FIELD) ?? entry.fields.get(DEV_IOMMU_FIELD);
    const nullIommu = iommu !== undefined && rawInteger(iommu, 16) === 0n;
    if (raw !== undefined && !nullIommu) return;
    args.set('max_pasids', null);
    const dev = entry.fields.get('dev');
    const name = dev !== undefined && (dev.t === 'str' || dev.t === 'word') ? dev.v : 'the device';
    const why = nullIommu ? 'dev->iommu is NULL' : 'the probe has no max_pasids (at boot dev->iommu is set up inside __iommu_probe_device)';
    out.push(...this.#problem('MAX_PASIDS_UNKNOWN', `${entry.symbol} of ${name}: ${why}; kept with an unknown max_pasids (null): range refusals on it are not judged`, exit.line, { fn: entry.symbol }));
  }

  /**
   * The kernel report that cut call `seq` short: the task's latest report happened inside it and the
   * call never returned (a BUG or oops ends the task; a WARN inside a call that then returned is not this).
   */
  #cutBy(tid: number, seq: number): string | undefined {
    const r = this.#summary.lastReport(tid);
    return r !== undefined && r.inside.some((c) => c.seq === seq) ? r.text.slice(0, 4096) : undefined;
  }

  /** Why a call never returned, in words, for its ENTRY_WITHOUT_RETURN. */
  #whyNoReturn(tid: number, seq: number): string {
    const r = this.#reportText(tid, seq);
    return r !== '' ? `(the kernel${r.slice(' and the kernel'.length)})` : 'before the capture ended';
  }

  /** ` and the kernel reported "…" (at RIP) inside it at line N`, when the task's latest report happened inside call `seq`. */
  #reportText(tid: number, seq: number): string {
    const r = this.#summary.lastReport(tid);
    if (r === undefined || !r.inside.some((c) => c.seq === seq)) return '';
    return ` and the kernel reported "${r.text}"${r.rip !== undefined ? ` at ${r.rip}` : ''} inside it (line ${r.line})`;
  }

  /**
   * A kernel log line (printk:console): the first line of a WARN/BUG/oops report becomes a
   * KERNEL_REPORT naming the probed calls the logging task was inside; its `RIP:` line names where.
   */
  #kernelLog(ev: Extract<import('./captureEvent.js').CaptureEvent, { kind: 'kernelLog' }>): Items {
    if (REPORT_START.test(ev.text) || REPORT_AT.test(ev.text) || REPORT_TASK.test(ev.text)) this.#tracedReportLines.set(ev.text, (this.#tracedReportLines.get(ev.text) ?? 0) + 1);
    const at = REPORT_AT.exec(ev.text);
    if (at !== null && this.#reportOpen.has(ev.tid)) {
      this.#reportOpen.delete(ev.tid);
      this.#summary.rip(ev.tid, at[1]);
      return [];
    }
    if (!REPORT_START.test(ev.text)) return [];
    // Why: "BUG: kernel NULL pointer dereference" is followed by "Oops: …", "list_del corruption" by
    // "kernel BUG at …": one report until its RIP line.
    if (this.#reportOpen.has(ev.tid)) return [];
    this.#reportOpen.add(ev.tid);
    const inside = this.#pairing.stack(ev.tid).map((c) => ({ seq: c.seq, fn: c.fn }));
    const report: KernelReport = { line: ev.line, ts: ev.ts, tid: ev.tid, text: ev.text, inside };
    this.#summary.report(report);
    return this.#reportProblem(report, ev.comm);
  }

  #reportProblem(report: KernelReport, comm?: string): Items {
    const { inside } = report;
    const where = inside.length > 0 ? `inside ${inside.map((c) => `${c.fn} (seq ${c.seq})`).join(' → ')}` : 'outside any probed call';
    return this.#problem('KERNEL_REPORT', `the kernel reported "${report.text}"${report.rip !== undefined ? ` at ${report.rip}` : ''} on task ${report.tid}${comm !== undefined ? ` (${comm})` : ''}, ${where}`, report.line, inside.length > 0 ? { fn: inside[inside.length - 1].fn } : {});
  }

  /**
   * A kernel log line the kit appended after the trace because an oops switched tracing off
   * (oops_enter → tracing_off) before the report was printed: the report's `PID:` line names the
   * task, whose open calls are the ones it died in. Lines the trace already holds are skipped.
   */
  #kmsg(ev: Extract<import('./captureEvent.js').CaptureEvent, { kind: 'kmsg' }>): Items {
    const traced = this.#tracedReportLines.get(ev.text);
    if (traced !== undefined) {
      if (traced <= 1) this.#tracedReportLines.delete(ev.text);
      else this.#tracedReportLines.set(ev.text, traced - 1);
      // Why: a report whose first lines were traced goes on here (its RIP came after tracing_off).
      if (REPORT_START.test(ev.text) && this.#kmsgReport === undefined && this.#reportOpen.size > 0) {
        this.#kmsgReport = { line: ev.line, ts: ev.ts ?? 0, text: ev.text, continues: true };
      }
      return [];
    }
    const task = REPORT_TASK.exec(ev.text);
    const at = REPORT_AT.exec(ev.text);
    const r = this.#kmsgReport;
    if (r !== undefined) {
      if (task !== null && r.tid === undefined) r.tid = Number(task[1]);
      if (at !== null && r.rip === undefined) {
        r.rip = at[1];
        return this.#closeKmsgReport();
      }
      return [];
    }
    if (!REPORT_START.test(ev.text)) {
      // The task line of a report whose start was traced (tracing went off right after it).
      if (task !== null && this.#reportOpen.has(Number(task[1]))) this.#kmsgReport = { line: ev.line, ts: ev.ts ?? 0, text: ev.text, tid: Number(task[1]), continues: true };
      return [];
    }
    this.#kmsgReport = { line: ev.line, ts: ev.ts ?? 0, text: ev.text, ...(task !== null ? { tid: Number(task[1]) } : {}), continues: false };
    return [];
  }

  /** Ends the report read from the appended dmesg: a new KERNEL_REPORT, or the RIP of the traced one it continues. */
  #closeKmsgReport(): Items {
    const r = this.#kmsgReport;
    if (r === undefined) return [];
    this.#kmsgReport = undefined;
    const open = r.tid !== undefined && this.#reportOpen.has(r.tid) ? r.tid : r.continues && this.#reportOpen.size === 1 ? [...this.#reportOpen][0] : undefined;
    if (open !== undefined) {
      this.#reportOpen.delete(open);
      if (r.rip !== undefined) this.#summary.rip(open, r.rip);
      return [];
    }
    if (r.continues) return [];
    const tid = r.tid ?? 0;
    const inside = r.tid === undefined ? [] : this.#pairing.stack(r.tid).map((c) => ({ seq: c.seq, fn: c.fn }));
    const report: KernelReport = { line: r.line, ts: r.ts, tid, text: r.text, ...(r.rip !== undefined ? { rip: r.rip } : {}), inside };
    this.#summary.report(report);
    return this.#reportProblem(report);
  }

  /**
   * A call that shows its device's max_pasids (a BTF probe argument, dev->iommu->max_pasids) where the
   * trace does not say it yet, or says another value: writes an iommu_probe_device record before the
   * call, so the model checks ranges against what the kernel read. Only outside other probed calls (a
   * record nested in bind would be a call the bind does not make); the outer call carries it anyway.
   */
  #deviceState(fn: CallName, hit: ProbeHit, out: Items): void {
    if (fn === 'iommu_probe_device') return;
    const rawMax = hit.fields.get('max_pasids');
    const rawDev = hit.fields.get('dev');
    if (rawMax === undefined || rawDev === undefined || this.#pairing.innermost(hit.tid) !== undefined) return;
    const rawIommu = hit.fields.get(DEV_IOMMU_FIELD);
    if (rawIommu !== undefined && rawInteger(rawIommu, 16) === 0n) {
      // Why: the fetch through a NULL dev->iommu reads nothing, and the value printed (0) is not the
      // device's: no IOMMU probe of it succeeded, so its maximum stays unknown to the model (#20).
      const name = rawDev.t === 'str' || rawDev.t === 'word' ? rawDev.v : 'the device';
      out.push(...this.#problem('MAX_PASIDS_UNKNOWN', `${hit.symbol} of ${name}: dev->iommu is NULL, so the max_pasids printed is not the device's; no probe record written`, hit.line, { fn: hit.symbol }));
      return;
    }
    const dev = decodeArg('dev', rawDev, undefined, this.#names, {});
    const max = decodeArg('maxPasids', rawMax, undefined, this.#names, {});
    if (!dev.ok || !max.ok || typeof dev.value !== 'string' || typeof max.value !== 'number') return;
    const known = this.#devices.get(dev.value);
    if (known !== undefined && known.maxPasids === max.value) return;
    const { seq } = this.#pairing.single(hit.tid);
    const args = { dev: dev.value, max_pasids: max.value, ...(known?.group !== undefined ? { group: known.group } : {}) };
    const record = { seq, ts: hit.ts, cpu: hit.cpu, tid: hit.tid, ...(hit.comm !== undefined ? { comm: hit.comm } : {}), fn: 'iommu_probe_device' as const, args, ret: 0 };
    if (validateRecord(record) !== null) {
      this.#reorder.settle(seq, null);
      return;
    }
    this.#devices.set(dev.value, { maxPasids: max.value, ...(known?.group !== undefined ? { group: known.group } : {}) });
    this.#reorder.settle(seq, { record: record as CallRecord, line: hit.line, offset: hit.offset });
    out.push(...this.#problem('PROBE_RECORD_ADDED', `${hit.symbol} shows max_pasids ${max.value} for ${dev.value}: wrote an iommu_probe_device record (seq ${seq}) before it`, hit.line, { fn: hit.symbol }));
  }

  /** Gives up on the oldest open call when too many records wait behind it (a task that died mid-call). */
  #bound(out: Items): void {
    while (this.#reorder.held > this.#maxHeld) {
      const call = this.#pairing.oldest();
      if (call === undefined) return;
      this.#pairing.abandon(call);
      this.#complete(call.seq, call.parent, call.fn, call.entry, call.entry, call.args, call.failures, out, false, false, this.#cutBy(call.entry.tid, call.seq));
      out.push(...this.#problem('ENTRY_WITHOUT_RETURN', `${call.entry.symbol} on task ${call.entry.tid} (seq ${call.seq}) did not return within ${this.#maxHeld} records${this.#reportText(call.entry.tid, call.seq)}: kept as a call with an unknown return; a return that comes later has no entry`, call.entry.line, { fn: call.entry.symbol }));
      out.push(...this.#release());
    }
  }

  *#releaseGen(): Generator<ImportItem> {
    for (const s of this.#reorder.release()) {
      this.#summary.kept();
      yield { kind: 'record', record: s.record, line: s.line, offset: s.offset };
    }
  }

  #release(): Items {
    return [...this.#releaseGen()];
  }

  /** Counts a problem and returns its item, unless it is a repeated notice (counted only). */
  #problem(code: ProblemCode, what: string, line: number, extra: { fn?: string; fix?: string } = {}): Items {
    const problem = importProblem(code, what, { file: this.options.file, line, ...extra });
    const first = this.#summary.count(problem);
    if (PROBLEM_SEVERITY[code] === 'fatal') this.#stopped = true;
    if (PROBLEM_SEVERITY[code] === 'notice' && !first && !EVERY_TIME.has(code)) return [];
    return [{ kind: 'problem', problem }];
  }
}

function hintFor(fn: CallName, hit: ProbeHit): NameHint {
  const alloc = hit.fields.get('alloc');
  // Why: before v6.2 the ftrace kit can only print ops->alloc as an address; only a symbol names ops.
  const allocSymbol = alloc !== undefined && (alloc.t === 'str' || (alloc.t === 'word' && !alloc.v.startsWith('0x'))) ? baseSymbol(alloc.v) : undefined;
  return {
    ...(namesMmByTask(fn) && hit.pid !== undefined ? { tgid: hit.pid } : {}),
    ...(allocSymbol !== undefined ? { allocSymbol } : {}),
  };
}

/** A VT-d capability bit, from the raw register the capture printed. */
function bitOf(hit: ProbeHit, source: { field: string; bit: number } | undefined): RawValue | undefined {
  if (source === undefined) return undefined;
  const raw = hit.fields.get(source.field);
  const n = raw === undefined ? undefined : rawInteger(raw, 16);
  return n === undefined ? undefined : { t: 'num', v: (BigInt.asUintN(64, n) >> BigInt(source.bit)) & 1n };
}

/** The return value of a call: `ret`/`$retval`, or fprobe's `arg1` on a separate exit line. */
function returnOf(exit: ProbeHit, separateExit: boolean): RawValue | undefined {
  for (const f of RETURN_FIELDS) {
    const v = exit.fields.get(f);
    if (v !== undefined) return v;
  }
  return separateExit ? exit.fields.get('arg1') : undefined;
}
