import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicOutput, writeOutput } from '../../src/io/output.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pl-out-'));

describe('atomic output', () => {
  it('writes a new file under its name and leaves no temporary file', () => {
    const d = dir();
    const r = writeOutput(join(d, 'a.jsonl'), 'x\n');
    expect(r.ok).toBe(true);
    expect(readFileSync(join(d, 'a.jsonl'), 'utf8')).toBe('x\n');
    expect(readdirSync(d)).toEqual(['a.jsonl']);
  });

  it('refuses an existing file without force and leaves it as it was', () => {
    const d = dir();
    writeFileSync(join(d, 'a'), 'old');
    const r = writeOutput(join(d, 'a'), 'new');
    expect(r.ok ? null : r.error.code).toBe('OUTPUT_EXISTS');
    expect(readFileSync(join(d, 'a'), 'utf8')).toBe('old');
  });

  it('replaces an existing file with force', () => {
    const d = dir();
    writeFileSync(join(d, 'a'), 'old');
    expect(writeOutput(join(d, 'a'), 'new', { force: true }).ok).toBe(true);
    expect(readFileSync(join(d, 'a'), 'utf8')).toBe('new');
  });

  it('refuses an output that is one of the inputs, even through a symlink and with force', () => {
    const d = dir();
    writeFileSync(join(d, 'in'), 'capture');
    symlinkSync(join(d, 'in'), join(d, 'link'));
    const r = writeOutput(join(d, 'link'), 'trace', { force: true, inputs: [join(d, 'in')] });
    expect(r.ok ? null : r.error.code).toBe('OUTPUT_IS_INPUT');
    expect(readFileSync(join(d, 'in'), 'utf8')).toBe('capture');
  });

  it('refuses a directory as the output', () => {
    const d = dir();
    mkdirSync(join(d, 'sub'));
    const r = writeOutput(join(d, 'sub'), 'x', { force: true });
    expect(r.ok ? null : r.error.code).toBe('OUTPUT_NOT_REGULAR');
  });

  it('names the missing parent directory and the fix', () => {
    const d = dir();
    const r = writeOutput(join(d, 'nope', 'a'), 'x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/nope.*does not exist; create it first/);
  });

  it('an aborted output leaves the old file and no temporary file', () => {
    const d = dir();
    writeFileSync(join(d, 'a'), 'old');
    const o = AtomicOutput.open(join(d, 'a'), { force: true });
    if (!o.ok) throw new Error(o.error.message);
    o.value.write('half');
    o.value.abort();
    expect(readFileSync(join(d, 'a'), 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['a']);
  });
});
