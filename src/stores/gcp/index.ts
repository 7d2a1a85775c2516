/** The `gcp` store module: Google Secret Manager (`gcp-sm`), global and regional, with the pod's workload identity. */
import { exchangeRecorder } from '../../observability/exchange-metrics.ts';
import type { KeyProblem, Selector } from '../../spc/store-catalog.ts';
import type { Backend } from '../backend.ts';
import { lazyBackend } from '../lazy-backend.ts';
import type { StoreModule } from '../store-module.ts';
import { checkGcpOptions } from './checked-options.ts';
import { gcpDialect } from './dialect.ts';
import { explainGcpIdentity, gcpRequirements } from './explain.ts';
import { GCP_AUTH_MODES, parseSecretVersionName } from './locator.ts';
import { GCP_FLAGS, gcpOptions, gcpStoreEnabled } from './options.ts';

/** A version pin must be a number or `latest` and agree with one named in the locator; Secret Manager has no stages. */
function checkSelector({ locator, version, stage }: Selector): readonly KeyProblem[] {
  const problems: KeyProblem[] = [];
  if (stage !== undefined) problems.push({ key: 'stage', message: 'Secret Manager has no staging labels; pin a version with "version" instead' });
  if (version !== undefined && !('error' in parseSecretVersionName(locator))) {
    const parsed = parseSecretVersionName(locator, version);
    if ('error' in parsed) problems.push({ key: 'version', message: parsed.error });
  }
  return problems;
}

/** Google Secret Manager; on when a workload identity pool (or a GKE project) is configured. */
export const gcpStoreModule: StoreModule = {
  name: 'gcp',
  title: 'Google Secret Manager',
  docs: 'docs/gcp.md',
  sources: [
    {
      name: 'gcp-sm',
      locatorHelp: 'a secret version name, projects/P/secrets/S[/versions/V] (or projects/P/locations/L/secrets/S...)',
      checkLocator(locator) {
        const parsed = parseSecretVersionName(locator);
        return 'error' in parsed ? parsed.error : undefined;
      },
      checkSelector,
      enableHint: 'start it with --gcp-workload-identity-pool, or --gcp-project on GKE',
    },
  ],
  settings: {
    prefix: 'gcp.',
    parameters: [
      {
        name: 'auth',
        help: 'whose identity reads: pod-adc (the pod\'s workload identity, default) or provider-adc (Courier\'s own, only with --allow-provider-identity)',
        check: (value) => ((GCP_AUTH_MODES as readonly string[]).includes(value) ? undefined : `"${value}" is not one of ${GCP_AUTH_MODES.join(', ')}`),
      },
    ],
  },
  dialects: [gcpDialect],
  flags: GCP_FLAGS,
  enabled: (flags) => gcpStoreEnabled(gcpOptions(flags)),
  explainIdentity: explainGcpIdentity,
  requirements: gcpRequirements,
  start(flags, shared) {
    // The flags are checked now; the Google client libraries load with the first Google object (or --preload-stores).
    const options = gcpOptions(flags);
    checkGcpOptions(options);
    const onExchange = exchangeRecorder(shared.metricsRegistry, 'gcp');
    const load = async () => (await import('./setup.ts')).createGcpStore(options, shared.allowProviderIdentity, shared.serviceAccounts, shared.tokenVerifier, onExchange) as Backend;
    return Promise.resolve([lazyBackend('gcp-sm', load)]);
  },
};
