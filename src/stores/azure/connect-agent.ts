/** The HTTPS agent of the Azure clients when the administrator routes or trusts connections: real host names for TLS, chosen addresses, extra CAs. */
import { rootCertificates, connect, type ConnectionOptions } from 'node:tls';
import type { RequestOptions } from 'node:http';
import { Agent } from 'node:https';
import type { Duplex } from 'node:stream';
import type { ConnectRoute } from './options.ts';

/**
 * An agent that connects each routed host (`--azure-connect-to`) to its address while TLS still
 * checks the certificate against the host name, and trusts the system's CAs plus `ca`
 * (`--azure-ca-file`). Hosts without a route connect as usual. Certificate and host-name
 * verification are never turned off.
 */
export class ConnectAgent extends Agent {
  readonly #routes: readonly ConnectRoute[];

  constructor(routes: readonly ConnectRoute[], ca: string | undefined) {
    super({ keepAlive: true, ...(ca === undefined ? {} : { ca: [...rootCertificates, ca] }) });
    this.#routes = routes;
  }

  /** The route for a host: an exact entry, else a `*.suffix` entry for one label in front. */
  routeFor(host: string): ConnectRoute | undefined {
    const name = host.toLowerCase();
    const dot = name.indexOf('.');
    return this.#routes.find((route) => route.host === name) ?? (dot > 0 ? this.#routes.find((route) => route.host === `*${name.slice(dot)}`) : undefined);
  }

  // Node's Agent calls this with the request's options (host, port, servername, the agent's TLS options).
  override createConnection(options: RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    const host = options.host ?? options.hostname ?? 'localhost';
    const route = this.routeFor(host);
    if (route === undefined) return super.createConnection(options, callback);
    return connect({ ...(options as ConnectionOptions), host: route.address, port: route.port, servername: host });
  }
}
