/** HTTP(S) agents per TLS setting: CA file or directory, server name, client certificate, skip-verify; built once, pooled, closed with the store. */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { status } from '../../errors/status-codes.ts';
import { ConfigError, CourierError } from '../../errors/courier-error.ts';
import { pemBlocks } from '../../transform/pem-blocks.ts';
import type { AdminTls } from './flags.ts';
import { tlsKey, type TlsChoice } from './settings.ts';

/** At most this many distinct TLS settings are kept; a class can only pick files the flags allow, so few exist. */
const MAX_AGENTS = 64;

/** Agents by TLS setting. One plain-HTTP agent serves every http:// address. */
export class AgentPool {
  readonly #admin: AdminTls;
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  readonly #https = new Map<string, Promise<HttpsAgent>>();

  constructor(admin: AdminTls) {
    this.#admin = admin;
  }

  /** The agent for `address` with `tls`. Throws ConfigError (a file outside what the flags allow) or FAILED_PRECONDITION (a file that cannot be read). */
  agentFor(address: string, tls: TlsChoice): Promise<HttpAgent | HttpsAgent> {
    if (address.startsWith('http://')) return Promise.resolve(this.#http);
    const key = tlsKey(tls);
    let agent = this.#https.get(key);
    if (!agent) {
      agent = this.#build(tls);
      // A failed build is not kept: the next Mount tries again (a file may appear, a Secret may be mounted).
      const building = agent;
      building.catch(() => {
        if (this.#https.get(key) === building) this.#https.delete(key);
      });
      if (this.#https.size >= MAX_AGENTS) this.#evictOldest();
      this.#https.set(key, agent);
    }
    return agent;
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    this.#http.destroy();
    const agents = await Promise.allSettled([...this.#https.values()]);
    for (const agent of agents) if (agent.status === 'fulfilled') agent.value.destroy();
    this.#https.clear();
  }

  #evictOldest(): void {
    const [oldest] = this.#https.keys();
    if (oldest === undefined) return;
    const agent = this.#https.get(oldest);
    this.#https.delete(oldest);
    void agent?.then((old) => old.destroy(), () => undefined);
  }

  async #build(tls: TlsChoice): Promise<HttpsAgent> {
    const ca = [...(tls.caCert === undefined ? [] : [await this.#read(tls.caCert, 'caCert')]), ...(tls.caDir === undefined ? [] : await this.#readDirectory(tls.caDir))];
    if (tls.caPem !== undefined) await this.#checkCaPem(tls.caPem);
    const cert = tls.clientCert === undefined ? undefined : await this.#read(tls.clientCert, 'clientCert');
    const key = tls.clientKey === undefined ? undefined : await this.#read(tls.clientKey, 'clientKey');
    if ((cert === undefined) !== (key === undefined)) throw new ConfigError('a client certificate needs its key and a key its certificate; set both, or neither');
    return new HttpsAgent({
      keepAlive: true,
      maxSockets: 64,
      // Given CAs replace the system roots, as Vault's own client does with VAULT_CACERT.
      ...(ca.length === 0 ? {} : { ca }),
      ...(cert === undefined || key === undefined ? {} : { cert, key }),
      ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
      rejectUnauthorized: !tls.skipVerify,
    });
  }

  /** Reads a TLS file, after checking that its real path is still one the flags allow. */
  async #read(path: string, setting: 'caCert' | 'clientCert' | 'clientKey'): Promise<string> {
    const real = await this.#checkedPath(path, setting);
    return readFile(real, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw unreadable(path, error);
    });
  }

  async #readDirectory(dir: string): Promise<string[]> {
    const real = await this.#checkedPath(dir, 'caDir');
    const entries = await readdir(real, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      throw unreadable(dir, error);
    });
    const files = await Promise.all(entries.filter((entry) => entry.isFile() || entry.isSymbolicLink()).map((entry) => readFile(join(real, entry.name), 'utf8').catch(() => '')));
    const certificates = files.flatMap((text) => certificateBlocks(text));
    if (certificates.length === 0) throw new CourierError(status.FAILED_PRECONDITION, `the CA directory "${dir}" holds no PEM certificates`);
    return certificates;
  }

  /**
   * The real path (symlinks resolved) of a TLS file or directory: the administrator's own, or one
   * that still lies under --vault-tls-files-dir once resolved, so a symlink there cannot point anywhere.
   */
  async #checkedPath(path: string, setting: 'caCert' | 'caDir' | 'clientCert' | 'clientKey'): Promise<string> {
    const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
      throw unreadable(path, error);
    });
    const admin = this.#admin[setting];
    if ((admin === undefined || normalize(path) !== normalize(admin)) && !(await this.#underClassDir(real))) {
      throw new ConfigError(`the TLS file "${path}" resolves to "${real}", outside --vault-tls-files-dir; Courier does not read it`);
    }
    return real;
  }

  async #underClassDir(real: string): Promise<boolean> {
    const dir = this.#admin.classFilesDir;
    if (dir === undefined) return false;
    const base = await realpath(dir).catch(() => normalize(dir));
    return real.startsWith(`${base.replace(/\/+$/, '')}/`);
  }

  /** A legacy class's vaultCAPem is used only when it is the CA the administrator configured. */
  async #checkCaPem(pem: string): Promise<void> {
    const admin = this.#admin.caCert === undefined ? '' : await readFile(this.#admin.caCert, 'utf8').catch(() => '');
    const certificates = (text: string) => certificateBlocks(text).map((block) => block.replace(/\s+/g, '')).sort().join('\n');
    if (admin === '' || certificates(pem) === '' || certificates(pem) !== certificates(admin)) {
      throw new ConfigError('vaultCAPem: Courier trusts only the CA certificates the administrator configured (--vault-ca-cert); remove vaultCAPem, or make it that file\'s certificates');
    }
  }
}

function unreadable(path: string, error: NodeJS.ErrnoException): CourierError {
  return new CourierError(status.FAILED_PRECONDITION, `the TLS file "${path}" cannot be read (${error.code ?? 'error'}); check the file and the volume that holds it`);
}

/** The CERTIFICATE blocks of a PEM text (a class's vaultCAPem among them), found in linear time. */
function certificateBlocks(text: string): string[] {
  return pemBlocks(text).filter((block) => block.label === 'CERTIFICATE').map((block) => block.text);
}
