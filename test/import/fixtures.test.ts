import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importText } from '../support/importText.js';
import { validateHeader, validateRecord } from '../../events/validate.js';
import { readTraceSync } from '../../src/log/reader.js';

const DIR = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));
const read = (name: string): string => readFileSync(DIR + name, 'utf8');
const expectedTrace = (name: string): unknown[] => read(name).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);

const FIXTURES = [
  { capture: 'buggy-v6.2.ftrace.txt', from: 'ftrace', kernel: '6.2.0', expected: 'buggy-v6.2.ftrace.expected.jsonl' },
  { capture: 'fprobe-v6.6.trace-cmd.txt', from: 'ftrace', kernel: '6.6.0', expected: 'fprobe-v6.6.trace-cmd.expected.jsonl' },
  { capture: 'problems.ftrace.txt', from: 'ftrace', kernel: '6.6.0', expected: 'problems.ftrace.expected.jsonl' },
  { capture: 'vtd-boot-v6.2.ftrace.txt', from: 'ftrace', kernel: '6.2.0-rc3', expected: 'vtd-boot-v6.2.ftrace.expected.jsonl' },
  { capture: 'idxd-v6.8.bpftrace.ndjson', from: 'bpftrace', expected: 'idxd-v6.8.bpftrace.expected.jsonl' },
  { capture: 'problems.bpftrace.ndjson', from: 'bpftrace', expected: 'problems.bpftrace.expected.jsonl' },
] as const;

describe('importing the fixture captures', () => {
  for (const f of FIXTURES) {
    it(`${f.capture} gives exactly ${f.expected}`, async () => {
      const { header, records } = await importText(read(f.capture), { from: f.from, ...('kernel' in f ? { kernel: f.kernel } : {}) });
      expect([header, ...records]).toEqual(expectedTrace(f.expected));
    });
  }

  it('every expected trace is valid against the trace schema, in increasing seq', () => {
    for (const f of FIXTURES) {
      const [header, ...records] = expectedTrace(f.expected);
      expect(validateHeader(header)).toBeNull();
      const seqs = records.map((r) => {
        expect(validateRecord(r)).toBeNull();
        return (r as { seq: number }).seq;
      });
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('imports the same trace whatever the chunking of the input', async () => {
    const text = read('buggy-v6.2.ftrace.txt');
    const whole = await importText(text, { from: 'ftrace', kernel: '6.2.0' }, text.length);
    const bytes = await importText(text, { from: 'ftrace', kernel: '6.2.0' }, 1);
    expect(bytes.records).toEqual(whole.records);
  });
});

describe('the buggy v6.2 capture', () => {
  it('records the attach nested in the SVA bind, and the driver op nested in the attach', async () => {
    const { records } = await importText(read('buggy-v6.2.ftrace.txt'), { from: 'ftrace', kernel: '6.2.0' });
    const bind = records.find((r) => r.fn === 'iommu_sva_bind_device');
    const attach = records.find((r) => r.fn === 'iommu_attach_device_pasid');
    const op = records.find((r) => r.fn === 'set_dev_pasid');
    expect(attach?.parent).toBe(bind?.seq);
    expect(op?.parent).toBe(attach?.seq);
  });

  it('pairs a return that came on another CPU with its entry on the same task', async () => {
    const { records, lines } = await importText(read('buggy-v6.2.ftrace.txt'), { from: 'ftrace', kernel: '6.2.0' });
    const i = records.findIndex((r) => r.fn === 'iommu_sva_bind_device');
    expect(records[i]).toMatchObject({ cpu: 2, tid: 1200, ret: 'sva1' });
    expect(lines[i]).toBe(22);
  });

  it('contains a detach with a domain other than the attached one', async () => {
    const { records } = await importText(read('buggy-v6.2.ftrace.txt'), { from: 'ftrace', kernel: '6.2.0' });
    const attached = records.find((r) => r.fn === 'iommu_attach_device_pasid' && r.args.dev === '0000:00:02.0');
    const wrong = records.find((r) => r.fn === 'iommu_detach_device_pasid' && r.tid === 88);
    if (attached?.fn !== 'iommu_attach_device_pasid' || wrong?.fn !== 'iommu_detach_device_pasid') throw new Error('fixture lacks the attach or the detach');
    expect(wrong.args).toMatchObject({ dev: '0000:00:02.0', pasid: 1 });
    expect(wrong.args.domain).not.toBe(attached.args.domain);
  });

  it('contains a double ioasid_free of the same IOASID', async () => {
    const { records } = await importText(read('buggy-v6.2.ftrace.txt'), { from: 'ftrace', kernel: '6.2.0' });
    expect(records.filter((r) => r.fn === 'ioasid_free').map((r) => r.args)).toEqual([{ ioasid: 1 }, { ioasid: 1 }]);
  });
});

describe('the boot-time VT-d capture (kprobe_event=)', () => {
  it('reads the capability bits from the raw CAP, ECAP and VCCAP registers', async () => {
    const { records } = await importText(read('vtd-boot-v6.2.ftrace.txt'), { from: 'ftrace', kernel: '6.2.0' });
    expect(records[0].args).toEqual({ iommu: 'dmar0', cap_caching_mode: true, ecap_smts: true, vccap_pasid: true });
  });

  it('names allocator ops after the ksym of ops->alloc and keeps -EAGAIN', async () => {
    const { records } = await importText(read('vtd-boot-v6.2.ftrace.txt'), { from: 'ftrace', kernel: '6.2.0' });
    expect(records[1]).toMatchObject({ parent: 1, args: { ops: 'intel_vcmd_ioasid_alloc#1', alloc: 'intel_vcmd_ioasid_alloc' }, ret: '-EAGAIN' });
  });
});

describe('imported traces and the trace reader', () => {
  it('every expected trace reads back through src/log/reader.ts without errors', () => {
    for (const f of FIXTURES) {
      const result = readTraceSync(read(f.expected), { file: f.expected });
      expect(result.errors, f.expected).toEqual([]);
      expect(result.entries.length).toBe(expectedTrace(f.expected).length - 1);
    }
  });
});
