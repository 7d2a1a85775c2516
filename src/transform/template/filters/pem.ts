/** Template functions that pick blocks out of PEM text: the first certificate, the chain, the private key. */
import type { FilterThis } from './filter-this.ts';
import { ConfigError } from '../../../errors/courier-error.ts';
import { toText } from '../budgets.ts';

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;

interface PemBlock {
  readonly label: string;
  readonly text: string;
}

/**
 * The PEM blocks of a value, each ending in a newline; a list of PEM texts (Vault's `ca_chain`) is
 * read as one text. One pass over the lines, so a value full of unfinished blocks costs no more.
 */
function blocksOf(value: unknown, filter: string): PemBlock[] {
  const text = Array.isArray(value) ? value.map((item) => toText(item)).join('\n') : toText(value);
  const blocks: PemBlock[] = [];
  let open: { label: string; lines: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const begin = BEGIN.exec(line);
    if (begin) {
      open = { label: begin[1] ?? '', lines: [line] };
    } else if (open) {
      open.lines.push(line);
      if (line === `-----END ${open.label}-----`) {
        blocks.push({ label: open.label, text: `${open.lines.join('\n')}\n` });
        open = undefined;
      }
    }
  }
  if (blocks.length === 0) throw new ConfigError(`${filter}: the value holds no PEM block`);
  return blocks;
}

function certificates(value: unknown, filter: string): PemBlock[] {
  const found = blocksOf(value, filter).filter((block) => block.label === 'CERTIFICATE');
  if (found.length === 0) throw new ConfigError(`${filter}: the value holds no certificate`);
  return found;
}

/** `{{ tls.bundle | pem_certificate }}`: the first CERTIFICATE block (the leaf of a bundle), ending in a newline. */
export function pemCertificate(this: FilterThis, value: unknown): string {
  const first = certificates(value, 'pem_certificate')[0] as PemBlock;
  this.context.memoryLimit.use(first.text.length);
  return first.text;
}

/** `{{ tls.bundle | pem_chain }}`: every CERTIFICATE block after the first, in order; empty for a lone certificate. */
export function pemChain(this: FilterThis, value: unknown): string {
  const text = certificates(value, 'pem_chain').slice(1).map((block) => block.text).join('');
  this.context.memoryLimit.use(text.length);
  return text;
}

/** `{{ tls.bundle | pem_private_key }}`: the first private key block (PKCS#8, RSA, EC or encrypted), ending in a newline. */
export function pemPrivateKey(this: FilterThis, value: unknown): string {
  const key = blocksOf(value, 'pem_private_key').find((block) => block.label.endsWith('PRIVATE KEY'));
  if (!key) throw new ConfigError('pem_private_key: the value holds no private key');
  this.context.memoryLimit.use(key.text.length);
  return key.text;
}
