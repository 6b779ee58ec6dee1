/** A tiny valid trace for the log tests: a header and six records, one nested call. */
export const HEADER_LINE =
  '{"type":"header","format":"pasid-ledger-trace","version":1,"kernel":"6.8.0","source":"hand-written","host":{"cpus":4},"description":"attach and detach one PASID"}';

export const RECORD_LINES = [
  '{"seq":1,"ts":1000000,"cpu":0,"tid":400,"fn":"iommu_probe_device","args":{"dev":"0000:6a:01.0","max_pasids":1048576,"group":"grp7"},"ret":0}',
  '{"seq":2,"ts":1000100,"cpu":0,"tid":400,"fn":"iommu_domain_alloc","args":{"type":"paging","dev":"0000:6a:01.0"},"ret":"dom1"}',
  '{"seq":3,"ts":1000500,"cpu":1,"tid":412,"fn":"iommu_attach_device_pasid","args":{"domain":"dom1","dev":"0000:6a:01.0","pasid":5},"ret":0}',
  '{"seq":4,"ts":1000510,"cpu":1,"tid":412,"parent":3,"fn":"set_dev_pasid","args":{"domain":"dom1","dev":"0000:6a:01.0","pasid":5},"ret":0}',
  '{"seq":5,"ts":1000900,"cpu":1,"tid":412,"fn":"iommu_detach_device_pasid","args":{"domain":"dom1","dev":"0000:6a:01.0","pasid":5},"ret":null}',
  '{"seq":6,"ts":1001000,"cpu":0,"tid":400,"fn":"ioasid_alloc","args":{"set":null,"min":1,"max":"INVALID_IOASID","private":null},"ret":"INVALID_IOASID"}',
];

/** All lines, line 1 first. */
export const SAMPLE_LINES = [HEADER_LINE, ...RECORD_LINES];

/** The sample as file text, each line ending in "\n". */
export const SAMPLE = SAMPLE_LINES.map((l) => `${l}\n`).join('');

/** The sample with line n (1-based) replaced. */
export function withLine(n: number, text: string): string {
  return SAMPLE_LINES.map((l, i) => (i + 1 === n ? text : l)).map((l) => `${l}\n`).join('');
}

export const LOG_HEADER_LINE = '{"type":"header","format":"pasid-ledger-log","version":1,"kernel":"6.8.0","trace":"sample.jsonl"}';
export const FACT_LINES = [
  '{"type":"DeviceProbed","seq":1,"dev":"0000:6a:01.0","max_pasids":1048576,"group":"grp7"}',
  '{"type":"DomainAllocated","seq":2,"domain":"dom1","domain_type":"paging","mm":null}',
  '{"type":"PasidAttached","seq":3,"group":"grp7","dev":"0000:6a:01.0","pasid":5,"domain":"dom1"}',
  '{"type":"PasidDetached","seq":5,"group":"grp7","dev":"0000:6a:01.0","pasid":5,"domain":"dom1"}',
];
export const LOG_SAMPLE = [LOG_HEADER_LINE, ...FACT_LINES].map((l) => `${l}\n`).join('');
