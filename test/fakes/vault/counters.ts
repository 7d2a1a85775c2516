/** Counters and a request log of what reached the fake, for assertions in tests and figures in benchmarks. */

/** One request as the fake saw it (never its token or body). */
export interface RecordedRequest {
  readonly method: string;
  /** The operation Vault derived: read, list, create, update, delete. */
  readonly operation: string;
  /** Path inside its namespace, without `/v1/`: `secret/data/app/db`. */
  readonly path: string;
  /** Namespace path, '' for root. */
  readonly namespace: string;
  readonly status: number;
  /** The accessor of the token used, when it was valid. */
  readonly accessor: string | undefined;
}

/** Which logins to count: a role, optionally narrowed to one auth mount and namespace. */
export interface LoginFilter {
  readonly mount?: string;
  readonly namespace?: string;
}

/** Request log plus derived counts. */
export class VaultCounters {
  readonly requests: RecordedRequest[] = [];
  readonly #logins: Array<{ namespace: string; mount: string; role: string; ok: boolean }> = [];

  /** Records a request (called by the server once the answer is known). */
  record(request: RecordedRequest): void {
    this.requests.push(request);
  }

  /** Records a login attempt against `auth/<mount>/login`. */
  recordLogin(namespace: string, mount: string, role: string, ok: boolean): void {
    this.#logins.push({ namespace, mount, role, ok });
  }

  /** Successful logins (tokens issued) for `role`, or for every role when omitted. */
  logins(role?: string, filter: LoginFilter = {}): number {
    return this.#matchingLogins(role, filter).filter((login) => login.ok).length;
  }

  /** Login attempts, successful or not. */
  loginAttempts(role?: string, filter: LoginFilter = {}): number {
    return this.#matchingLogins(role, filter).length;
  }

  /** Read and list requests to secrets engines (any outcome) for `path` (`secret/data/app/db`), or all. */
  reads(path?: string, namespace = ''): number {
    return this.requests.filter((r) => (r.operation === 'read' || r.operation === 'list') && isEnginePath(r.path) && (path === undefined || (r.path === path && r.namespace === namespace))).length;
  }

  /** Requests matching every given field. */
  calls(filter: Partial<Pick<RecordedRequest, 'method' | 'operation' | 'path' | 'namespace' | 'status'>> = {}): number {
    return this.requests.filter((r) => Object.entries(filter).every(([key, value]) => r[key as keyof RecordedRequest] === value)).length;
  }

  /** Forgets every request and login (leases and tokens keep their own counts). */
  reset(): void {
    this.requests.length = 0;
    this.#logins.length = 0;
  }

  #matchingLogins(role: string | undefined, filter: LoginFilter) {
    return this.#logins.filter((l) => (role === undefined || l.role === role) && (filter.mount === undefined || l.mount === filter.mount) && (filter.namespace === undefined || l.namespace === filter.namespace));
  }
}

function isEnginePath(path: string): boolean {
  return !path.startsWith('sys/') && !path.startsWith('auth/');
}
