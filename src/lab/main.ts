/**
 * The kernel lab's helper for capture/lab/run (the shell): validates scenario directories, prints a
 * scenario's settings for the guest, lists scenarios, and compares a finished run with its goldens.
 *   node dist/src/lab/main.js validate DIR KERNEL | config DIR KERNEL | list DIR | for-kernel DIR KERNEL
 *   node dist/src/lab/main.js check DIR KERNEL RUNDIR | draft KERNEL RUNDIR
 * Exit: 0 ok / run matched, 1 run did not match, 2 bad scenario or usage.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compareRun, formatVerdicts, passed, type Observed, type ObservedFinding } from './compare.js';
import { draftExpectation } from './draft.js';
import { parseScenario, SCENARIO_FILE, shellConfig, type Scenario } from './scenario.js';
import type { Result } from '../core/result.js';

function loadScenario(dir: string): Result<Scenario> {
  const file = join(dir, SCENARIO_FILE);
  if (!existsSync(file) || !statSync(file).isFile())
    return {
      ok: false,
      error: {
        code: 'LAB_SCENARIO_MISSING',
        message: `${file}: no ${SCENARIO_FILE}; a scenario directory holds the module source and ${SCENARIO_FILE} (see capture/lab/README.md)`,
        file,
      },
    };
  return parseScenario(basename(dir), file, readFileSync(file, 'utf8'), readdirSync(dir));
}

function scenarioFor(dir: string, kernel: string): Result<Scenario> {
  const s = loadScenario(dir);
  if (s.ok && !(kernel in s.value.kernels)) {
    const file = join(dir, SCENARIO_FILE);
    return {
      ok: false,
      error: {
        code: 'LAB_SCENARIO_KERNEL',
        message: `${file}: field "kernels": has no "${kernel}" (it names ${Object.keys(s.value.kernels).join(', ')}); add the kernel's expectations or run another kernel`,
        file,
        field: 'kernels',
      },
    };
  }
  return s;
}

function scenarioDirs(root: string): string[] {
  return readdirSync(root)
    .map((n) => join(root, n))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, SCENARIO_FILE)))
    .sort();
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Reads the files capture/lab/run left in RUNDIR. */
function observe(run: string): Observed {
  const text = (f: string) => (existsSync(join(run, f)) ? readFileSync(join(run, f), 'utf8') : '');
  const insmodLine = /^insmod=(\d+)$/m.exec(text('insmod.txt'));
  const imp = (
    readJson(join(run, 'import.json')) as {
      summary: { clean: boolean; fatal?: boolean; kept: number; skipped: number; reasons: Record<string, { count: number }>; notes?: Record<string, { count: number }> };
    }
  ).summary;
  const reasons = Object.fromEntries(Object.entries(imp.reasons).map(([r, v]) => [r, v.count]));
  const notes = Object.fromEntries(Object.entries(imp.notes ?? {}).map(([r, v]) => [r, v.count]));
  const audit = text('audit.json').trim() === '' ? { findings: [] } : (readJson(join(run, 'audit.json')) as { findings: ObservedFinding[] });
  return {
    dmesg: text('dmesg.txt'),
    insmod: insmodLine ? Number(insmodLine[1]) : null,
    import: { clean: imp.clean, fatal: imp.fatal === true, kept: imp.kept, skipped: imp.skipped, reasons, notes },
    findings: audit.findings.map((f) => ({ code: f.code, fn: f.fn, severity: f.severity, message: f.message, atEnd: f.atEnd, seq: f.seq })),
    nothingToAudit: text('audit.json').trim() === '' && text('audit.err').includes('the trace holds no record of the PASID lifecycle'),
  };
}

function main(argv: readonly string[]): number {
  const [cmd, a, b, c] = argv;
  const fail = (message: string): number => {
    process.stderr.write(`lab: ${message}\n`);
    return 2;
  };
  switch (cmd) {
    case 'validate':
    case 'config': {
      if (!a || !b) return fail(`usage: ${cmd} DIR KERNEL`);
      const s = scenarioFor(a, b);
      if (!s.ok) return fail(s.error.message);
      if (cmd === 'config') process.stdout.write(shellConfig(s.value, b));
      return 0;
    }
    case 'names': {
      // Exit 0: valid and has expectations for KERNEL; 1: valid, but not for KERNEL; 2: invalid.
      if (!a || !b) return fail('usage: names DIR KERNEL');
      const s = loadScenario(a);
      if (!s.ok) return fail(s.error.message);
      return b in s.value.kernels ? 0 : 1;
    }
    case 'list': {
      if (!a) return fail('usage: list SCENARIOS_DIR');
      for (const d of scenarioDirs(a)) {
        const s = loadScenario(d);
        process.stdout.write(s.ok ? `${s.value.name.padEnd(24)} ${Object.keys(s.value.kernels).join(',').padEnd(10)} ${s.value.description}\n` : `${basename(d)}: INVALID ${s.error.message}\n`);
      }
      return 0;
    }
    case 'for-kernel': {
      if (!a || !b) return fail('usage: for-kernel SCENARIOS_DIR KERNEL');
      for (const d of scenarioDirs(a)) {
        const s = loadScenario(d);
        if (!s.ok) return fail(s.error.message);
        if (b in s.value.kernels) process.stdout.write(`${d}\n`);
      }
      return 0;
    }
    case 'check': {
      if (!a || !b || !c) return fail('usage: check DIR KERNEL RUNDIR');
      const s = scenarioFor(a, b);
      if (!s.ok) return fail(s.error.message);
      let seen: Observed;
      try {
        seen = observe(c);
      } catch (e) {
        return fail(`${c}: the run left no usable import.json/audit.json (${(e as Error).message}); see ${c}/audit.err`);
      }
      const verdicts = compareRun(s.value.kernels[b], seen);
      process.stdout.write(formatVerdicts(`${s.value.name} on ${b}`, verdicts));
      return passed(verdicts) ? 0 : 1;
    }
    case 'draft': {
      if (!a || !b) return fail('usage: draft KERNEL RUNDIR');
      let seen: Observed;
      try {
        seen = observe(b);
      } catch (e) {
        return fail(`${b}: the run left no usable import.json/audit.json (${(e as Error).message})`);
      }
      process.stdout.write(JSON.stringify({ kernels: { [a]: draftExpectation(seen) } }, null, 2) + '\n');
      return 0;
    }
    default:
      return fail('usage: validate|config|list|for-kernel|check|draft ...');
  }
}

process.exitCode = main(process.argv.slice(2));
