/** Builds AWS stores for unit tests: a fake service-account reader and credential exchange, the real SDK clients (mocked with aws-sdk-client-mock by the tests). */
import type { FetchContext, FetchRequest } from '../../../src/stores/backend.ts';
import { AwsClientFactory } from '../../../src/stores/aws/clients.ts';
import { AwsSecretsManagerStore } from '../../../src/stores/aws/secrets-manager.ts';
import { AwsSsmStore } from '../../../src/stores/aws/ssm.ts';
import type { AwsCredentials } from '../../../src/stores/aws/credential-cache.ts';
import type { CredentialExchange } from '../../../src/stores/aws/exchange.ts';
import { AwsIdentityResolver, IRSA_AUDIENCE, ROLE_ANNOTATION } from '../../../src/stores/aws/identity.ts';
import type { ServiceAccountToken } from '../../../src/spc/types.ts';
import { fakePodToken } from '../../helpers/pod-token.ts';

export const ROLE = 'arn:aws:iam::123456789012:role/app';
export const POD = { name: 'web-0', namespace: 'team-a', uid: 'uid-1', serviceAccount: 'app' } as const;

/** Credentials the fake exchange hands out, valid for an hour. */
export function fakeCredentials(): AwsCredentials {
  return { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session', expiration: new Date(Date.now() + 3_600_000) };
}

/** A context carrying the pod's IRSA token. */
export function irsaContext(signal: AbortSignal = new AbortController().signal): FetchContext {
  const token: ServiceAccountToken = { audience: IRSA_AUDIENCE, token: fakePodToken({ namespace: POD.namespace, serviceAccount: POD.serviceAccount, audience: IRSA_AUDIENCE }), expirationTimestamp: '' };
  return { signal, pod: POD, tokens: new Map([[IRSA_AUDIENCE, token]]) };
}

/** A request with the default region. */
export function request(locator: string, pin: { version?: string; stage?: string } = {}, storeParams: Record<string, string> = {}): FetchRequest {
  return { locator, ...pin, storeParams: { region: 'us-east-1', ...storeParams } };
}

/** Both stores over a fake identity whose service account names ROLE; counts exchanges. */
export function awsStores(annotations: Record<string, string> = { [ROLE_ANNOTATION]: ROLE }, defaultRegion: string | null = 'us-east-1') {
  const exchanges: string[] = [];
  const exchange: CredentialExchange = {
    webIdentity: ({ roleArn, region }) => {
      exchanges.push(`sts ${roleArn} ${region}`);
      return Promise.resolve(fakeCredentials());
    },
    podIdentity: ({ url }) => {
      exchanges.push(`agent ${url}`);
      return Promise.resolve(fakeCredentials());
    },
  };
  const identities = new AwsIdentityResolver({ serviceAccounts: { annotations: () => Promise.resolve(annotations) }, exchange });
  const clients = new AwsClientFactory({ maxAttempts: 1, connectTimeoutMs: 1_000, requestTimeoutMs: 1_000 });
  const options = { identities, clients, ...(defaultRegion === null ? {} : { defaultRegion }) };
  return { sm: new AwsSecretsManagerStore(options), ssm: new AwsSsmStore(options), exchanges };
}

/** An SDK-shaped service error. */
export function awsError(name: string, httpStatusCode: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode }, $fault: httpStatusCode >= 500 ? 'server' : 'client' });
}

/** Results as short strings: `ok <text> <version>` or `<ErrorName> <message>`. */
export function describeResults(results: ReadonlyArray<{ ok: true; contents: Uint8Array; version: string } | { ok: false; error: Error }>): string[] {
  return results.map((result) => (result.ok ? `ok ${Buffer.from(result.contents).toString()} ${result.version}` : `${result.error.name} ${result.error.message}`));
}
