/** The tool's version, read from the package.json of the checkout or install (src/ and dist/src/ alike). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function toolVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const p = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (p.name === 'pasid-ledger' && typeof p.version === 'string') return (cached = p.version);
    }
    if (dirname(dir) === dir) return (cached = '0.0.0');
    dir = dirname(dir);
  }
}
