/**
 * Field kinds of trace records and facts: one table gives both the JSON Schema fragment (for ajv)
 * and the TypeScript type (through `FieldType`), so the two can never drift. Pure data.
 */

/**
 * Every errno name of include/uapi/asm-generic/errno-base.h and errno.h (the x86/arm64/riscv
 * numbering), the aliases EWOULDBLOCK (= EAGAIN) and EDEADLOCK (= EDEADLK), and the kernel-internal
 * ones of include/linux/errno.h a kprobe can see (ENOTSUPP 524 from Intel SVA before v5.14,
 * EPROBE_DEFER from probe), with their numbers (x86-64/arm64/riscv; alpha, mips, parisc and sparc
 * number many differently). A capture may hold any of them (SMMUv3 returns -E2BIG, say).
 */
export const ERRNO_NUMBERS = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10, EAGAIN: 11,
  ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20,
  EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28, ESPIPE: 29,
  EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37, ENOSYS: 38,
  ENOTEMPTY: 39, ELOOP: 40, EWOULDBLOCK: 11, ENOMSG: 42, EIDRM: 43, ECHRNG: 44, EL2NSYNC: 45, EL3HLT: 46, EL3RST: 47,
  ELNRNG: 48, EUNATCH: 49, ENOCSI: 50, EL2HLT: 51, EBADE: 52, EBADR: 53, EXFULL: 54, ENOANO: 55, EBADRQC: 56,
  EBADSLT: 57, EDEADLOCK: 35, EBFONT: 59, ENOSTR: 60, ENODATA: 61, ETIME: 62, ENOSR: 63, ENONET: 64, ENOPKG: 65,
  EREMOTE: 66, ENOLINK: 67, EADV: 68, ESRMNT: 69, ECOMM: 70, EPROTO: 71, EMULTIHOP: 72, EDOTDOT: 73, EBADMSG: 74,
  EOVERFLOW: 75, ENOTUNIQ: 76, EBADFD: 77, EREMCHG: 78, ELIBACC: 79, ELIBBAD: 80, ELIBSCN: 81, ELIBMAX: 82,
  ELIBEXEC: 83, EILSEQ: 84, ERESTART: 85, ESTRPIPE: 86, EUSERS: 87, ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90,
  EPROTOTYPE: 91, ENOPROTOOPT: 92, EPROTONOSUPPORT: 93, ESOCKTNOSUPPORT: 94, EOPNOTSUPP: 95, EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101, ENETRESET: 102,
  ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ESHUTDOWN: 108, ETOOMANYREFS: 109,
  ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTDOWN: 112, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115, ESTALE: 116,
  EUCLEAN: 117, ENOTNAM: 118, ENAVAIL: 119, EISNAM: 120, EREMOTEIO: 121, EDQUOT: 122, ENOMEDIUM: 123,
  EMEDIUMTYPE: 124, ECANCELED: 125, ENOKEY: 126, EKEYEXPIRED: 127, EKEYREVOKED: 128, EKEYREJECTED: 129,
  EOWNERDEAD: 130, ENOTRECOVERABLE: 131, ERFKILL: 132, EHWPOISON: 133, ERESTARTSYS: 512, ERESTARTNOINTR: 513,
  ERESTARTNOHAND: 514, ENOIOCTLCMD: 515, ERESTART_RESTARTBLOCK: 516, EPROBE_DEFER: 517, EOPENSTALE: 518,
  ENOPARAM: 519, EBADHANDLE: 521, ENOTSYNC: 522, EBADCOOKIE: 523, ENOTSUPP: 524, ETOOSMALL: 525, ESERVERFAULT: 526,
  EBADTYPE: 527, EJUKEBOX: 528, EIOCBQUEUED: 529, ERECALLCONFLICT: 530,
} as const;
export const ERRNOS = Object.keys(ERRNO_NUMBERS) as (keyof typeof ERRNO_NUMBERS)[];

/** errno aliases (the same number under two names): compared as their primary name. */
export const ERRNO_ALIASES: Readonly<Record<string, string>> = { '-EWOULDBLOCK': '-EAGAIN', '-EDEADLOCK': '-EDEADLK' };
export type ErrnoName = keyof typeof ERRNO_NUMBERS;
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
  // ioasid_t is a u32 in every PASID signature: an out-of-range PASID is recordable, and the model audits it (C1).
  pasid: { type: 'integer', minimum: 0, maximum: U32_MAX },
  pasidOrInvalid: { anyOf: [{ type: 'integer', minimum: 0, maximum: U32_MAX }, { const: IOMMU_PASID_INVALID }] },
  ioasid: { anyOf: [{ type: 'integer', minimum: 0, maximum: U32_MAX - 1 }, { const: INVALID_IOASID }] },
  // null: the capture could not read it (a probe at boot, before dev->iommu exists; a NULL dev->iommu),
  // which the model treats as an unknown maximum, as for a device probed before the capture (#20).
  maxPasids: { anyOf: [{ type: 'integer', minimum: 0, maximum: PASID_MAX + 1 }, { type: 'null' }] },
  count: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  signed: { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
  domainType: { type: 'string', enum: [...DOMAIN_TYPES] },
  // return kinds
  retInt: { anyOf: [{ const: 0 }, errnoSchema] },
  retVoid: { type: 'null' },
  retBool: { type: 'boolean' },
  retIoasid: { anyOf: [{ type: 'integer', minimum: 0, maximum: U32_MAX - 1 }, { const: INVALID_IOASID }] },
  retPasid: { anyOf: [{ type: 'integer', minimum: 0, maximum: U32_MAX }, { const: IOMMU_PASID_INVALID }] },
  // An int that is a value or an errno (iommu_aux_get_pasid: the PASID, or -EINVAL).
  retIntValue: { anyOf: [{ type: 'integer', minimum: 0, maximum: 2147483647 }, errnoSchema] },
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
      : K extends 'pasid' | 'count' | 'signed'
        ? number
        : K extends 'maxPasids'
          ? number | null
        : K extends 'pasidOrInvalid' | 'retPasid'
          ? number | typeof IOMMU_PASID_INVALID
          : K extends 'ioasid' | 'retIoasid'
            ? number | typeof INVALID_IOASID
            : K extends 'domainType'
              ? DomainType
              : K extends 'retInt'
                ? 0 | Errno
                : K extends 'retIntValue'
                ? number | Errno
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
