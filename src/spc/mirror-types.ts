/** The shapes of mirror Secrets a SecretProviderClass asks for (the `mirror` parameter), shared by planning and the writer. */

/** Secret types a mirror may have. */
export const MIRROR_TYPES = ['Opaque', 'kubernetes.io/tls', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/basic-auth', 'kubernetes.io/ssh-auth'] as const;
export type MirrorType = (typeof MIRROR_TYPES)[number];

/** The label every mirror Secret carries; Courier modifies no Secret without it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'courier';

/** One key of a mirror Secret and the mount file it is taken from. */
export interface MirrorDataSpec {
  /** `mirror[0].data[1]`, prefixing every error about this entry. */
  readonly field: string;
  /** A file path of the mount. */
  readonly objectName: string;
  readonly key: string;
}

/** One mirror Secret, in the shape of the driver's `secretObjects` entries. */
export interface MirrorSpec {
  readonly field: string;
  readonly secretName: string;
  readonly type: MirrorType;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly data: readonly MirrorDataSpec[];
}
