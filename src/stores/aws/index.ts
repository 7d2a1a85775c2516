/** The `aws` store module: AWS Secrets Manager (`aws-sm`) and SSM Parameter Store (`aws-ssm`), with the pod's IAM role. */
import { exchangeRecorder } from '../../observability/exchange-metrics.ts';
import type { KeyProblem, ParameterSpec, Selector } from '../../spc/store-catalog.ts';
import type { Backend } from '../backend.ts';
import { lazyBackend } from '../lazy-backend.ts';
import type { StoreModule } from '../store-module.ts';
import { awsDialect } from './dialect.ts';
import { awsRequirements, explainAwsIdentity } from './explain.ts';
import { AWS_STORE_KEYS, checkAwsSetting, failoverRegionProblem, parseArn, type AwsSource } from './settings.ts';

const SETTING_HELP: Readonly<Record<(typeof AWS_STORE_KEYS)[number], string>> = {
  region: 'the region of every AWS object (default: --aws-region / AWS_REGION)',
  failoverRegion: 'a second region asked when the first throttles or is unavailable',
  usePodIdentity: '"true": EKS Pod Identity instead of IRSA',
  preferredAddressType: 'how to reach the Pod Identity agent: auto, ipv4 or ipv6',
};

const settings: readonly ParameterSpec[] = AWS_STORE_KEYS.map((name) => ({ name, help: SETTING_HELP[name], check: (value: string) => checkAwsSetting(name, value) }));

/** An ARN locator must be one, for the service of its source. */
function arnProblem(locator: string, service: string, other: string): string | undefined {
  if (!locator.startsWith('arn:')) return undefined;
  const arn = parseArn(locator);
  if (arn === undefined) return `"${locator}" is not a valid ARN`;
  if (arn.service !== service) return `the ARN's service "${arn.service}" is not ${service}; use the ${other} store for it`;
  return undefined;
}

/** SSM pins a version number or a label, not both; Secrets Manager takes any VersionId and staging label. */
function ssmSelector({ version, stage }: Selector): readonly KeyProblem[] {
  if (version !== undefined && stage !== undefined) return [{ key: 'stage', message: 'an SSM parameter takes a version or a label, not both' }];
  if (version !== undefined && !/^[1-9]\d*$/.test(version)) return [{ key: 'version', message: `SSM parameter version "${version}" is not a version number` }];
  return [];
}

/** AWS: both stores are always on (each pod brings its own identity); the SDK loads with the first AWS object. */
export const awsStoreModule: StoreModule = {
  name: 'aws',
  title: 'AWS Secrets Manager and SSM Parameter Store',
  docs: 'docs/aws.md',
  sources: [
    { name: 'aws-sm', locatorHelp: 'a Secrets Manager secret name or ARN', checkLocator: (locator) => arnProblem(locator, 'secretsmanager', 'aws-ssm'), enableHint: 'it is always on' },
    { name: 'aws-ssm', locatorHelp: 'an SSM parameter name or ARN', checkLocator: (locator) => arnProblem(locator, 'ssm', 'aws-sm'), checkSelector: ssmSelector, enableHint: 'it is always on' },
  ],
  settings: {
    prefix: 'aws.',
    parameters: settings,
    checkTogether(values) {
      const problem = failoverRegionProblem(values['region'], values['failoverRegion']);
      return problem === undefined ? [] : [{ key: 'failoverRegion', message: problem }];
    },
  },
  dialects: [awsDialect],
  flags: [
    { name: 'aws-region', key: 'region', value: 'region', fallbackEnv: 'AWS_REGION', chartValue: 'stores.aws.region', help: 'AWS region for objects that name none (default: AWS_REGION)' },
    {
      name: 'eks-pod-identity-agent-url',
      key: 'podIdentityAgentUrl',
      value: 'url',
      chartValue: 'stores.aws.podIdentityAgentUrl',
      help: 'EKS Pod Identity agent credentials URL (default: http://169.254.170.23/v1/credentials, then [fd00:ec2::23])',
    },
  ],
  enabled: () => true,
  explainIdentity: explainAwsIdentity,
  requirements: awsRequirements,
  start(flags, shared) {
    // Registered now, so /metrics lists the counter before the first AWS object loads the SDK.
    const onExchange = exchangeRecorder(shared.metricsRegistry, 'aws');
    let loading: ReturnType<typeof load> | undefined;
    const load = () => import('./create.ts').then(({ createAwsStores }) =>
      createAwsStores({
        ...(typeof flags['region'] === 'string' ? { defaultRegion: flags['region'] } : {}),
        ...(typeof flags['podIdentityAgentUrl'] === 'string' ? { podIdentityAgentUrl: flags['podIdentityAgentUrl'] } : {}),
        serviceAccounts: shared.serviceAccounts,
        tokenVerifier: shared.tokenVerifier,
        onExchange,
      }),
    );
    const stores = () => (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
    const backend = (source: AwsSource) => lazyBackend(source, async () => (await stores()).find((store) => store.store === source) as Backend);
    return Promise.resolve([backend('aws-sm'), backend('aws-ssm')]);
  },
};
