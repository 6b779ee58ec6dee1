/** The worker of the batch pool (piscina loads this file in each worker thread): one task = one file. */
import { auditFile } from './auditFile.js';
import type { AuditTask, FileResult } from './types.js';

export default function run(task: AuditTask): Promise<FileResult> {
  return auditFile(task);
}
