/** Builds mirror Secrets' data from a Mount's files and checks it against each Secret type; pure. */
import { ConfigError } from '../errors/courier-error.ts';
import type { MountFile } from '../output/assemble.ts';
import type { MirrorDataSpec, MirrorSpec, MirrorType } from '../spc/mirror-types.ts';
import { pemBlocks as findPemBlocks, type PemBlock } from '../transform/pem-blocks.ts';

/** A Secret ready to be written: the spec's metadata and the bytes of each key. */
export interface MirrorSecret {
  readonly field: string;
  readonly name: string;
  readonly type: MirrorType;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly data: Readonly<Record<string, Buffer>>;
}

/** Kubernetes refuses a Secret whose data exceeds 1 MiB. */
export const MAX_MIRROR_BYTES = 1024 * 1024;


/**
 * Takes each key's bytes from the Mount's files, splitting PEM for kubernetes.io/tls (tls.crt gets
 * the certificate chain, tls.key the private key, so one combined file can feed both) and checking
 * what each type needs. Throws ConfigError naming the field; no message quotes a file's contents.
 */
export function buildMirrorSecrets(mirrors: readonly MirrorSpec[], files: readonly MountFile[]): MirrorSecret[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  return mirrors.map((mirror) => {
    const data: Record<string, Buffer> = {};
    for (const item of mirror.data) {
      const file = byPath.get(item.objectName);
      if (!file) throw new ConfigError(`"${item.objectName}" is not a file of this mount`, { field: `${item.field}.objectName` });
      data[item.key] = valueFor(mirror.type, item, Buffer.from(file.contents.buffer, file.contents.byteOffset, file.contents.byteLength));
    }
    const bytes = Object.values(data).reduce((sum, value) => sum + value.byteLength, 0);
    if (bytes > MAX_MIRROR_BYTES) {
      throw new ConfigError(`Secret "${mirror.secretName}" would hold ${bytes} bytes of data, over Kubernetes' 1 MiB (${MAX_MIRROR_BYTES} bytes) limit for a Secret; mirror fewer files`, { field: mirror.field });
    }
    return { field: mirror.field, name: mirror.secretName, type: mirror.type, labels: mirror.labels, annotations: mirror.annotations, data };
  });
}

function valueFor(type: MirrorType, item: MirrorDataSpec, contents: Buffer): Buffer {
  const fail = (detail: string) => new ConfigError(`"${item.objectName}" ${detail}`, { field: `${item.field}.objectName` });
  if (type === 'kubernetes.io/tls' && item.key === 'tls.crt') {
    const certificates = pemBlocks(contents).filter((block) => block.label === 'CERTIFICATE');
    if (certificates.length === 0) throw fail('holds no PEM CERTIFICATE block, which tls.crt of a kubernetes.io/tls Secret needs');
    return Buffer.from(`${certificates.map((block) => block.text).join('\n')}\n`);
  }
  if (type === 'kubernetes.io/tls' && item.key === 'tls.key') return Buffer.from(`${onePrivateKey(contents, 'tls.key of a kubernetes.io/tls Secret', fail).text}\n`);
  if (type === 'kubernetes.io/ssh-auth' && item.key === 'ssh-privatekey') {
    onePrivateKey(contents, 'ssh-privatekey of a kubernetes.io/ssh-auth Secret', fail);
    return contents;
  }
  if (type === 'kubernetes.io/dockerconfigjson' && item.key === '.dockerconfigjson') {
    checkDockerConfig(contents, fail);
    return contents;
  }
  return contents;
}

/** PEM blocks in file order, with their labels (`CERTIFICATE`, `EC PRIVATE KEY`, ...), line ends as `\n`. */
function pemBlocks(contents: Buffer): PemBlock[] {
  return findPemBlocks(contents.toString('utf8')).map((block) => ({ label: block.label, text: block.text.replace(/\r\n/g, '\n') }));
}

function onePrivateKey(contents: Buffer, purpose: string, fail: (detail: string) => ConfigError): PemBlock {
  const keys = pemBlocks(contents).filter((block) => block.label.endsWith('PRIVATE KEY'));
  const [key, ...others] = keys;
  if (!key) throw fail(`holds no PEM private key, which ${purpose} needs`);
  if (others.length > 0) throw fail(`holds ${keys.length} private keys; ${purpose} needs exactly one`);
  if (key.label === 'ENCRYPTED PRIVATE KEY') throw fail(`holds an encrypted private key; ${purpose} needs an unencrypted one`);
  return key;
}

function checkDockerConfig(contents: Buffer, fail: (detail: string) => ConfigError): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(contents.toString('utf8'));
  } catch {
    throw fail('is not valid JSON, which .dockerconfigjson of a kubernetes.io/dockerconfigjson Secret must be');
  }
  const auths = typeof parsed === 'object' && parsed !== null ? (parsed as { auths?: unknown }).auths : undefined;
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) {
    throw fail('has no "auths" object, which .dockerconfigjson of a kubernetes.io/dockerconfigjson Secret needs');
  }
}
