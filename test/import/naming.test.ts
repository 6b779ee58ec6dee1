import { describe, it, expect } from 'vitest';
import { PointerNames } from '../../src/import/naming.js';

describe('stable names for kernel pointers', () => {
  it('names objects by first appearance per category', () => {
    const n = new PointerNames();
    expect([n.nameOf(0x20n, 'domain'), n.nameOf(0x10n, 'domain'), n.nameOf(0x30n, 'sva')]).toEqual(['dom1', 'dom2', 'sva1']);
  });
  it('keeps the name of a live pointer', () => {
    const n = new PointerNames();
    n.nameOf(0x20n, 'domain');
    expect(n.nameOf(0x20n, 'domain')).toBe('dom1');
  });
  it('gives a pointer reused after a free a new name', () => {
    const n = new PointerNames();
    n.nameOf(0x20n, 'domain');
    n.retire(0x20n);
    expect(n.nameOf(0x20n, 'domain')).toBe('dom2');
  });
  it('names an mm after the binding task\'s thread group, with a suffix for a second mm of the same group', () => {
    const n = new PointerNames();
    expect(n.nameOf(0x40n, 'mm', { tgid: 1200 })).toBe('mm@1200');
    n.retire(0x40n);
    expect(n.nameOf(0x40n, 'mm', { tgid: 1200 })).toBe('mm@1200#1');
    expect(n.nameOf(0x50n, 'mm')).toBe('mm1');
  });
  it('names allocator ops after the ksym of ops->alloc plus a counter', () => {
    const n = new PointerNames();
    expect(n.nameOf(0x60n, 'ops', { allocSymbol: 'intel_vcmd_ioasid_alloc' })).toBe('intel_vcmd_ioasid_alloc#1');
    expect(n.nameOf(0x70n, 'ops', { allocSymbol: 'intel_vcmd_ioasid_alloc' })).toBe('intel_vcmd_ioasid_alloc#2');
  });
  it('keeps the freed name for a stale use of a freed SVA handle (use-after-free stays visible)', () => {
    const n = new PointerNames();
    expect(n.created(0x80n, 'sva')).toBe('sva1');
    n.retire(0x80n);
    expect(n.nameOf(0x80n, 'sva')).toBe('sva1');
  });
  it('starts a new generation when a bind returns a freed handle address', () => {
    const n = new PointerNames();
    n.created(0x80n, 'sva');
    n.retire(0x80n);
    expect(n.created(0x80n, 'sva')).toBe('sva2');
    expect(n.nameOf(0x80n, 'sva')).toBe('sva2');
  });
  it('gives a domain address used again after a free a new name (its allocation may not be probed)', () => {
    const n = new PointerNames();
    n.created(0x90n, 'domain');
    n.retire(0x90n);
    expect(n.nameOf(0x90n, 'domain')).toBe('dom2');
  });
});
