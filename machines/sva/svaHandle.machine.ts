/**
 * One struct iommu_sva handle returned by iommu_sva_bind_device: live until its last unbind frees
 * it; an unbind of a freed handle is a use-after-free (A25). A handle never seen bound was bound
 * before the capture began. Pure.
 */
import { decide } from '../kit/outcome.js';
import { defineObjectKind, type ModelEvent } from '../kit/object.js';

export interface SvaHandleContext {
  readonly handle: string;
  readonly dev: string | null;
  readonly mm: string | null;
}

export type SvaHandleEvent =
  | (ModelEvent & { type: 'BOUND'; dev: string; mm: string })
  | (ModelEvent & { type: 'UNBIND' })
  | (ModelEvent & { type: 'RELEASE' });

export const svaHandleKind = defineObjectKind<SvaHandleContext, SvaHandleEvent, { handle: string }>({
  id: 'svaHandle',
  initial: 'unseen',
  context: ({ handle }) => ({ handle, dev: null, mm: null }),
  states: {
    unseen: {
      on: {
        BOUND: { target: 'live', actions: ['own', decide({ rule: 'iommu_sva_bind_device returned this handle' })] },
        UNBIND: { actions: decide({ ret: null, rule: 'iommu_sva_unbind_device of a handle bound before the capture: nothing to check' }) },
        RELEASE: { actions: decide({ rule: 'not live' }) },
      },
    },
    live: {
      on: {
        BOUND: { actions: ['own', decide({ rule: 'the same handle returned again (shared handle)' })] },
        UNBIND: { actions: decide({ ret: null, rule: 'iommu_sva_unbind_device of a live handle' }) },
        RELEASE: { target: 'freed', actions: decide({ rule: 'iommu_sva_unbind_device: kfree(handle) (§3.4)' }) },
      },
    },
    freed: {
      on: {
        BOUND: { target: 'live', actions: ['own', decide({ rule: 'the allocator reused the handle name after kfree' })] },
        UNBIND: { actions: decide({ ret: null, finding: 'SVA_UNBIND_FREED_HANDLE', rule: 'iommu_sva_unbind_device has no check: the handle was kfree()d by an earlier unbind (§3.4, A25)' }) },
        RELEASE: { actions: decide({ rule: 'already freed' }) },
      },
    },
  },
  guards: {},
  updates: {
    own: (c, e) => (e.type === 'BOUND' ? { ...c, dev: e.dev, mm: e.mm } : c),
  },
  facts: {},
  details: {
    SVA_UNBIND_FREED_HANDLE: (_e, c) => `${c.handle} (${c.dev ?? '?'}, ${c.mm ?? '?'}) was already unbound and freed`,
  },
});
