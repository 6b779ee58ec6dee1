/**
 * What a machine transition decides, as static data attached to the transition
 * (`decide({...})`): the return the kernel gives, the fact that follows, the finding it raises,
 * and the rule in words (quoted when the recorded return disagrees). Pure data.
 */
import type { FactType } from '../../events/facts.js';
import type { FindingCode } from '../findings.js';

export interface Outcome {
  /** The kernel's return when this transition decides the call; absent when the call model fills it in. */
  readonly ret?: number | string | boolean | null;
  readonly fact?: FactType;
  readonly finding?: FindingCode;
  /** The rule in a few words, with the kernel function, e.g. "attach to an occupied PASID slot → -EBUSY (iommu_attach_device_pasid)". */
  readonly rule: string;
}

/** The transition action that records an outcome; both executors read its params. */
export function decide(outcome: Outcome): { type: 'decide'; params: Outcome } {
  return { type: 'decide', params: outcome };
}
