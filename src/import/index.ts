/** Public API of capture import. */
export { importCapture } from './importCapture.js';
export { openCaptureAsTrace, openCaptureSource } from './openCapture.js';
export type { ImportItem, ImportOptions, ImportSummary, CaptureFormat, ReasonCount } from './importTypes.js';
export { CAPTURE_FORMATS } from './importTypes.js';
export { PROBLEM_CODES, PROBLEM_SEVERITY, type ImportProblem, type ProblemCode } from './problems.js';
