/**
 * Combining the JSON results of shards (`audit --shard i/n --json`) into the result of one run:
 * the files of every shard in path order, the summary recounted. Refuses what would make the
 * merged report wrong (a document of another kind, a file in two shards); says what is only
 * suspicious (a shard missing from the set). Pure.
 */
import { ledgerError, err, ok, type LedgerError, type Result } from '../core/result.js';
import { summarizeBatch } from './summary.js';
import { RESULT_FORMAT, type BatchDocument, type FileResult } from './types.js';
import { resultProblem } from './resultSchema.js';

export interface MergeInput {
  readonly name: string;
  readonly text: string;
}

/** One shard's document, checked enough that every renderer can trust it. */
export function parseDocument(input: MergeInput): Result<BatchDocument, LedgerError> {
  let v: unknown;
  try {
    v = JSON.parse(input.text);
  } catch (e) {
    return err(ledgerError('MERGE_NOT_JSON', `not JSON (${(e as Error).message})`, { file: input.name, fix: 'pass the output of `pasid-ledger audit ... --json -o FILE`' }));
  }
  const d = v as Partial<BatchDocument> & Record<string, unknown>;
  if (typeof d !== 'object' || d === null || d.format !== RESULT_FORMAT) {
    const single = typeof d === 'object' && d !== null && Array.isArray(d.findings);
    return err(ledgerError('MERGE_NOT_RESULT', single ? 'this is the report of a one-file audit, which does not name its file' : `not a pasid-ledger audit result (no "format": "${RESULT_FORMAT}")`, {
      file: input.name,
      fix: single ? 'audit with a directory, several files or --shard (the batch result names each file), e.g. `pasid-ledger audit DIR --shard 1/2 --json -o FILE`' : 'pass the output of `pasid-ledger audit DIR --json -o FILE`',
    }));
  }
  if (d.version !== 1) return err(ledgerError('MERGE_VERSION', `result version ${String(d.version)} is not supported (this pasid-ledger reads version 1)`, { file: input.name, fix: 'merge results written by the same pasid-ledger version' }));
  const problem = resultProblem(d);
  if (problem !== null) {
    return err(ledgerError('MERGE_BAD_RESULT', `${problem.field}: ${problem.message}`, { file: input.name, field: problem.field, fix: 'pass an unmodified result of `pasid-ledger audit --json`' }));
  }
  return ok(d as BatchDocument);
}

export interface Merged {
  readonly document: BatchDocument;
  /** Worth saying, not worth refusing: a shard missing, different shard counts. */
  readonly warnings: readonly string[];
}

export function mergeDocuments(inputs: readonly MergeInput[]): Result<Merged, LedgerError> {
  const docs: { name: string; doc: BatchDocument }[] = [];
  for (const input of inputs) {
    const d = parseDocument(input);
    if (!d.ok) return d;
    docs.push({ name: input.name, doc: d.value });
  }
  const owner = new Map<string, string>();
  const files: FileResult[] = [];
  for (const { name, doc } of docs) {
    for (const f of doc.files) {
      const other = owner.get(f.file);
      if (other !== undefined) {
        return err(ledgerError('MERGE_DUPLICATE_FILE', `${f.file} is in ${other} and in ${name}`, { file: name, fix: 'merge the results of one run\'s shards (same inputs, same shard count), each once' }));
      }
      owner.set(f.file, name);
      files.push(f);
    }
  }
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const warnings: string[] = [];
  const shards = docs.map((d) => d.doc.shard).filter((s) => s !== null);
  const counts = new Set(shards.map((s) => s.count));
  if (counts.size > 1) warnings.push(`the results come from different shard counts (${[...counts].join(', ')}); some files may be missing or counted twice`);
  else if (counts.size === 1) {
    const n = [...counts][0];
    const have = new Set(shards.map((s) => s.index));
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (missing.length > 0) warnings.push(`shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} are missing: their files are not in the merged report`);
  }
  const chains = docs.every((d) => d.doc.chains);
  if (!chains && docs.some((d) => d.doc.chains)) warnings.push('some results were audited without --chains: their findings have no related records');
  return ok({ document: { format: RESULT_FORMAT, version: 1, shard: null, chains, files, summary: summarizeBatch(files) }, warnings });
}
