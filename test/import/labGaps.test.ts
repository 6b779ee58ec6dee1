/**
 * What a real kernel showed the lab (issue #20) and the importer now reads: probes at boot without a
 * max_pasids, a NULL dev->iommu read through BTF, calls a task never returned from because the kernel
 * oopsed in them, and the kernel's own WARN/BUG/oops lines traced with the probes (printk:console).
 * Each behaviour has its trigger and its near miss.
 */
import { describe, it, expect } from 'vitest';
import { importText } from '../support/importText.js';
import { importCaptureToTrace } from '../../src/import/importCapture.js';
import { formatSummary } from '../../src/import/formatSummary.js';
import { runReplay } from '../../src/audit/runReplay.js';
import { readTrace } from '../../src/log/reader.js';
import type { TraceHeader } from '../../events/records.js';
import { coverageOf, formatCoverage } from '../../src/audit/coverage.js';
import { parseFtraceLine } from '../../src/import/ftraceLine.js';
import { validateHeader } from '../../events/validate.js';

const MARK = '          insmod-539     (    539) [001] .....    10.000000: tracing_mark_write: pasid_ledger: capture kernel=6.12.95+deb12-amd64 kit=ftrace-probes';
const INSMOD = '          insmod-539     (    539) [001] .....';
const at = (ts: string, event: string, rest: string, task = INSMOD) => `${task} ${ts}: ${event}: ${rest}`;
const BOOT = '       swapper/0-1       [001] .....';
const probe = (ts: string, dev: string, ret: string, extra = '') => [
  at(ts + '00', '__iommu_probe_device', `(__iommu_probe_device+0x0/0x510) dev="${dev}"${extra}`, BOOT),
  at(ts + '50', '__iommu_probe_device__return', `(probe_iommu_group+0x28/0x50 <- __iommu_probe_device) ret=${ret}`, BOOT),
];
const text = (lines: (string | undefined)[]) => lines.join('\n') + '\n';

describe('a device probed at boot whose max_pasids the capture could not read', () => {
  const boot = text([...probe('2.0480', '0000:00:02.0', '0x0'), ...probe('2.0490', 'reg-dummy', '0xffffffed')]);

  it('is kept with max_pasids null (unknown) and a MAX_PASIDS_UNKNOWN note, not refused', async () => {
    const { records, summary, problems } = await importText(boot, { from: 'ftrace', kernel: '6.12.95+deb12-amd64' });
    expect(records.map((r) => [r.fn, r.args, r.ret])).toEqual([
      ['iommu_probe_device', { dev: '0000:00:02.0', max_pasids: null }, 0],
      ['iommu_probe_device', { dev: 'reg-dummy', max_pasids: null }, '-ENODEV'],
    ]);
    expect(summary).toMatchObject({ kept: 2, skipped: 0, clean: true, fatal: false, reasons: {} });
    expect(summary.notes.MAX_PASIDS_UNKNOWN?.count).toBe(2);
    expect(problems.map((p) => p.code)).toEqual(['MAX_PASIDS_UNKNOWN']);
  });
  it('near miss: a probe that shows max_pasids keeps the value, with no note', async () => {
    const { records, summary } = await importText(text(probe('2.0480', '0000:00:02.0', '0x0', ' max_pasids=8')), { from: 'ftrace', kernel: '6.12.95+deb12-amd64' });
    expect(records[0]?.args).toEqual({ dev: '0000:00:02.0', max_pasids: 8 });
    expect(summary.notes).toEqual({});
  });
  it('near miss: a capture of the kit\'s device markers alone is still no lifecycle to audit', async () => {
    const marker = at('10.000100', 'tracing_mark_write', 'pasid_ledger: device dev="0000:00:01.0" max_pasids=0 group=1');
    const { problems, summary } = await importText(text([MARK, marker]), { from: 'ftrace' });
    expect(problems.map((p) => p.code)).toEqual(['NO_LIFECYCLE_RECORD']);
    expect(summary.fatal).toBe(true);
  });
  it('leaves the audit where a device probed before the capture leaves it: its range is unknown, not 0', async () => {
    const header: TraceHeader = { type: 'header', format: 'pasid-ledger-trace', version: 1, kernel: '6.12.0', source: 'ftrace' };
    const probed = (max: number | null) => ({ seq: 1, ts: 1, cpu: 0, tid: 1, fn: 'iommu_probe_device', args: { dev: '0000:00:02.0', max_pasids: max }, ret: 0 });
    const rest = [
      { seq: 2, ts: 2, cpu: 0, tid: 7, fn: 'iommu_domain_alloc', args: { type: 'paging', dev: '0000:00:02.0' }, ret: 'dom1' },
      { seq: 3, ts: 3, cpu: 0, tid: 7, fn: 'iommu_attach_device_pasid', args: { domain: 'dom1', dev: '0000:00:02.0', pasid: 4000 }, ret: '-EINVAL' },
    ];
    const unknown = await auditOf([header, probed(null), ...rest]);
    expect(unknown).toEqual(await auditOf([header, ...rest]));
    // An unknown maximum makes the recorded refusal a plausible range check, and shows the bound (#20).
    expect(unknown).toEqual(['3:ATTACH_PASID_OUT_OF_RANGE']);
    expect(await auditOf([header, probed(null), ...rest], true)).toEqual(['3:0000:00:02.0 pasid 4000 refused as out of range; max_pasids <= 4000 inferred (unknown to the capture) (Linux 6.12 returns an error in iommu_attach_device_pasid)']);
    // Near miss: a maximum read as 8 makes the refusal the kernel's range check against 8.
    expect(await auditOf([header, probed(8), ...rest], true)).toEqual(['3:0000:00:02.0 pasid 4000 >= max_pasids 8 (Linux 6.12 returns an error in iommu_attach_device_pasid)']);
  });
});

