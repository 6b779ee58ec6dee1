/** Test support for batches: a scratch directory with the bundled samples, validators for SARIF and JUnit. */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { validateXML } from 'xmllint-wasm';

const fixture = (p: string) => new URL(`../fixtures/${p}`, import.meta.url).pathname;
export const samplesDir = new URL('../../samples/', import.meta.url).pathname;

/** A fresh directory with the five bundled sample traces (not the race scenarios). */
export function scratchSamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pasid-ledger-batch-'));
  for (const f of readdirSync(samplesDir).filter((f) => f.endsWith('.jsonl'))) copyFileSync(join(samplesDir, f), join(dir, f));
  return dir;
}

// Why: ajv-draft-04 is CommonJS whose default export TypeScript's NodeNext typing cannot construct.
const Ajv04 = createRequire(import.meta.url)('ajv-draft-04') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } };
let sarifValidator: ReturnType<InstanceType<typeof Ajv04>['compile']> | undefined;

/** Errors of a SARIF log against the official SARIF 2.1.0 schema (vendored: test/fixtures/sarif). */
export function sarifErrors(log: unknown): string[] {
  if (sarifValidator === undefined) {
    const ajv = new Ajv04({ allErrors: true, strict: false, validateFormats: false });
    sarifValidator = ajv.compile(JSON.parse(readFileSync(fixture('sarif/sarif-schema-2.1.0.json'), 'utf8')) as object);
  }
  return sarifValidator(log) ? [] : (sarifValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** Errors of a JUnit XML report against Jenkins' junit-10.xsd (vendored: test/fixtures/junit), by libxml2. */
export async function junitErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: readFileSync(fixture('junit/junit-10.xsd'), 'utf8') }] });
  return r.valid ? [] : r.errors.map((e) => e.message);
}
