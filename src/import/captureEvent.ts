/**
 * What each capture format is reduced to before pairing: one event per probe hit, with raw field
 * values still undecoded (their C type is known only once the function is). Pure types.
 */

/** A field value as the tracer printed it. `word` is an unquoted token whose radix depends on the field. */
export type RawValue =
  | { readonly t: 'num'; readonly v: bigint }
  | { readonly t: 'word'; readonly v: string }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'null' };

/** Where and when a probe fired. `tid` is the task (ftrace's PID column), `pid` its thread group when known. */
export interface ProbeHit {
  readonly line: number;
  /** Byte offset of the line in the capture. */
  readonly offset: number;
  readonly ts: number;
  readonly cpu: number;
  readonly tid: number;
  readonly pid?: number;
  readonly comm?: string;
  /** The probed kernel symbol, clone suffixes (.isra.0, .constprop.0) removed. */
  readonly symbol: string;
  /** Where the call returned to, when the tracer printed it (kretprobe `<- …`, bpftrace kstack). */
  readonly caller?: string;
  readonly fields: ReadonlyMap<string, RawValue>;
  /** Written by the kit (a `device` marker from sysfs), not a probe hit of the call. */
  readonly marker?: true;
}

/** What a line that is none of ours was (counted, so an import that keeps nothing can say what it saw). */
export type ForeignKind = 'function_graph' | 'function' | 'tracepoint' | 'kprobe' | 'text' | 'json';

/**
 * entry = kprobe/fentry (arguments), exit = kretprobe/fexit (return value, maybe arguments again),
 * call = one record holding both (fexit, or fentry of a void function).
 */
export type CaptureEvent =
  | ({ readonly kind: 'entry' | 'exit' | 'call' } & ProbeHit)
  | { readonly kind: 'lost'; readonly line: number; readonly count?: number; readonly cpu?: number }
  | {
      readonly kind: 'meta';
      readonly line: number;
      readonly kernel?: string;
      readonly host?: Readonly<Record<string, string | number | boolean>>;
      /** Functions whose return probe the kit could not define: their entries are whole calls. */
      readonly noReturn?: readonly string[];
    }
  /** A kernel log line (printk:console), in the context of the task that logged it. */
  | { readonly kind: 'kernelLog'; readonly line: number; readonly ts: number; readonly cpu: number; readonly tid: number; readonly comm?: string; readonly text: string }
  /** A kernel log line appended after the trace (dmesg): no task; the report's `PID:` line names it. */
  | { readonly kind: 'kmsg'; readonly line: number; readonly ts?: number; readonly text: string }
  | { readonly kind: 'ignored'; readonly line: number }
  | { readonly kind: 'foreign'; readonly line: number; readonly what: string; readonly foreign?: ForeignKind }
  | { readonly kind: 'truncated'; readonly line: number }
  | { readonly kind: 'tooLong'; readonly line: number; readonly bytes: number }
  | { readonly kind: 'malformed'; readonly line: number; readonly what: string };
