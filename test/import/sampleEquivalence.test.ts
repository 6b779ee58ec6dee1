/**
 * The bundled buggy sample, captured: `buggy-sample-v6.2.*` are what the capture kit would record
 * on the machine the hand-written samples/buggy-v6.2.jsonl describes (kernel pointers instead of
 * names, entry and return lines). Imported, they audit to the same findings at the same records.
 */
import { describe, it, expect } from 'vitest';
import { cli, sample } from '../support/cli.js';

const fixture = (name: string) => new URL(`../fixtures/captures/${name}`, import.meta.url).pathname;
const findingsOf = (json: string) => (JSON.parse(json) as { findings: { seq: number; code: string }[] }).findings.map((f) => `${f.seq}:${f.code}`);

describe('the buggy sample as a real capture', () => {
  it('audits through ftrace text to the findings of the hand-written sample', async () => {
    const captured = await cli(['audit', '--json', '--from', 'ftrace', '--kernel', '6.2.0', fixture('buggy-sample-v6.2.ftrace.txt')]);
    const written = await cli(['audit', '--json', sample('buggy-v6.2.jsonl')]);
    expect(findingsOf(captured.stdout)).toEqual(findingsOf(written.stdout));
  });

  it('audits through bpftrace JSON to the findings of the hand-written sample', async () => {
    const captured = await cli(['audit', '--json', '--from', 'bpftrace', '--kernel', '6.2.0', fixture('buggy-sample-v6.2.bpftrace.ndjson')]);
    const written = await cli(['audit', '--json', sample('buggy-v6.2.jsonl')]);
    expect(findingsOf(captured.stdout)).toEqual(findingsOf(written.stdout));
  });

  it('keeps the freed handle name for the second unbind, so the use-after-free is seen', async () => {
    const captured = await cli(['audit', '--json', '--from', 'ftrace', '--kernel', '6.2.0', fixture('buggy-sample-v6.2.ftrace.txt')]);
    expect(findingsOf(captured.stdout)).toContain('31:SVA_UNBIND_FREED_HANDLE');
  });
});
