#!/usr/bin/env node
/** The `courier` command line: serve, mount, validate, version. Flags also come from COURIER_* variables. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { gcpOptionsFromFlags } from '../backends/gcp-flags.ts';
import { LOG_LEVELS, type LogLevel } from '../observability/logger.ts';
import { DEFAULT_SERVE_OPTIONS, PROVIDER_NAME, type ServeOptions } from '../server/options.ts';
import { DIALECT_NAMES, type DialectName } from '../spc/types.ts';
import { RUNTIME_NAME, VERSION } from '../version.ts';

/** A flag whose value may also come from the COURIER_<NAME> environment variable. */
function flag(flags: string, description: string, env: string): Option {
  return new Option(flags, description).env(`COURIER_${env}`);
}

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return seconds * 1000;
}

function nonNegativeSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError('must be a number of seconds, 0 or more');
  return seconds * 1000;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a whole number, 1 or more');
  return number;
}

/** Bytes, optionally with a Ki, Mi or Gi suffix (`64Mi`). */
function byteSize(value: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('must be a number of bytes, optionally with Ki, Mi or Gi (e.g. 64Mi)');
  const unit = match[2] === 'Gi' ? 1024 ** 3 : match[2] === 'Mi' ? 1024 ** 2 : match[2] === 'Ki' ? 1024 : 1;
  return Number(match[1]) * unit;
}

/** `--aws-region`, else the AWS_REGION the SDK itself would use, read once here at start-up. */
function awsRegionOption(flag: unknown): { awsRegion?: string } {
  const region = typeof flag === 'string' && flag !== '' ? flag : process.env['AWS_REGION'];
  return region === undefined || region === '' ? {} : { awsRegion: region };
}

function providerName(value: string): string {
  if (!PROVIDER_NAME.test(value) || value === '') throw new InvalidArgumentError('must match ^[a-zA-Z0-9_-]{1,30}$ (the driver\'s rule)');
  return value;
}

function compatList(value: string, previous: DialectName[] = []): DialectName[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (name === 'native' || !(DIALECT_NAMES as readonly string[]).includes(name)) throw new InvalidArgumentError(`"${name}" is not a compatibility dialect; use aws, gcp or vault`);
  }
  return [...previous, ...(names as DialectName[])];
}

