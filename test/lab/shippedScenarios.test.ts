import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/lab/scenario.js';

const ROOT = 'capture/lab/scenarios';
const KERNELS = readdirSync('capture/lab/kernels').map((f) => f.replace(/\.conf$/, ''));

describe('the shipped lab scenarios', () => {
  for (const name of readdirSync(ROOT)) {
    it(`${name} is a valid scenario for lab kernels only`, () => {
      const dir = join(ROOT, name);
      const r = parseScenario(name, join(dir, 'scenario.json'), readFileSync(join(dir, 'scenario.json'), 'utf8'), readdirSync(dir));
      expect(r.ok ? 'valid' : r.error.message).toBe('valid');
      if (r.ok) for (const k of Object.keys(r.value.kernels)) expect(KERNELS).toContain(k);
    });
  }
});
