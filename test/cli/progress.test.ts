/** Progress bars: on a terminal only, silent on a pipe and with --quiet, no colour under NO_COLOR; --version. */
import { describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { sample } from '../support/cli.js';

class Term extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  columns = 120;
  override _write(chunk: Buffer | string, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[], options: { tty: boolean; env?: NodeJS.ProcessEnv }) {
  const stdout = new Term(false);
  const stderr = new Term(options.tty);
  const code = await runCli(argv, { stdout, stderr, stdin: Readable.from([]), env: options.env ?? {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('progress', () => {
  it('draws a bar of files done on a terminal for a batch audit, and the report is unchanged', async () => {
    const tty = await run(['audit', new URL('../../samples/', import.meta.url).pathname, '--jobs', '1', '--json'], { tty: true });
    const pipe = await run(['audit', new URL('../../samples/', import.meta.url).pathname, '--jobs', '1', '--json'], { tty: false });
    expect(tty.stderr).toMatch(/audit .*\d+% \| \d+ files \| \d+ files\/s \| ETA/);
    expect(pipe.stderr).toBe('');
    expect(tty.stdout).toBe(pipe.stdout);
  });

  it('draws nothing with --quiet', async () => {
    const quiet = await run(['audit', new URL('../../samples/', import.meta.url).pathname, '--jobs', '1', '--json', '--quiet'], { tty: true });
    expect(quiet.stderr).toBe('');
  });

  it('colours the bar on a terminal, and not with NO_COLOR', async () => {
    const dir = new URL('../../samples/', import.meta.url).pathname;
    const colour = await run(['audit', dir, '--jobs', '1', '--json'], { tty: true });
    const plain = await run(['audit', dir, '--jobs', '1', '--json'], { tty: true, env: { NO_COLOR: '1' } });
    expect(colour.stderr).toContain('\x1b[36m');
    expect(plain.stderr).not.toContain('\x1b[36m');
    expect(plain.stderr).toMatch(/\d+%/);
  });

  it('shows minimize replays on a terminal', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pasid-ledger-progress-')), 'min.jsonl');
    const r = await run(['minimize', sample('buggy-v6.2.jsonl'), '--finding', 'SVA_BOND_LEAKED', '-o', out, '--force'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/minimize .*replays/);
  });
});

describe('progress of one long trace', () => {
  const trace = join(mkdtempSync(join(tmpdir(), 'pasid-ledger-progress-')), 'big.jsonl');
  it('shows records read for validate and audit --json on a terminal, nothing on a pipe', async () => {
    expect((await run(['generate', '--records', '5000', '-o', trace], { tty: false })).code).toBe(0);
    for (const argv of [['validate', trace], ['audit', '--json', trace]]) {
      const tty = await run(argv, { tty: true });
      const pipe = await run(argv, { tty: false });
      expect(tty.stderr).toMatch(/\d+ records \| \d+ records\/s/);
      expect(pipe.stderr).toBe('');
      expect(tty.stdout).toBe(pipe.stdout);
    }
  });
});

describe('--version', () => {
  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(['--version'], { tty: false });
    expect(r.stdout).toBe(`pasid-ledger ${pkg.version}\n`);
    expect(r.code).toBe(0);
  });
});
