/**
 * Golden normalisation: what differs between two runs of the same scenario on the same kernel
 * (timestamps, kernel and module addresses, pids, CPU numbers, handle sequence numbers) is replaced by a
 * placeholder, so a golden line states only what the kernel did. Pure.
 */

/** One dmesg line, as `dmesg` prints it (`[   12.345678] text`), normalised. */
export function normaliseDmesgLine(line: string): string {
  return (
    line
      .replace(/\r$/, '')
      .replace(/^\[\s*\d+\.\d+\]\s?/, '')
      // symbol+offset/size (the offsets move between builds of the same release)
      .replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/g, '+<off>')
      // kernel and module addresses: %px pointers, list_del's prev/next, RIP values
      .replace(/\b(?:0x)?[0-9a-f]{12,16}\b/g, '<addr>')
      .replace(/\bCPU: \d+/g, 'CPU: <cpu>')
      .replace(/\bPID: \d+/g, 'PID: <pid>')
      .replace(/\bpid \d+\b/g, 'pid <pid>')
      .replace(/([A-Za-z0-9_-])\[\d+\]/g, '$1[<pid>]')
      .trimEnd()
  );
}

export function normaliseDmesg(text: string): string[] {
  return text
    .split('\n')
    .map(normaliseDmesgLine)
    .filter((l) => l !== '');
}

/** A finding's message: mm names carry the tgid of the process, handles the record's seq. */
export function normaliseMessage(message: string): string {
  return message
    // The caller a finding names (`[called from fn+0x1c/0x80 [mod]]`) depends on the kernel build, not on what it did.
    .replace(/ \[called from [^\]]*(?:\][^\]]*)?\]$/, '')
    .replace(/\bmm@\d+/g, 'mm@<tgid>')
    // Who held or freed a PASID is the task's id, which differs from boot to boot.
    .replace(/\btid:\d+/g, 'tid:<tid>')
    .replace(/\bsva@\d+/g, 'sva@<seq>')
    .replace(/\b(?:0x)?[0-9a-f]{12,16}\b/g, '<addr>');
}
