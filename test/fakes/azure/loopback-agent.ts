/**
 * The seam that points the real Azure SDKs at the fakes: an https.Agent that keeps the real host names
 * (TLS SNI, certificate checks, Host headers) but connects every known host to a fake on 127.0.0.1.
 */
import type { RequestOptions } from 'node:http';
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';

/** One host (or `*.suffix` wildcard for one label) served by a fake on a loopback port. */
export interface LoopbackRoute {
  readonly host: string;
  readonly port: number;
  /** For wildcard routes: whether a name exists; others fail with `ENOTFOUND`, as DNS would answer. */
  readonly resolves?: (host: string) => boolean;
}

/**
 * Routes connections by host name to loopback ports and trusts only the fakes' test CA.
 * A host without a route fails the request instead of reaching the network.
 */
export class LoopbackAgent extends Agent {
  readonly #routes = new Map<string, LoopbackRoute>();
  /** Connections made per host name, for tests that count them. */
  readonly connections = new Map<string, number>();

  constructor(ca: string, options: AgentOptions = {}) {
    super({ keepAlive: true, ...options, ca });
  }

  /** Serves `host` (exact, or `*.example.com` for any one label in front) from 127.0.0.1:`port`. */
  route(route: LoopbackRoute): void {
    this.#routes.set(route.host.toLowerCase(), route);
  }

  /** The route for a host name, if a fake serves it. */
  routeFor(host: string): LoopbackRoute | undefined {
    const name = host.toLowerCase();
    const exact = this.#routes.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    return dot > 0 ? this.#routes.get(`*${name.slice(dot)}`) : undefined;
  }

  // Node's Agent calls this with the request's options (host, port, servername, TLS options).
  override createConnection(options: RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    const host = options.host ?? options.hostname ?? 'localhost';
    const route = this.routeFor(host);
    const failure = !route
      ? new Error(`no Azure fake serves ${host}; refusing to leave the machine`)
      : route.resolves && !route.resolves(host)
        ? Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: host })
        : undefined;
    if (failure || !route) {
      const error = failure ?? new Error(host);
      if (callback) {
        callback(error, undefined as never);
        return undefined;
      }
      throw error;
    }
    this.connections.set(host, (this.connections.get(host) ?? 0) + 1);
    return connect({ ...(options as ConnectionOptions), host: '127.0.0.1', port: route.port, servername: host });
  }
}
