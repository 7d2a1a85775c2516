/** Builds Secrets Manager and SSM clients for one identity and region over one shared connection pool. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsIdentity } from './identity.ts';

/** SDK settings shared by every AWS client Courier builds. */
export interface AwsClientOptions {
  /** Courier retries above the SDK (and fails over between regions), so the SDK tries at most this often. */
  readonly maxAttempts: number;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export const DEFAULT_AWS_CLIENT_OPTIONS: AwsClientOptions = Object.freeze({ maxAttempts: 2, connectTimeoutMs: 3_000, requestTimeoutMs: 10_000 });

/**
 * Makes clients. A client is cheap once the HTTP handler is shared, so one is built per identity
 * and region for each fetch: its credentials come from the identity the fetch resolved, never from
 * the SDK's default chain (that would be Courier's own role). Endpoints follow the SDK's
 * AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SSM variables.
 */
export class AwsClientFactory {
  readonly #options: AwsClientOptions;
  readonly #handler: SecretsManagerClient['config']['requestHandler'];

  constructor(options: AwsClientOptions = DEFAULT_AWS_CLIENT_OPTIONS) {
    this.#options = options;
    // The SDK builds its Node.js HTTP handler from these settings; Courier keeps that one handler and
    // hands it to every client, so connections are pooled without depending on @smithy packages.
    const template = new SecretsManagerClient({ region: 'us-east-1', requestHandler: { connectionTimeout: options.connectTimeoutMs, requestTimeout: options.requestTimeoutMs } });
    this.#handler = template.config.requestHandler;
  }

  secretsManager(identity: AwsIdentity, region: string): SecretsManagerClient {
    return new SecretsManagerClient(this.#config(identity, region));
  }

  ssm(identity: AwsIdentity, region: string): SSMClient {
    return new SSMClient(this.#config(identity, region));
  }

  /** Closes pooled connections. Clients are not destroyed one by one: that would close the shared pool. */
  close(): void {
    this.#handler.destroy?.();
  }

  #config(identity: AwsIdentity, region: string) {
    return { region, credentials: () => identity.credentials(region), maxAttempts: this.#options.maxAttempts, requestHandler: this.#handler };
  }
}
