/** AWS case: 100 pods of one service account mount the same 10-secret class at once against moto; counts STS and Secrets Manager calls at the endpoint. */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DRIVER_KEYS } from '../../src/spc/decode-request.ts';
import { startFakeKubeApi } from '../../test/fakes/kube-api.ts';
import { connectProvider } from '../../test/helpers/provider-client.ts';
import { fakePodToken, tokensAttribute } from '../../test/helpers/pod-token.ts';
import { startAwsProxy, type AwsProxy } from '../../test/e2e/moto/aws-proxy.ts';
import { startMoto } from '../../test/e2e/moto/moto-server.ts';
import { startCourierProcess } from '../lib/courier-process.ts';
import { percentile, round } from '../lib/stats.ts';
import type { BenchCase } from '../lib/types.ts';

export const title = 'AWS: 100 pods of one service account mount one 10-secret SecretProviderClass at once (moto)';

const PODS = 100;
const SECRETS = 10;
const NAMESPACE = 'bench';
const SERVICE_ACCOUNT = 'app';
const OBJECTS = Array.from({ length: SECRETS }, (_, index) => `- {objectName: bench-secret-${index}, objectType: secretsmanager}`).join('\n');

/** Calls at the endpoint since `from`: STS exchanges and Secrets Manager reads. */
function callsSince(proxy: AwsProxy, from: number) {
  const calls = proxy.calls.slice(from);
  const count = (operation: string) => calls.filter((call) => call.operation.endsWith(`.${operation}`)).length;
  return { sts: count('AssumeRoleWithWebIdentity'), batch: count('BatchGetSecretValue'), get: count('GetSecretValue') };
}

function attributesFor(index: number): Record<string, string> {
  const token = fakePodToken({ namespace: NAMESPACE, serviceAccount: SERVICE_ACCOUNT, audience: 'sts.amazonaws.com' });
  return {
    dialect: 'aws',
    region: 'us-east-1',
    objects: OBJECTS,
    [DRIVER_KEYS.secretProviderClass]: 'bench-aws',
    [DRIVER_KEYS.podName]: `web-${index}`,
    [DRIVER_KEYS.podNamespace]: NAMESPACE,
    [DRIVER_KEYS.podUid]: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    [DRIVER_KEYS.serviceAccount]: SERVICE_ACCOUNT,
    [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'sts.amazonaws.com', token }]),
  };
}

/** One wave: every pod mounts at once; returns per-mount latencies and failures. */
async function wave(socketPath: string): Promise<{ latencies: number[]; failures: string[] }> {
  const client = connectProvider(socketPath);
  try {
    const outcomes = await Promise.all(
      Array.from({ length: PODS }, async (_, index) => {
        const started = performance.now();
        try {
          await client.mount({ attributes: attributesFor(index) }, 60_000);
          return { ms: performance.now() - started };
        } catch (error) {
          return { error: (error as Error).message };
        }
      }),
    );
    return { latencies: outcomes.flatMap((outcome) => ('ms' in outcome ? [outcome.ms] : [])), failures: outcomes.flatMap((outcome) => ('error' in outcome ? [outcome.error] : [])) };
  } finally {
    client.close();
  }
}

export async function run(): Promise<BenchCase> {
  const moto = await startMoto();
  const proxy = await startAwsProxy(moto.url);
  const kube = await startFakeKubeApi();
  try {
    kube.addServiceAccount(NAMESPACE, SERVICE_ACCOUNT, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/bench' });
    const seed = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' } });
    for (let index = 0; index < SECRETS; index += 1) await seed.send(new CreateSecretCommand({ Name: `bench-secret-${index}`, SecretString: `value-${index}` }));
    const courier = await startCourierProcess({ args: ['--kubeconfig', kube.kubeconfig], env: { AWS_ENDPOINT_URL: proxy.url, AWS_REGION: 'us-east-1' } });
    try {
      const rows: Array<Record<string, string | number>> = [];
      const measured: Array<ReturnType<typeof callsSince>> = [];
      for (const name of ['cold (first wave)', 'warm (second wave, within the cache TTL)']) {
        const from = proxy.calls.length;
        const { latencies, failures } = await wave(courier.socketPath);
        const calls = callsSince(proxy, from);
        measured.push(calls);
        rows.push({
          wave: name,
          mounts: latencies.length,
          failed: failures.length,
          'STS calls': calls.sts,
          'BatchGetSecretValue calls': calls.batch,
          'GetSecretValue calls': calls.get,
          'naive calls (STS + GetSecretValue)': `${PODS} + ${PODS * SECRETS}`,
          'p50 ms': round(percentile(latencies, 50), 1),
          'p99 ms': round(percentile(latencies, 99), 1),
          'max ms': round(Math.max(0, ...latencies), 1),
        });
        if (failures[0] !== undefined) rows.push({ wave: `first failure: ${failures[0]}` });
      }
      const cold = measured[0] ?? { sts: Infinity, batch: Infinity, get: Infinity };
      const allMounted = rows.every((row) => row['failed'] === undefined || row['failed'] === 0);
      return {
        title,
        rows,
        targets: [
          { metric: 'STS calls for 100 mounts of one service account', target: '<= 1', value: cold.sts, met: cold.sts <= 1 },
          { metric: 'Secrets Manager calls for one 10-secret set', target: `<= ${Math.ceil(SECRETS / 20)}`, value: cold.batch + cold.get, met: cold.batch + cold.get <= Math.ceil(SECRETS / 20) },
          { metric: 'mounts that succeeded', target: `${PODS * 2}`, value: allMounted ? PODS * 2 : 'some failed', met: allMounted },
        ],
      };
    } finally {
      await courier.stop();
    }
  } finally {
    await proxy.close();
    await kube.close();
    await moto.close();
  }
}
