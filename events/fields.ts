/**
 * Field kinds of trace records and facts: one table gives both the JSON Schema fragment (for ajv)
 * and the TypeScript type (through `FieldType`), so the two can never drift. Pure data.
 */

/** errno names the kernel returns on these paths (include/uapi/asm-generic/errno*.h, plus ENOTSUPP). */
export const ERRNOS = [
  'EPERM', 'ENOENT', 'EIO', 'EAGAIN', 'ENOMEM', 'EACCES', 'EFAULT', 'EBUSY', 'EEXIST', 'ENODEV',
  'EINVAL', 'ENOSPC', 'ERANGE', 'EOPNOTSUPP', 'EOVERFLOW', 'ENOTSUPP', 'ENXIO', 'ETIMEDOUT',
] as const;
export type ErrnoName = (typeof ERRNOS)[number];
/** An error return as the kernel source spells it: `-EBUSY`. */
export type Errno = `-${ErrnoName}`;

export const PASID_BITS = 20;
/** Largest PASID value: PCIe PASIDs are 20 bits. */
export const PASID_MAX = (1 << PASID_BITS) - 1;
/** ioasid_t is an unsigned int; INVALID_IOASID is (ioasid_t)-1 and is spelled out by name. */
export const U32_MAX = 0xffffffff;
export const INVALID_IOASID = 'INVALID_IOASID' as const;
export const IOMMU_PASID_INVALID = 'IOMMU_PASID_INVALID' as const;

export const DOMAIN_TYPES = ['blocked', 'identity', 'unmanaged', 'dma', 'dma_fq', 'sva', 'nested', 'paging'] as const;
export type DomainType = (typeof DOMAIN_TYPES)[number];

/** Names given to kernel objects: a PCI BDF for devices, the capture's names for the rest. */
const NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.:@/+#-]{0,127}$';

const errnoSchema = { type: 'string', enum: ERRNOS.map((e) => `-${e}`) } as const;
const nameSchema = { type: 'string', pattern: NAME_PATTERN } as const;

/** The JSON Schema of each field kind. */
export const FIELD_SCHEMAS = {
  name: nameSchema,
  nameOrNull: { anyOf: [nameSchema, { type: 'null' }] },
  dev: nameSchema,
  text: { type: 'string', maxLength: 4096 },
  bool: { type: 'boolean' },
  pasid: { type: 'integer', minimum: 0, maximum: PASID_MAX },
  pasidOrInvalid: { anyOf: [{ type: 'integer', minimum: 0, maximum: PASID_MAX }, { const: IOMMU_PASID_INVALID }] },
  ioasid: { anyOf: [{ type: 'integer', minimum: 0, maximum: U32_MAX - 1 }, { const: INVALID_IOASID }] },
  maxPasids: { type: 'integer', minimum: 0, maximum: PASID_MAX + 1 },
  count: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  signed: { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
  domainType: { type: 'string', enum: [...DOMAIN_TYPES] },
  // return kinds
  retInt: { anyOf: [{ const: 0 }, errnoSchema] },
  retVoid: { type: 'null' },
  retBool: { type: 'boolean' },
  retIoasid: { anyOf: [{ type: 'integer', minimum: 0, maximum: U32_MAX - 1 }, { const: INVALID_IOASID }] },
  retPasid: { anyOf: [{ type: 'integer', minimum: 0, maximum: PASID_MAX }, { const: IOMMU_PASID_INVALID }] },
  retHandle: { anyOf: [errnoSchema, nameSchema] },
  retPtr: { anyOf: [errnoSchema, nameSchema, { type: 'null' }] },
  retDomain: { anyOf: [nameSchema, { type: 'null' }] },
} as const;

export type FieldKind = keyof typeof FIELD_SCHEMAS;

/** The TypeScript type of a field kind. */
export type FieldType<K extends FieldKind> = K extends 'name' | 'dev' | 'text'
  ? string
  : K extends 'nameOrNull'
    ? string | null
    : K extends 'bool' | 'retBool'
      ? boolean
      : K extends 'pasid' | 'maxPasids' | 'count' | 'signed'
        ? number
        : K extends 'pasidOrInvalid' | 'retPasid'
          ? number | typeof IOMMU_PASID_INVALID
          : K extends 'ioasid' | 'retIoasid'
            ? number | typeof INVALID_IOASID
            : K extends 'domainType'
              ? DomainType
              : K extends 'retInt'
                ? 0 | Errno
                : K extends 'retVoid'
                  ? null
                  : K extends 'retHandle'
                    ? string
                    : K extends 'retPtr' | 'retDomain'
                      ? string | null
                      : never;

/** A field list: `name: 'kind'` or `name: 'kind?'` for an optional field. */
export type FieldList = Record<string, FieldKind | `${FieldKind}?`>;

type RequiredKeys<L extends FieldList> = { [K in keyof L]: L[K] extends `${string}?` ? never : K }[keyof L];
type OptionalKeys<L extends FieldList> = { [K in keyof L]: L[K] extends `${string}?` ? K : never }[keyof L];
type KindOf<S> = S extends `${infer B}?` ? B : S;

/** The object type a field list describes. */
export type FieldsType<L extends FieldList> = {
  readonly [K in RequiredKeys<L>]: FieldType<KindOf<L[K]> & FieldKind>;
} & {
  readonly [K in OptionalKeys<L>]?: FieldType<KindOf<L[K]> & FieldKind>;
};

/** JSON Schema (strict: no additional properties) of a field list. */
export function objectSchema(fields: FieldList): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [key, spec] of Object.entries(fields)) {
    const optional = spec.endsWith('?');
    const kind = (optional ? spec.slice(0, -1) : spec) as FieldKind;
    properties[key] = FIELD_SCHEMAS[kind];
    if (!optional) required.push(key);
  }
  return { type: 'object', additionalProperties: false, required, properties };
}

export function isErrno(v: unknown): v is Errno {
  return typeof v === 'string' && v.startsWith('-E');
}