async function auditOf(lines: unknown[], messages = false): Promise<string[]> {
  async function* once(): AsyncGenerator<string> {
    yield lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  }
  const r = await runReplay(readTrace(once(), { file: 't.jsonl' }), { file: 't.jsonl' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.replay.findings.map((f) => `${f.seq}:${messages ? f.message : f.code}`);
}

describe('max_pasids read through a NULL dev->iommu (BTF fetch)', () => {
  const bind = (ts: string, dev: string, fields: string, ret: string) => [
    at(ts + '00', 'iommu_sva_bind_device', `(iommu_sva_bind_device+0x4/0x20) dev="${dev}" mm=0xff45a49cc2362c00 ${fields}`),
    at(ts + '50', 'iommu_sva_bind_device__return', `(0xffffffffc042d02e <- iommu_sva_bind_device) ret=${ret}`),
  ];
  it('writes no probe record with the 0 it printed, and says the maximum is unknown', async () => {
    const { records, problems } = await importText(text([MARK, ...bind('11.0890', 'lab_plain', 'max_pasids=0 dev_iommu=0x0', '0xffffffffffffffed')]), { from: 'ftrace' });
    expect(records.map((r) => r.fn)).toEqual(['iommu_sva_bind_device']);
    expect(problems.map((p) => p.code)).toEqual(['MAX_PASIDS_UNKNOWN']);
    expect(problems[0]?.message).toContain('dev->iommu is NULL');
  });
  it('near miss: a max_pasids of 0 behind a real dev->iommu is the device\'s, and is written', async () => {
    const { records } = await importText(text([MARK, ...bind('11.0880', '0000:00:02.0', 'max_pasids=0 dev_iommu=0xff45a49cc1111100', '0xffffffffffffffa1')]), { from: 'ftrace' });
    expect(records.map((r) => [r.fn, r.args])).toEqual([
      ['iommu_probe_device', { dev: '0000:00:02.0', max_pasids: 0 }],
      ['iommu_sva_bind_device', { dev: '0000:00:02.0', mm: 'mm@539' }],
    ]);
  });
});

describe('a call the kernel oopsed in, and the report it logged', () => {
  // The lab's 6.12 detach-wrong-domain run: the task oopses in cache_tag_unassign_domain and never returns.
  const oops = [
    MARK,
    at('10.121787', 'iommu_detach_device_pasid', '(iommu_detach_device_pasid+0x4/0x90) domain=0xff31d911011ffca0 dev="0000:00:02.0" pasid=5'),
    at('10.121830', 'intel_iommu_remove_dev_pasid', '(intel_iommu_remove_dev_pasid+0x4/0x180) dev="0000:00:02.0" pasid=5'),
    at('10.121900', 'console', 'BUG: kernel NULL pointer dereference, address: 0000000000000000'),
    at('10.121901', 'console', '#PF: supervisor read access in kernel mode'),
    at('10.121910', 'console', 'Oops: Oops: 0000 [#1] PREEMPT SMP NOPTI'),
    at('10.121920', 'console', 'RIP: 0010:cache_tag_unassign_domain+0x3c/0x1e0'),
    at('10.121930', 'console', 'RIP: 0033:0x7f0000001234'),
  ];

  it('keeps both calls, the driver op nested in the detach, each as a call with an unknown return', async () => {
    const { records, summary, problems } = await importText(text(oops), { from: 'ftrace' });
    // Void calls too have no `ret`: they never returned; cutBy names the report they were cut by.
    const bug = 'BUG: kernel NULL pointer dereference, address: 0000000000000000';
    expect(records.map((r) => [r.seq, r.fn, r.parent, 'ret' in r, r.cutBy])).toEqual([
      [1, 'iommu_detach_device_pasid', undefined, false, bug],
      [2, 'remove_dev_pasid', 1, false, bug],
    ]);
    expect(summary).toMatchObject({ kept: 2, skipped: 0, clean: false, reasons: {} });
    expect(summary.notes.ENTRY_WITHOUT_RETURN?.count).toBe(2);
    const unreturned = problems.filter((p) => p.code === 'ENTRY_WITHOUT_RETURN').map((p) => p.message);
    expect(unreturned[0]).toContain('(the kernel reported "BUG: kernel NULL pointer dereference, address: 0000000000000000" at cache_tag_unassign_domain+0x3c/0x1e0 inside it (line 4)): kept as a call with an unknown return');
  });
  it('names the report once (one oops, several lines), with the calls the task was inside and where', async () => {
    const { summary, problems } = await importText(text(oops), { from: 'ftrace' });
    expect(problems.filter((p) => p.code === 'KERNEL_REPORT').map((p) => [p.line, p.fn])).toEqual([[4, 'remove_dev_pasid']]);
    expect(summary.kernelReports).toEqual([
      { line: 4, ts: 10121900000, tid: 539, text: 'BUG: kernel NULL pointer dereference, address: 0000000000000000', rip: 'cache_tag_unassign_domain+0x3c/0x1e0', inside: [{ seq: 1, fn: 'iommu_detach_device_pasid' }, { seq: 2, fn: 'remove_dev_pasid' }] },
    ]);
    expect(formatSummary(summary)).toContain('kernel report at line 4: "BUG: kernel NULL pointer dereference, address: 0000000000000000" at cache_tag_unassign_domain+0x3c/0x1e0, task 539, inside iommu_detach_device_pasid (seq 1) → remove_dev_pasid (seq 2)');
  });
  it('repeats the report in the trace header, so the audit can name it', async () => {
    let header: TraceHeader | undefined;
    async function* src() {
      yield text(oops);
    }
    for await (const item of importCaptureToTrace(src(), { from: 'ftrace', file: 'c' })) if (item.kind === 'header') header = item.header;
    expect(header?.import).toMatchObject({
      skipped: 0,
      reasons: {},
      notes: { ENTRY_WITHOUT_RETURN: 2, KERNEL_REPORT: 1 },
      kernelReports: [{ text: 'BUG: kernel NULL pointer dereference, address: 0000000000000000', tid: 539, rip: 'cache_tag_unassign_domain+0x3c/0x1e0', inside: [1, 2] }],
    });
    expect(validateHeader(header)).toBeNull();
  });
  it('near miss: ordinary log lines are no report, and a WARN of another task is not tied to our calls', async () => {
    const other = '     kworker/0:1-12      (     12) [000] .....';
    const lines = [
      MARK,
      at('10.000100', 'iommu_free_global_pasid', '(iommu_free_global_pasid+0x4/0x40) pasid=1'),
      at('10.000110', 'console', 'lab: iommu_free_global_pasid(1) returned'),
      at('10.000120', 'console', 'WARNING: CPU: 0 PID: 12 at net/core/dev.c:1 foo+0x1/0x2', other),
      at('10.000130', 'iommu_free_global_pasid__return', '(t_init+0x75/0xff0 [lab] <- iommu_free_global_pasid)'),
    ];
    const { summary, records } = await importText(text(lines), { from: 'ftrace' });
    expect(records).toHaveLength(1);
    expect(summary.clean).toBe(true);
    expect(summary.kernelReports.map((r) => [r.tid, r.inside])).toEqual([[12, []]]);
  });
  it('near miss: a call that never returned with no report inside it (the capture stopped) is not marked cut', async () => {
    const lines = [MARK, at('10.000100', 'iommu_detach_device_pasid', '(iommu_detach_device_pasid+0x4/0x90) domain=0xff31d911011ffca0 dev="0000:00:02.0" pasid=5')];
    const { records } = await importText(text(lines), { from: 'ftrace' });
    expect(records.map((r) => [r.fn, r.cutBy, r.ret])).toEqual([['iommu_detach_device_pasid', undefined, null]]);
  });
  it('a WARN inside a call that returns ties the report to it and keeps the import clean', async () => {
    const lines = [
      MARK,
      at('10.000100', 'iommu_free_global_pasid', '(iommu_free_global_pasid+0x4/0x40) pasid=1'),
      at('10.000110', 'console', 'ida_free called for id=1 which is not allocated.'),
      at('10.000111', 'console', 'WARNING: CPU: 1 PID: 539 at lib/idr.c:527 ida_free+0x10f/0x150'),
      at('10.000112', 'console', 'RIP: 0010:ida_free+0x10f/0x150'),
      at('10.000130', 'iommu_free_global_pasid__return', '(t_init+0x75/0xff0 [lab] <- iommu_free_global_pasid)'),
    ];
    const { summary, records } = await importText(text(lines), { from: 'ftrace' });
    expect(summary.clean).toBe(true);
    expect(records[0]?.cutBy).toBeUndefined();
    expect(summary.kernelReports.map((r) => [r.text, r.rip, r.inside.map((c) => c.fn)])).toEqual([
      ['WARNING: CPU: 1 PID: 539 at lib/idr.c:527 ida_free+0x10f/0x150', 'ida_free+0x10f/0x150', ['iommu_free_global_pasid']],
    ]);
  });
  it('is named by the audit: the calls that never returned and the report, with the seqs it happened in', async () => {
    let header: TraceHeader | undefined;
    async function* src() {
      yield text(oops);
    }
    for await (const item of importCaptureToTrace(src(), { from: 'ftrace', file: 'c' })) if (item.kind === 'header') header = item.header;
    if (header === undefined) throw new Error('no header');
    const lines = formatCoverage(coverageOf(header, new Map([['iommu_detach_device_pasid', 1], ['remove_dev_pasid', 1]])));
    expect(lines).toContain('import: 2 call(s) never returned (kept with an unknown return; see the import\'s notes)');
    expect(lines).toContain('kernel: "BUG: kernel NULL pointer dereference, address: 0000000000000000" at cache_tag_unassign_domain+0x3c/0x1e0 on task 539, inside seq 1 → 2');
  });
  it('parses a printk:console line as the kernel log, and a kprobe named console as a probe', () => {
    expect(parseFtraceLine(at('10.1', 'console', 'lab: begin'))).toMatchObject({ kind: 'console', tid: 539, text: 'lab: begin' });
    expect(parseFtraceLine(at('10.1', 'console', '(console+0x4/0x10) x=1'))).toMatchObject({ kind: 'probe' });
  });
  it('reads the report from the kernel log the kit appends when the oops switched tracing off before printing it', async () => {
    // The lab's 6.1 sva-bind run: tracing_off() in oops_enter() comes before "BUG: …", so only dmesg has it.
    const lines = [
      MARK,
      at('18.664500', 'iommu_sva_bind_device', '(iommu_sva_bind_device+0x4/0x20) dev="lab_plain" mm=0xff45a49cc2362c00 drvdata=0x0'),
      at('18.664510', 'console', 'lab: about to bind lab_plain'),
      '# pasid_ledger: tracing_on was 0 at stop; the kernel log since the capture started follows',
      'pasid_ledger-dmesg: [   18.664510] lab: about to bind lab_plain',
      'pasid_ledger-dmesg: [   18.664600] BUG: kernel NULL pointer dereference, address: 0000000000000030',
      'pasid_ledger-dmesg: [   18.664601] Oops: 0000 [#1] PREEMPT SMP NOPTI',
      'pasid_ledger-dmesg: [   18.664602] CPU: 0 PID: 539 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-1',
      'pasid_ledger-dmesg: [   18.664603] RIP: 0010:iommu_sva_bind_device+0x2a/0x110',
      'pasid_ledger-dmesg: [   18.664604] RIP: 0033:0x7f0000001234',
    ];
    const { summary, records, problems } = await importText(text(lines), { from: 'ftrace', kernel: '6.1.0-57-amd64' });
    expect(records.map((r) => r.fn)).toEqual(['iommu_sva_bind_device']);
    expect(summary.kernelReports).toEqual([
      { line: 6, ts: 18664600000, tid: 539, text: 'BUG: kernel NULL pointer dereference, address: 0000000000000030', rip: 'iommu_sva_bind_device+0x2a/0x110', inside: [{ seq: 1, fn: 'iommu_sva_bind_device' }] },
    ]);
    expect(problems.find((p) => p.code === 'ENTRY_WITHOUT_RETURN')?.message).toContain('the kernel reported "BUG: kernel NULL pointer dereference, address: 0000000000000030" at iommu_sva_bind_device+0x2a/0x110 inside it');
  });
  it('finishes a report whose first lines were traced from the appended log, without counting it twice', async () => {
    // The lab's 6.1 ioasid-eexist run: "list_del corruption" and "kernel BUG at" traced, the RIP only in dmesg.
    const lines = [
      MARK,
      at('20.213352', 'ioasid_unregister_allocator', '(ioasid_unregister_allocator+0x4/0x180) ops=0xffffffffc0282080'),
      at('20.213466', 'console', 'list_del corruption. prev->next should be ffffffffc0282090, but was ffffffffc0282010. (prev=ff23e37a3ff1fe58)'),
      at('20.213926', 'console', 'kernel BUG at lib/list_debug.c:59!'),
      'pasid_ledger-dmesg: [   20.213466] list_del corruption. prev->next should be ffffffffc0282090, but was ffffffffc0282010. (prev=ff23e37a3ff1fe58)',
      'pasid_ledger-dmesg: [   20.213926] kernel BUG at lib/list_debug.c:59!',
      'pasid_ledger-dmesg: [   20.214100] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI',
      'pasid_ledger-dmesg: [   20.214101] CPU: 0 PID: 539 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-1',
      'pasid_ledger-dmesg: [   20.214102] RIP: 0010:__list_del_entry_valid.cold+0x4b/0x6f',
    ];
    const { summary } = await importText(text(lines), { from: 'ftrace', kernel: '6.1.0-57-amd64' });
    expect(summary.kernelReports.map((r) => [r.text.slice(0, 19), r.rip, r.inside.map((c) => c.seq)])).toEqual([['list_del corruption', '__list_del_entry_valid.cold+0x4b/0x6f', [1]]]);
    expect(summary.notes.KERNEL_REPORT?.count).toBe(1);
  });
  it('near miss: appended log lines without a report make none', async () => {
    const lines = [MARK, at('10.1', 'iommu_free_global_pasid', '(iommu_free_global_pasid+0x4/0x40) pasid=1'), 'pasid_ledger-dmesg: [   10.2] lab: end', 'pasid_ledger-dmesg: [   10.3] CPU: 0 PID: 539 Comm: insmod'];
    const { summary } = await importText(text(lines), { from: 'ftrace' });
    expect(summary.kernelReports).toEqual([]);
  });
  it('reads the console header of kernels before v5.19 (`[  10.12] ` before the text)', async () => {
    const lines = [MARK, at('10.000100', 'console', '[   10.000099] kernel BUG at lib/list_debug.c:59!')];
    const { summary } = await importText(text(lines), { from: 'ftrace' });
    expect(summary.kernelReports.map((r) => r.text)).toEqual(['kernel BUG at lib/list_debug.c:59!']);
  });
});

describe('the VT-d PASID removal of v6.14+ (blocking_domain_set_dev_pasid, the remove_dev_pasid op gone)', () => {
  const M614 = MARK.replace('kernel=6.12.95+deb12-amd64', 'kernel=6.14.0');
  const lines = [
    M614,
    at('10.000100', 'iommu_detach_device_pasid', '(iommu_detach_device_pasid+0x4/0x90) domain=0xff31d911011ffca0 dev="0000:00:02.0" pasid=5'),
    at('10.000200', 'blocking_domain_set_dev_pasid', '(blocking_domain_set_dev_pasid+0x4/0x90) domain=0xffffffff82001000 dev="0000:00:02.0" pasid=5 old=0xff31d911011ffca0'),
    at('10.000300', 'blocking_domain_set_dev_pasid__return', '(iommu_detach_device_pasid+0x50/0x90 <- blocking_domain_set_dev_pasid) ret=0x0'),
    at('10.000400', 'iommu_detach_device_pasid__return', '(t_init+0x75/0xff0 [lab] <- iommu_detach_device_pasid)'),
  ];
  it('imports as the driver op set_dev_pasid nested in the detach, with the detached domain as old', async () => {
    const { records, summary } = await importText(text(lines), { from: 'ftrace' });
    expect(summary.clean).toBe(true);
    expect(records.map((r) => [r.fn, r.parent, r.args])).toEqual([
      ['iommu_detach_device_pasid', undefined, { domain: 'dom1', dev: '0000:00:02.0', pasid: 5 }],
      ['set_dev_pasid', 1, { domain: 'dom2', dev: '0000:00:02.0', pasid: 5, old: 'dom1' }],
    ]);
  });
});
