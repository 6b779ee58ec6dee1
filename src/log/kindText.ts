/** What each field kind accepts, in words: for error messages and the record table of the docs. Pure data. */
import { DOMAIN_TYPES, PASID_MAX, U32_MAX, type FieldKind } from '../../events/fields.js';

export const KIND_TEXT: { readonly [K in FieldKind]: string } = {
  name: 'a name (`[A-Za-z0-9_]` then up to 127 of `[A-Za-z0-9_.:@/+#-]`)',
  nameOrNull: 'a name or null',
  dev: 'a device name, e.g. a PCI BDF "0000:6a:01.0"',
  text: 'a string of at most 4096 characters',
  bool: 'true or false',
  pasid: `a PASID (ioasid_t, u32): an integer 0..${U32_MAX}; values above ${PASID_MAX} (20 bits) are audited, not refused`,
  pasidOrInvalid: `a PASID (0..${U32_MAX}) or "IOMMU_PASID_INVALID"`,
  ioasid: `an integer 0..${U32_MAX - 1} or "INVALID_IOASID"`,
  maxPasids: `an integer 0..${PASID_MAX + 1}, or null (the capture could not read it: an unknown maximum)`,
  count: 'an integer 0..2^53-1',
  signed: 'an integer -(2^53-1)..2^53-1',
  domainType: `one of ${DOMAIN_TYPES.map((t) => `"${t}"`).join(', ')}`,
  retInt: '0 or an errno such as "-EBUSY"',
  retVoid: 'null (void)',
  retBool: 'true or false',
  retIoasid: `an IOASID 0..${U32_MAX - 1} or "INVALID_IOASID"`,
  retPasid: `a PASID 0..${U32_MAX} or "IOMMU_PASID_INVALID"`,
  retIntValue: 'an integer 0..2147483647 or an errno such as "-EINVAL"',
  retHandle: 'a handle name, or an errno such as "-ENODEV"',
  retPtr: 'a name, an errno, or null',
  retDomain: 'a domain name, or null (allocation failed)',
};
