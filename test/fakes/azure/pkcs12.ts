/**
 * Writes PKCS#12 (PFX) files for RSA and EC keys as OpenSSL 3 does by default: a PBES2 (PBKDF2-SHA256,
 * AES-256-CBC) shrouded key bag, certificates in a PBES2-encrypted safe, and an HMAC-SHA256 MAC.
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, type KeyObject, type X509Certificate } from 'node:crypto';
import { bmp, context, int, nul, octets, oid, seq, set, tlv } from './der.ts';

/** What goes into a PFX. */
export interface PfxContents {
  readonly privateKey: KeyObject;
  /** The certificates; the first is the key's own (it gets the `localKeyId`). */
  readonly certificates: readonly X509Certificate[];
  /** Key Vault's certificate secrets use the empty password. */
  readonly password?: string;
  readonly friendlyName?: string;
  readonly iterations?: number;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
};

/** The DER bytes of a PFX holding `privateKey` and `certificates`. */
export function writePfx(contents: PfxContents): Buffer {
  const password = contents.password ?? '';
  const iterations = contents.iterations ?? 2048;
  const first = contents.certificates[0];
  const localKeyId = first ? createHash('sha1').update(first.raw).digest() : randomBytes(20);
  const attributes = set(
    seq(oid(OID.localKeyId), set(octets(localKeyId))),
    ...(contents.friendlyName === undefined ? [] : [seq(oid(OID.friendlyName), set(bmp(contents.friendlyName)))]),
  );
  const certBags = contents.certificates.map((certificate, index) =>
    seq(oid(OID.certBag), context(0, seq(oid(OID.x509Certificate), context(0, octets(certificate.raw)))), ...(index === 0 ? [attributes] : [])),
  );
  const keyInfo = contents.privateKey.export({ type: 'pkcs8', format: 'der' });
  const [keyAlgorithm, encryptedKey] = encryptPbes2(keyInfo, password, iterations);
  const keyBag = seq(oid(OID.shroudedKeyBag), context(0, seq(keyAlgorithm, octets(encryptedKey))), attributes);
  const [certAlgorithm, encryptedCerts] = encryptPbes2(seq(...certBags), password, iterations);
  const authenticatedSafe = seq(
    // EncryptedData { version 0, EncryptedContentInfo { data, algorithm, [0] IMPLICIT ciphertext } }
    seq(oid(OID.encryptedData), context(0, seq(int(0), seq(oid(OID.data), certAlgorithm, tlv(0x80, encryptedCerts))))),
    seq(oid(OID.data), context(0, octets(seq(keyBag)))),
  );
  const macSalt = randomBytes(8);
  const macKey = pkcs12Kdf(password, macSalt, 3, iterations, 32);
  const mac = createHmac('sha256', macKey).update(authenticatedSafe).digest();
  return seq(
    int(3),
    seq(oid(OID.data), context(0, octets(authenticatedSafe))),
    seq(seq(seq(oid(OID.sha256), nul()), octets(mac)), octets(macSalt), int(iterations)),
  );
}

/** PBES2 encryption: the AlgorithmIdentifier and the ciphertext. */
function encryptPbes2(plain: Buffer, password: string, iterations: number): [Buffer, Buffer] {
  const salt = randomBytes(8);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const algorithm = seq(
    oid(OID.pbes2),
    seq(seq(oid(OID.pbkdf2), seq(octets(salt), int(iterations), seq(oid(OID.hmacWithSha256), nul()))), seq(oid(OID.aes256Cbc), octets(iv))),
  );
  return [algorithm, encrypted];
}

/** The PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-256; `id` 3 derives MAC keys. */
export function pkcs12Kdf(password: string, salt: Buffer, id: number, iterations: number, length: number): Buffer {
  const u = 32;
  const v = 64;
  const passwordBytes = Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  const stretch = (bytes: Buffer) => {
    if (bytes.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(bytes.length / v));
    for (let i = 0; i < out.length; i += 1) out[i] = bytes[i % bytes.length] ?? 0;
    return out;
  };
  const diversifier = Buffer.alloc(v, id);
  const input = Buffer.concat([stretch(salt), stretch(passwordBytes)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let a = createHash('sha256').update(diversifier).update(input).digest();
    for (let round = 1; round < iterations; round += 1) a = createHash('sha256').update(a).digest();
    blocks.push(a);
    const b = stretch(a);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let i = v - 1; i >= 0; i -= 1) {
        const sum = (input[offset + i] ?? 0) + (b[i] ?? 0) + carry;
        input[offset + i] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}
