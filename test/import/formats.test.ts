/**
 * The same events as each tool prints them: tracefs `trace`, `trace_pipe`, `trace-cmd report`
 * (default, -l, -t, --ts-diff) and `perf script` after `perf probe`, each importing to the records of
 * the tracefs text. Layouts follow the tools' sources (see src/import/ftraceLine.ts); libtraceevent
 * readers print the kprobe location as raw addresses `(FUNC <- RET_IP)`, so the event name decides.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importText } from '../support/importText.js';
import type { CallRecord } from '../../events/records.js';

const DIR = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));
const read = (name: string) => readFileSync(DIR + name, 'utf8');
const KERNEL = '6.8.0-45-generic';

/** What a reader of libtraceevent output cannot reproduce exactly: caller spelling, µs rounding, -l's 8-char comm, mm names. */
function comparable(records: readonly CallRecord[], commWidth = 16): unknown[] {
  // Without a TGID column (trace-cmd, perf) an mm is named by first appearance (mm1), not mm@<tgid>.
  const mms = new Map<string, string>();
  const mm = (v: unknown) => (typeof v === 'string' && /^mm(@\d+|\d+)$/.test(v) ? (mms.get(v) ?? mms.set(v, `mm#${mms.size + 1}`).get(v)) : v);
  return records.map(({ caller: _caller, ts: _ts, comm, args, ...r }) => ({
    ...r,
    args: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, mm(v)])),
    ...(comm !== undefined ? { comm: comm.slice(0, commWidth) } : {}),
  }));
}

describe('one capture in every layout', () => {
  const tracefs = importText(read('idxd-v6.8.ftrace.txt'), { from: 'ftrace' });

  it('tracefs trace text gives the expected trace, callers included', async () => {
    const { header, records, summary } = await tracefs;
    const expected = read('idxd-v6.8.ftrace.expected.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect([header, ...records]).toEqual(expected);
    expect(summary.clean).toBe(true);
  });
  it('trace_pipe (no header lines) gives exactly the same records', async () => {
    const pipe = await importText(read('idxd-v6.8.trace_pipe.txt'), { from: 'ftrace' });
    expect(pipe.records).toEqual((await tracefs).records);
  });
  for (const [file, width] of [['trace-cmd', 16], ['trace-cmd-l', 8], ['trace-cmd-t', 16], ['trace-cmd-ts-diff', 16], ['perf-script', 16]] as const) {
    it(`${file} gives the same records (callers as addresses)`, async () => {
      const other = await importText(read(`idxd-v6.8.${file}.txt`), { from: 'ftrace', kernel: KERNEL });
      expect(other.summary.clean).toBe(true);
      const base = (await tracefs).records;
      expect(comparable(other.records, width)).toEqual(comparable(base, width));
      // tracefs and trace-cmd round to the µs, perf truncates: the times agree within a µs.
      other.records.forEach((r, i) => expect(Math.abs(r.ts - (base[i]?.ts ?? 0))).toBeLessThanOrEqual(1000));
      expect(other.records[0]?.caller).toBe('0xffffffffc0a1b33c');
    });
  }
  it('reads the kit\'s markers from trace-cmd\'s print events (ftrace print fmt "%ps: %s")', async () => {
    const marker = '              sh-1847  [002] .....  7000.995000: print:                tracing_mark_write: pasid_ledger: capture kernel=6.8.0-45-generic kit=ftrace-probes';
    const lines = read('idxd-v6.8.trace-cmd.txt').split('\n');
    const withMarker = [...lines.slice(0, 5), marker, ...lines.slice(5)].join('\n');
    const { header, records } = await importText(withMarker, { from: 'ftrace' });
    expect(header?.kernel).toBe(KERNEL);
    expect(records).toHaveLength(18);
  });
  it('keeps trace-cmd -t nanoseconds', async () => {
    const t = await importText(read('idxd-v6.8.trace-cmd-t.txt'), { from: 'ftrace', kernel: KERNEL });
    expect(t.records[0]?.ts).toBe(7001000001137);
  });
});

describe('captures with nothing to audit exit 2 and say what they held', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a tracefs function_graph trace',
      [
        '# tracer: function_graph',
        '#',
        '# CPU  DURATION                  FUNCTION CALLS',
        '# |     |   |                     |   |   |   |',
        ' 1)               |  iommu_sva_bind_device() {',
        ' 1)   0.812 us    |    mutex_lock();',
        ' 1)               |    iommu_sva_domain_alloc() {',
        ' 1)   2.301 us    |      kzalloc();',
        ' 1)   4.100 us    |    }',
        ' 1) + 12.345 us   |  }',
        '',
      ].join('\n'),
      /6 function_graph lines, 0 records of the kit's events/,
    ],
    [
      'a trace-cmd report of function_graph',
      ['version = 6', 'cpus=2', '        sva-test-2050  [001]  7001.000010: funcgraph_entry:                   |  iommu_sva_bind_device() {', '        sva-test-2050  [001]  7001.000023: funcgraph_exit:        + 12.345 us   |  }', ''].join('\n'),
      /2 function_graph lines/,
    ],
    ['a function-tracer trace', ['# tracer: function', '        sva-test-2050    [001] .....  7001.000010: iommu_sva_bind_device <-idxd_cdev_open', ''].join('\n'), /1 function-tracer lines/],
    ['plain tracepoints', ['  kworker/u16:2-201     [003] .....   800.000105: writeback_start: bdi 8:0: sb_dev 0:0 nr_pages=9223372036854775807', ''].join('\n'), /1 tracepoint lines/],
    [
      'raw-address kprobes of functions pasid-ledger does not model',
      ['            bash  1022 [000]   800.000200: probe:do_sys_openat2: (ffffffff81234560) dfd=0xffffff9c', '            bash  1022 [000]   800.000210: probe:do_sys_openat2__return: (ffffffff81234560 <- ffffffff81200010) ret=0x3', ''].join('\n'),
      /2 probe hits of functions pasid-ledger does not model \(do_sys_openat2\)/,
    ],
  ];
  for (const [what, text, said] of cases) {
    it(`${what}`, async () => {
      const { problems, summary, records } = await importText(text, { from: 'ftrace', kernel: '6.8.0' });
      expect(summary.fatal).toBe(true);
      expect(records).toEqual([]);
      const fatal = problems.find((p) => p.severity === 'fatal');
      expect(fatal?.code).toBe('NO_LIFECYCLE_RECORD');
      expect(fatal?.message).toMatch(said);
      expect(fatal?.message).toContain('capture/ftrace-probes.sh');
    });
  }
  it('identifies the kit\'s events by name when perf prints only addresses', async () => {
    const text = '        sva-test  2050 [006]  7001.000010: pasid_ledger:iommu_free_global_pasid: (ffffffff8a6b3014) pasid=2\n        sva-test  2050 [006]  7001.000011: pasid_ledger:iommu_free_global_pasid__return: (ffffffff8a6b3010 <- ffffffff8a6b9b5c)\n';
    const { records } = await importText(text, { from: 'ftrace', kernel: '6.8.0' });
    expect(records.map((r) => [r.fn, r.args, r.caller])).toEqual([['iommu_free_global_pasid', { pasid: 2 }, '0xffffffff8a6b9b5c']]);
  });
});
