/**
 * The JSON result document of a batch, written piece by piece (the opening, one file at a time,
 * the summary): the same text as JSON.stringify(document, null, 2), without holding the document.
 * Pure.
 */
import { RESULT_FORMAT, type BatchDocument, type BatchSummary, type FileResult, type ShardSpec } from '../types.js';

const indent = (text: string, by: string) => text.split('\n').map((l) => by + l).join('\n');

export class JsonDocumentWriter {
  #files = 0;

  opening(shard: ShardSpec | null, chains: boolean): string {
    return `{\n  "format": ${JSON.stringify(RESULT_FORMAT)},\n  "version": 1,\n  "shard": ${indent(JSON.stringify(shard, null, 2), '  ').trimStart()},\n  "chains": ${chains},\n  "files": [`;
  }

  file(r: FileResult): string {
    return `${this.#files++ === 0 ? '\n' : ',\n'}${indent(JSON.stringify(r, null, 2), '    ')}`;
  }

  closing(summary: BatchSummary): string {
    const files = this.#files === 0 ? ']' : '\n  ]';
    return `${files},\n  "summary": ${indent(JSON.stringify(summary, null, 2), '  ').trimStart()}\n}\n`;
  }
}

export function jsonDocument(doc: BatchDocument): string {
  const w = new JsonDocumentWriter();
  return w.opening(doc.shard, doc.chains) + doc.files.map((f) => w.file(f)).join('') + w.closing(doc.summary);
}
