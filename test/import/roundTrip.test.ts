import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { traceArb } from '../support/traceArbitrary.js';
import { emitBpftrace, emitFtrace, type EmittedCapture } from '../support/captureEmitter.js';
import { canonicalNames } from '../support/canonicalNames.js';
import { importText } from '../support/importText.js';
import type { CallRecord } from '../../events/records.js';

const SEED = 20261124;

async function roundTrip(records: CallRecord[], capture: EmittedCapture, from: 'ftrace' | 'bpftrace'): Promise<void> {
  const imported = await importText(capture.text, { from, kernel: '6.8.0' });
  expect(imported.problems).toEqual([]);
  expect(canonicalNames(imported.records, capture.order)).toEqual(canonicalNames(records, capture.order));
}

describe(`round trip: a valid trace exported to a capture and imported back (seed ${SEED})`, () => {
  it('gives the same call records through ftrace kprobe text', async () => {
    await fc.assert(fc.asyncProperty(traceArb, (records) => roundTrip(records, emitFtrace(records), 'ftrace')), { seed: SEED, numRuns: 200 });
  });

  it('gives the same call records through bpftrace NDJSON', async () => {
    await fc.assert(fc.asyncProperty(traceArb, (records) => roundTrip(records, emitBpftrace(records, '6.8.0'), 'bpftrace')), { seed: SEED, numRuns: 200 });
  });
});
