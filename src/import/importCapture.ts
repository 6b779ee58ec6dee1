/** The import pipeline: chunks → lines → format events → trace items. Streams: holds only open calls. */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallRecord, ImportCounts, TraceHeader } from '../../events/records.js';
import { splitLineBatches, splitLines } from './lines.js';
import { ftraceEvent } from './ftrace.js';
import { bpftraceEvent } from './bpftrace.js';
import { CaptureAssembler } from './assembler.js';
import type { ImportItem, ImportOptions, ImportSummary } from './importTypes.js';

/**
 * Imports one capture. Yields the header, records in seq order (each with the capture line of its
 * return), problems as they are found, and a closing summary. Never throws on bad input.
 */
export async function* importCapture(source: AsyncIterable<string | Uint8Array>, options: ImportOptions): AsyncGenerator<ImportItem> {
  const assembler = new CaptureAssembler(options);
  const toEvent = options.from === 'ftrace' ? ftraceEvent : bpftraceEvent;
  yield* assembler.start();
  // Why: lines are handled synchronously per chunk; an await per line would cost more than parsing it.
  outer: for await (const batch of assembler.stopped ? [] : splitLineBatches(source)) {
    for (const line of batch) {
      const items = assembler.accept(line.tooLong !== undefined ? { kind: 'tooLong', line: line.line, bytes: line.tooLong } : toEvent(line));
      for (const item of items) yield item;
      if (assembler.stopped) break outer;
    }
  }
  yield* assembler.finish();
}

/**
 * Imports one capture as a trace file is written: the header comes first but carries the import's
 * counts (kept, skipped and why, lost events), which are known only at the end, so records are
 * spooled to a temporary file until then (bounded memory). Problems are yielded as they are found,
 * then the header, the records and the summary. A fatal import yields no header and no record.
 */
export async function* importCaptureToTrace(source: AsyncIterable<string | Uint8Array>, options: ImportOptions): AsyncGenerator<ImportItem> {
  const dir = await mkdtemp(join(tmpdir(), 'pasid-ledger-import-'));
  const spoolPath = join(dir, 'records.jsonl');
  try {
    const spool = createWriteStream(spoolPath, { flags: 'wx' });
    const spoolFailed = new Promise<never>((_, reject) => spool.once('error', reject));
    spoolFailed.catch(() => undefined);
    let header: TraceHeader | undefined;
    let summary: ImportSummary | undefined;
    for await (const item of importCapture(source, options)) {
      if (item.kind === 'header') header = item.header;
      else if (item.kind === 'summary') summary = item.summary;
      else if (item.kind === 'problem') yield item;
      else if (!spool.write(`${JSON.stringify([item.line, item.offset, item.record])}\n`)) await Promise.race([once(spool, 'drain'), spoolFailed]);
    }
    spool.end();
    await Promise.race([once(spool, 'finish'), spoolFailed]);
    if (summary === undefined) return;
    if (header !== undefined && !summary.fatal) {
      yield { kind: 'header', header: { ...header, import: importCounts(summary) } };
      for await (const line of splitLines(createReadStream(spoolPath))) {
        if (line.text === '') continue;
        const [at, offset, record] = JSON.parse(line.text) as [number, number, CallRecord];
        yield { kind: 'record', record, line: at, offset };
      }
    }
    yield { kind: 'summary', summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The counts a trace header repeats (events/records.ts ImportCounts). */
export function importCounts(s: ImportSummary): ImportCounts {
  const reasons: Record<string, number> = {};
  for (const [code, r] of Object.entries(s.reasons)) if (r !== undefined) reasons[code] = r.count;
  const notes: Record<string, number> = {};
  for (const [code, r] of Object.entries(s.notes)) if (r !== undefined) notes[code] = r.count;
  const kernelReports = s.kernelReports.map((r) => ({
    text: r.text.slice(0, 1024),
    tid: r.tid,
    ...(r.rip !== undefined ? { rip: r.rip.slice(0, 256) } : {}),
    inside: r.inside.slice(-64).map((c) => c.seq),
  }));
  return {
    kept: s.kept,
    skipped: s.skipped,
    reasons,
    lostEvents: s.lostEvents,
    ...(Object.keys(notes).length > 0 ? { notes } : {}),
    ...(kernelReports.length > 0 ? { kernelReports } : {}),
  };
}
