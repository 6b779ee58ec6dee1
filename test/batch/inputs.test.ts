/** The inputs of a batch: directories walked, globs expanded, duplicates dropped, path order. */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandInputs } from '../../src/batch/inputs.js';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'pasid-ledger-inputs-'));
  for (const f of ['b.jsonl', 'a.jsonl', 'notes.txt', 'sub/c.jsonl', 'sub/deeper/d.jsonl', '.hidden/e.jsonl', 'sub/.f.jsonl', 'raw/cap.txt', 'raw/cap.ndjson']) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  return root;
}

describe('batch inputs', () => {
  it('walks a directory recursively for *.jsonl, skipping hidden files and directories, in path order', () => {
    const root = tree();
    const r = expandInputs(['.'], { cwd: root });
    expect(r.files.map((f) => f.file)).toEqual(['a.jsonl', 'b.jsonl', 'sub/c.jsonl', 'sub/deeper/d.jsonl']);
    expect(r.failed).toEqual([]);
  });

  it('takes the capture extensions of --from in a directory', () => {
    const root = tree();
    expect(expandInputs(['raw'], { cwd: root, from: 'ftrace' }).files.map((f) => f.file)).toEqual(['raw/cap.txt']);
    expect(expandInputs(['raw'], { cwd: root, from: 'bpftrace' }).files.map((f) => f.file)).toEqual(['raw/cap.ndjson']);
  });

  it('expands a glob and drops a file named twice', () => {
    const root = tree();
    const r = expandInputs(['sub/**/*.jsonl', 'sub/c.jsonl', './sub/c.jsonl'], { cwd: root });
    expect(r.files.map((f) => f.file)).toEqual(['sub/c.jsonl', 'sub/deeper/d.jsonl']);
  });

  it('makes a missing path, an empty match and a directory without traces failed entries, not a stop', () => {
    const root = tree();
    mkdirSync(join(root, 'empty'));
    const r = expandInputs(['a.jsonl', 'missing.jsonl', 'nothing/*.jsonl', 'empty'], { cwd: root });
    expect(r.files.map((f) => f.file)).toEqual(['a.jsonl']);
    expect(r.failed.map((f) => [f.file, f.error.code])).toEqual([
      ['missing.jsonl', 'INPUT_NOT_FOUND'],
      ['nothing/*.jsonl', 'INPUT_NOT_FOUND'],
      ['empty', 'INPUT_EMPTY'],
    ]);
  });
});