function buildProgram(): Command {
  const program = new Command('courier').description('A Secrets Store CSI driver provider for every secret store.').version(VERSION, '-V, --version').showHelpAfterError();
  const d = DEFAULT_SERVE_OPTIONS;
  program
    .command('serve')
    .description('serve the provider socket for the Secrets Store CSI driver')
    .addOption(flag('--socket-dir <dir>', 'directory of the provider sockets', 'SOCKET_DIR').default(d.socketDir))
    .addOption(flag('--provider-name <name>', 'provider name; the socket is <dir>/<name>.sock', 'PROVIDER_NAME').default(d.providerName).argParser(providerName))
    .addOption(flag('--compat <dialects>', 'also serve <dialect>.sock speaking that dialect (aws, gcp, vault; comma-separated)', 'COMPAT').argParser(compatList))
    .addOption(flag('--local-store <dir>', 'enable the file: store, serving files under <dir>', 'LOCAL_STORE'))
    .addOption(flag('--aws-region <region>', 'AWS region for objects that name none (default: AWS_REGION)', 'AWS_REGION'))
    .addOption(flag('--eks-pod-identity-agent-url <url>', 'EKS Pod Identity agent credentials URL (default: http://169.254.170.23/v1/credentials, then [fd00:ec2::23])', 'EKS_POD_IDENTITY_AGENT_URL'))
    .addOption(flag('--gcp-workload-identity-pool <pool>', 'Google workload identity pool: PROJECT.svc.id.goog on GKE, else projects/NUMBER/locations/global/workloadIdentityPools/POOL; enables gcp-sm', 'GCP_WORKLOAD_IDENTITY_POOL'))
    .addOption(flag('--gcp-workload-identity-provider <provider>', 'GKE cluster URL, or the pool provider ID (default on GKE: from project, cluster location and name)', 'GCP_WORKLOAD_IDENTITY_PROVIDER'))
    .addOption(flag('--gcp-token-audience <audience>', 'tokenRequests audience of pod tokens sent to Google STS (default: the pool on GKE, the provider name elsewhere)', 'GCP_TOKEN_AUDIENCE'))
    .addOption(flag('--gcp-project <project>', 'GKE project ID; the pool defaults to PROJECT.svc.id.goog; enables gcp-sm', 'GCP_PROJECT'))
    .addOption(flag('--gcp-cluster-location <location>', 'GKE cluster location, for the default provider', 'GCP_CLUSTER_LOCATION'))
    .addOption(flag('--gcp-cluster-name <name>', 'GKE cluster name, for the default provider', 'GCP_CLUSTER_NAME'))
    .addOption(flag('--gcp-secret-manager-endpoint <host:port>', 'Secret Manager endpoint (default secretmanager.googleapis.com)', 'GCP_SECRET_MANAGER_ENDPOINT'))
    .addOption(flag('--gcp-secret-manager-regional-endpoint <template>', 'regional Secret Manager endpoint, {location} replaced (default secretmanager.{location}.rep.googleapis.com)', 'GCP_SECRET_MANAGER_REGIONAL_ENDPOINT'))
    .addOption(flag('--gcp-sts-endpoint <url>', 'Google STS token URL (default https://sts.googleapis.com/v1/token)', 'GCP_STS_ENDPOINT'))
    .addOption(flag('--gcp-iam-credentials-endpoint <url>', 'IAM Credentials base URL (default https://iamcredentials.googleapis.com)', 'GCP_IAM_CREDENTIALS_ENDPOINT'))
    .addOption(flag('--gcp-plaintext', 'talk to the Google endpoints without TLS (tests only)', 'GCP_PLAINTEXT'))
    .addOption(flag('--allow-provider-identity', 'let SecretProviderClasses use Courier\'s own cloud credentials (auth: provider-adc)', 'ALLOW_PROVIDER_IDENTITY'))
    .addOption(flag('--kubeconfig <file>', 'kubeconfig for the Kubernetes API (development; in-cluster config by default)', 'KUBECONFIG'))
    .addOption(flag('--mirror-secrets', 'let SecretProviderClasses mirror mounted files into Kubernetes Secrets (needs RBAC on secrets)', 'MIRROR_SECRETS'))
    .addOption(flag('--write-files', 'write files into the target path atomically instead of returning them to the driver', 'WRITE_FILES'))
    .addOption(flag('--metrics-addr <host:port>', 'Prometheus /metrics address ("off" disables)', 'METRICS_ADDR').default(d.metricsAddr))
    .addOption(flag('--health-addr <host:port>', '/healthz and /readyz address ("off" disables)', 'HEALTH_ADDR').default(d.healthAddr))
    .addOption(flag('--log-level <level>', 'log level', 'LOG_LEVEL').choices(LOG_LEVELS).default(d.logLevel))
    .addOption(flag('--grace-period <seconds>', 'how long in-flight mounts may finish after SIGTERM', 'GRACE_PERIOD').default(d.gracePeriodMs, String(d.gracePeriodMs / 1000)).argParser(positiveSeconds))
    .addOption(flag('--mount-timeout <seconds>', 'deadline of a Mount whose call has none', 'MOUNT_TIMEOUT').default(d.mountTimeoutMs, String(d.mountTimeoutMs / 1000)).argParser(positiveSeconds))
    .addOption(flag('--cache-ttl <seconds>', 'how long a fetched value may be served again (0 disables the cache)', 'CACHE_TTL').default(d.cacheTtlMs, String(d.cacheTtlMs / 1000)).argParser(nonNegativeSeconds))
    .addOption(flag('--cache-max-bytes <bytes>', 'memory bound of the value cache (e.g. 64Mi)', 'CACHE_MAX_BYTES').default(d.cacheMaxBytes, '64Mi').argParser(byteSize))
    .addOption(flag('--max-concurrent-fetches <n>', 'store calls in flight at once per store; more wait in a queue', 'MAX_CONCURRENT_FETCHES').default(d.maxConcurrentFetches).argParser(positiveInteger))
    .action(async (flags: Record<string, unknown>) => {
      const options: ServeOptions = Object.freeze({
        socketDir: flags['socketDir'] as string,
        providerName: flags['providerName'] as string,
        compat: (flags['compat'] as DialectName[] | undefined) ?? [],
        ...(typeof flags['localStore'] === 'string' ? { localStore: flags['localStore'] } : {}),
        ...awsRegionOption(flags['awsRegion']),
        ...(typeof flags['eksPodIdentityAgentUrl'] === 'string' ? { eksPodIdentityAgentUrl: flags['eksPodIdentityAgentUrl'] } : {}),
        ...gcpOptionsFromFlags(flags),
        allowProviderIdentity: flags['allowProviderIdentity'] === true || flags['allowProviderIdentity'] === 'true',
        ...(typeof flags['kubeconfig'] === 'string' ? { kubeconfig: flags['kubeconfig'] } : {}),
        mirrorSecrets: flags['mirrorSecrets'] === true || flags['mirrorSecrets'] === 'true',
        writeFiles: flags['writeFiles'] === true || flags['writeFiles'] === 'true',
        metricsAddr: flags['metricsAddr'] as string,
        healthAddr: flags['healthAddr'] as string,
        logLevel: flags['logLevel'] as LogLevel,
        gracePeriodMs: flags['gracePeriod'] as number,
        mountTimeoutMs: flags['mountTimeout'] as number,
        cacheTtlMs: flags['cacheTtl'] as number,
        cacheMaxBytes: flags['cacheMaxBytes'] as number,
        maxConcurrentFetches: flags['maxConcurrentFetches'] as number,
      });
      // Commands load on use: serve's start-up should not pay for what mount or validate import.
      const { serve } = await import('./serve-command.ts');
      await serve(options);
    });
  program
    .command('mount')
    .description('mount a SecretProviderClass into a directory once, as the driver would (for debugging)')
    .requiredOption('--spc <file>', 'SecretProviderClass manifest (YAML)')
    .requiredOption('--target <dir>', 'directory to write the files into')
    .addOption(flag('--namespace <ns>', 'pod namespace (default: the manifest\'s, else "default")', 'NAMESPACE'))
    .addOption(flag('--pod-name <name>', 'pod name', 'POD_NAME').default('courier-mount'))
    .addOption(flag('--service-account <sa>', 'pod service account', 'SERVICE_ACCOUNT').default('default'))
    .option('--token <audience=file>', 'a service-account token for an audience, read from a file (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .addOption(flag('--socket <path>', 'call a running Courier on this socket instead of running in-process', 'SOCKET'))
    .addOption(flag('--local-store <dir>', 'local store directory for in-process mounts', 'LOCAL_STORE'))
    .addOption(flag('--kubeconfig <file>', 'kubeconfig for the Kubernetes API (service accounts, --mirror)', 'KUBECONFIG'))
    .option('--mirror', 'write the mirror Secrets of the "mirror" parameter (in-process; without it they are only checked and listed)')
    .option('--permission <octal>', 'default file mode, as the driver sends it', '0644')
    .action(async (flags: Record<string, unknown>) => {
      const { mountCommand } = await import('./mount-command.ts');
      process.exitCode = await mountCommand({ ...flags, ...awsRegionOption(undefined) });
    });
  program
    .command('validate')
    .description('check SecretProviderClass manifests without fetching anything')
    .argument('<files...>', 'YAML files, each with one or more documents')
    .action(async (files: string[]) => {
      const { validateCommand } = await import('./validate-command.ts');
      process.exitCode = await validateCommand(files);
    });
  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`${RUNTIME_NAME} ${VERSION}\n`);
    });
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // A start-up failure (a store that cannot start, a socket that cannot be bound) is one line, not a stack trace.
  process.stderr.write(`courier: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
