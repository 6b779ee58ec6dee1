import { describe, it, expect } from 'vitest';
import { parseBpftraceLine } from '../../src/import/bpftraceLine.js';

const printf = (o: unknown) => JSON.stringify({ type: 'printf', data: JSON.stringify(o) + '\n' });

describe('bpftrace -f json lines', () => {
  it('decodes a double-encoded printf call object', () => {
    const l = parseBpftraceLine(printf({ ts: 5, cpu: 1, tid: 2, pid: 3, comm: 'c', fn: 'iommu_attach_device_pasid', ph: 'exit', ret: -16 }));
    expect(l).toMatchObject({ kind: 'probe', phase: 'exit', ts: 5, cpu: 1, tid: 2, pid: 3, comm: 'c', symbol: 'iommu_attach_device_pasid' });
    expect(l.kind === 'probe' && l.fields.get('ret')).toEqual({ t: 'num', v: -16n });
  });
  it('reads "0x…" strings as pointers and other strings as text', () => {
    const l = parseBpftraceLine(printf({ ts: 5, cpu: 1, tid: 2, fn: 'f', domain: '0xffff888104e1c000', dev: '0000:00:02.0' }));
    expect(l.kind === 'probe' && [l.fields.get('domain'), l.fields.get('dev')]).toEqual([
      { t: 'word', v: '0xffff888104e1c000' },
      { t: 'str', v: '0000:00:02.0' },
    ]);
  });
  it('takes a call object without ph as one call record', () => {
    expect(parseBpftraceLine(printf({ ts: 5, cpu: 1, tid: 2, fn: 'f' }))).toMatchObject({ phase: 'call' });
  });
  it('reads the kit\'s first line as the kernel version and host', () => {
    expect(parseBpftraceLine(printf({ capture: 'pasid-ledger', kernel: '6.2.0', hostname: 'h' }))).toEqual({ kind: 'meta', kernel: '6.2.0', host: { hostname: 'h' } });
  });
  it('reads lost_events in the old and new shapes', () => {
    expect(parseBpftraceLine('{"type": "lost_events", "data": {"events": 7}}')).toEqual({ kind: 'lost', count: 7 });
    expect(parseBpftraceLine('{"type": "lost_events", "count": 7, "data": {}}')).toEqual({ kind: 'lost', count: 7 });
  });
  it('ignores attached_probes, maps and values', () => {
    for (const l of ['{"type": "attached_probes", "data": {"probes": 3}}', '{"type": "map", "data": {"@m": {}}}']) expect(parseBpftraceLine(l)).toEqual({ kind: 'ignored' });
  });
  it('tells non-JSON apart from foreign JSON', () => {
    expect(parseBpftraceLine('Attaching 3 probes...')).toEqual({ kind: 'notJson' });
    expect(parseBpftraceLine('{"type": "errorf", "msg": "x"}').kind).toBe('other');
  });
});
