#!/usr/bin/env node
/** The `courier` command line: serve, mount, validate, convert, explain, doctor, version. Flags also come from COURIER_* variables. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { TOKEN_VERIFICATION_MODES, type TokenVerificationMode } from '../identity/token-verifier.ts';
import { LOG_LEVELS, type LogLevel } from '../observability/logger.ts';
import { DEFAULT_SERVE_OPTIONS, PROVIDER_NAME, type ServeOptions } from '../server/options.ts';
import { STORE_MODULES } from '../stores/registry.ts';
import { parsePreloadChoice, type PreloadChoice } from '../stores/preload.ts';
import { RUNTIME_NAME, VERSION } from '../version.ts';
import { addOperationsCommands } from './ops-commands.ts';
import { addStoreFlags, readStoreFlags } from './store-flags.ts';

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

function providerName(value: string): string {
  if (!PROVIDER_NAME.test(value) || value === '') throw new InvalidArgumentError('must match ^[a-zA-Z0-9_-]{1,30}$ (the driver\'s rule)');
  return value;
}

/** The stores' compatibility dialects, each of which may get its own socket. */
const COMPAT_DIALECTS = STORE_MODULES.flatMap((module) => module.dialects.map((dialect) => dialect.name));

function compatList(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!COMPAT_DIALECTS.includes(name)) throw new InvalidArgumentError(`"${name}" is not a compatibility dialect; use ${COMPAT_DIALECTS.join(', ')}`);
  }
  return [...previous, ...names];
}

function preloadChoice(value: string): PreloadChoice {
  try {
    return parsePreloadChoice(value, STORE_MODULES);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function buildProgram(): Command {
  const program = new Command('courier').description('A Secrets Store CSI driver provider for every secret store.').version(VERSION, '-V, --version').showHelpAfterError();
  const d = DEFAULT_SERVE_OPTIONS;
  const b = d.budgets;
  const serve = program
    .command('serve')
    .description('serve the provider socket for the Secrets Store CSI driver')
    .addOption(flag('--socket-dir <dir>', 'directory of the provider sockets', 'SOCKET_DIR').default(d.socketDir))
    .addOption(flag('--provider-name <name>', 'provider name; the socket is <dir>/<name>.sock', 'PROVIDER_NAME').default(d.providerName).argParser(providerName))
    .addOption(flag('--compat <dialects>', `also serve <dialect>.sock speaking that dialect (${COMPAT_DIALECTS.join(', ')}; comma-separated)`, 'COMPAT').argParser(compatList))
    .addOption(flag('--allow-provider-identity', 'let SecretProviderClasses use Courier\'s own cloud credentials (auth: provider-adc)', 'ALLOW_PROVIDER_IDENTITY'))
    .addOption(flag('--verify-tokens <mode>', 'check pod-token signatures: off (claims only), jwks (the issuer\'s keys), tokenreview (the API server)', 'VERIFY_TOKENS').choices(TOKEN_VERIFICATION_MODES).default(d.verifyTokens))
    .addOption(flag('--token-issuer <url>', 'the issuer (iss) pod tokens must name, with --verify-tokens jwks', 'TOKEN_ISSUER'))
    .addOption(flag('--token-jwks-url <url>', 'the issuer\'s JWKS, with --verify-tokens jwks (default: the Kubernetes API\'s /openid/v1/jwks)', 'TOKEN_JWKS_URL'))
    .addOption(flag('--version-key-file <file>', 'key (16 bytes or more) that object versions are hashed with; default: a random key per start', 'VERSION_KEY_FILE'))
    .addOption(flag('--kubeconfig <file>', 'kubeconfig for the Kubernetes API (development; in-cluster config by default)', 'KUBECONFIG'))
    .addOption(flag('--mirror-secrets', 'let SecretProviderClasses mirror mounted files into Kubernetes Secrets (needs RBAC on secrets)', 'MIRROR_SECRETS'))
    .addOption(flag('--pod-events <bool>', 'record failed Mounts and rotations as Events on the pod (needs RBAC on events.k8s.io events)', 'POD_EVENTS').choices(['true', 'false']).default('true'))
    .addOption(flag('--write-files', 'write files into the target path atomically instead of returning them to the driver', 'WRITE_FILES'))
    .addOption(flag('--metrics-addr <host:port>', 'Prometheus /metrics address ("off" disables)', 'METRICS_ADDR').default(d.metricsAddr))
    .addOption(flag('--health-addr <host:port>', '/healthz and /readyz address ("off" disables)', 'HEALTH_ADDR').default(d.healthAddr))
    .addOption(flag('--log-level <level>', 'log level', 'LOG_LEVEL').choices(LOG_LEVELS).default(d.logLevel))
    .addOption(flag('--preload-stores <stores>', 'load these stores\' libraries right after the socket is up: auto (the stores whose flags are set), all, none, or names (aws,gcp)', 'PRELOAD_STORES').default('auto').argParser(preloadChoice))
    .addOption(flag('--grace-period <seconds>', 'how long in-flight mounts may finish after SIGTERM', 'GRACE_PERIOD').default(d.gracePeriodMs, String(d.gracePeriodMs / 1000)).argParser(positiveSeconds))
    .addOption(flag('--mount-timeout <seconds>', 'deadline of a Mount whose call has none', 'MOUNT_TIMEOUT').default(d.mountTimeoutMs, String(d.mountTimeoutMs / 1000)).argParser(positiveSeconds))
    .addOption(flag('--cache-ttl <seconds>', 'how long a fetched value may be served again (0 disables the cache)', 'CACHE_TTL').default(d.cacheTtlMs, String(d.cacheTtlMs / 1000)).argParser(nonNegativeSeconds))
    .addOption(flag('--cache-max-bytes <bytes>', 'memory bound of the value cache (e.g. 64Mi)', 'CACHE_MAX_BYTES').default(d.cacheMaxBytes, '64Mi').argParser(byteSize))
    .addOption(flag('--max-concurrent-fetches <n>', 'store calls in flight at once per store; more wait in a queue', 'MAX_CONCURRENT_FETCHES').default(d.maxConcurrentFetches).argParser(positiveInteger))
    .addOption(flag('--max-concurrent-fetches-per-identity <n>', 'store calls in flight at once for one identity, per store, so one cannot take every slot', 'MAX_CONCURRENT_FETCHES_PER_IDENTITY').default(d.maxConcurrentFetchesPerIdentity).argParser(positiveInteger))
    .addOption(flag('--negative-cache-ttl <seconds>', 'how long a NOT_FOUND or PERMISSION_DENIED is answered again without asking the store (0 disables)', 'NEGATIVE_CACHE_TTL').default(d.negativeCacheTtlMs, String(d.negativeCacheTtlMs / 1000)).argParser(nonNegativeSeconds))
    .addOption(flag('--max-parameter-bytes <bytes>', 'budget: bytes of a Mount\'s attributes and secrets', 'MAX_PARAMETER_BYTES').default(b.maxParameterBytes, '256Ki').argParser(byteSize))
    .addOption(flag('--max-objects <n>', 'budget: objects per SecretProviderClass', 'MAX_OBJECTS').default(b.maxObjects).argParser(positiveInteger))
    .addOption(flag('--max-secret-bytes <bytes>', 'budget: bytes a store may return for one secret', 'MAX_SECRET_BYTES').default(b.maxSecretBytes, '1Mi').argParser(byteSize))
    .addOption(flag('--max-object-bytes <bytes>', 'budget: bytes of one file', 'MAX_OBJECT_BYTES').default(b.maxObjectBytes, '1Mi').argParser(byteSize))
    .addOption(flag('--max-mount-bytes <bytes>', 'budget: bytes of all of a Mount\'s files (the driver refuses more than 4Mi)', 'MAX_MOUNT_BYTES').default(b.maxMountBytes, '4Mi').argParser(byteSize))
    .addOption(flag('--max-jmespath-length <n>', 'budget: characters of a JMESPath expression', 'MAX_JMESPATH_LENGTH').default(b.maxJmesPathLength).argParser(positiveInteger))
    .addOption(flag('--max-jmespath-cost <n>', 'budget: steps of one JMESPath evaluation, bounded before it runs', 'MAX_JMESPATH_COST').default(b.maxJmesPathCost).argParser(positiveInteger));
  addStoreFlags(serve, STORE_MODULES).action(async (flags: Record<string, unknown>) => {
      const options: ServeOptions = Object.freeze({
        socketDir: flags['socketDir'] as string,
        providerName: flags['providerName'] as string,
        compat: (flags['compat'] as string[] | undefined) ?? [],
        stores: readStoreFlags(flags, STORE_MODULES, process.env),
        allowProviderIdentity: flags['allowProviderIdentity'] === true || flags['allowProviderIdentity'] === 'true',
        verifyTokens: flags['verifyTokens'] as TokenVerificationMode,
        ...(typeof flags['tokenIssuer'] === 'string' ? { tokenIssuer: flags['tokenIssuer'] } : {}),
        ...(typeof flags['tokenJwksUrl'] === 'string' ? { tokenJwksUrl: flags['tokenJwksUrl'] } : {}),
        ...(typeof flags['versionKeyFile'] === 'string' ? { versionKeyFile: flags['versionKeyFile'] } : {}),
        ...(typeof flags['kubeconfig'] === 'string' ? { kubeconfig: flags['kubeconfig'] } : {}),
        mirrorSecrets: flags['mirrorSecrets'] === true || flags['mirrorSecrets'] === 'true',
        podEvents: flags['podEvents'] !== 'false',
        writeFiles: flags['writeFiles'] === true || flags['writeFiles'] === 'true',
        metricsAddr: flags['metricsAddr'] as string,
        healthAddr: flags['healthAddr'] as string,
        logLevel: flags['logLevel'] as LogLevel,
        preloadStores: flags['preloadStores'] as PreloadChoice,
        gracePeriodMs: flags['gracePeriod'] as number,
        mountTimeoutMs: flags['mountTimeout'] as number,
        cacheTtlMs: flags['cacheTtl'] as number,
        cacheMaxBytes: flags['cacheMaxBytes'] as number,
        maxConcurrentFetches: flags['maxConcurrentFetches'] as number,
        maxConcurrentFetchesPerIdentity: flags['maxConcurrentFetchesPerIdentity'] as number,
        negativeCacheTtlMs: flags['negativeCacheTtl'] as number,
        budgets: Object.freeze({
          maxParameterBytes: flags['maxParameterBytes'] as number,
          maxObjects: flags['maxObjects'] as number,
          maxSecretBytes: flags['maxSecretBytes'] as number,
          maxObjectBytes: flags['maxObjectBytes'] as number,
          maxMountBytes: flags['maxMountBytes'] as number,
          maxJmesPathLength: flags['maxJmesPathLength'] as number,
          maxJmesPathCost: flags['maxJmesPathCost'] as number,
        }),
      });
      // Commands load on use: serve's start-up should not pay for what mount or validate import.
      const { serve } = await import('./serve-command.ts');
      await serve(options);
    });
  const mount = program
    .command('mount')
    .description('mount a SecretProviderClass into a directory once, as the driver would (for debugging)')
    .requiredOption('--spc <file>', 'SecretProviderClass manifest (YAML)')
    .requiredOption('--target <dir>', 'directory to write the files into')
    .addOption(flag('--namespace <ns>', 'pod namespace (default: the manifest\'s, else "default")', 'NAMESPACE'))
    .addOption(flag('--pod-name <name>', 'pod name', 'POD_NAME').default('courier-mount'))
    .addOption(flag('--service-account <sa>', 'pod service account', 'SERVICE_ACCOUNT').default('default'))
    .option('--token <audience=file>', 'a service-account token for an audience, read from a file (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .addOption(flag('--socket <path>', 'call a running Courier on this socket instead of running in-process', 'SOCKET'))
    .addOption(flag('--kubeconfig <file>', 'kubeconfig for the Kubernetes API (service accounts, --mirror)', 'KUBECONFIG'))
    .option('--mirror', 'write the mirror Secrets of the "mirror" parameter (in-process; without it they are only checked and listed)')
    .option('--permission <octal>', 'default file mode, as the driver sends it', '0644')
    .addOption(flag('--allow-provider-identity', 'let the class use Courier\'s own cloud credentials (in-process)', 'ALLOW_PROVIDER_IDENTITY'));
  addStoreFlags(mount, STORE_MODULES).action(async (flags: Record<string, unknown>) => {
    const { mountCommand } = await import('./mount-command.ts');
    process.exitCode = await mountCommand({ ...flags, stores: readStoreFlags(flags, STORE_MODULES, process.env) });
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
    .command('convert')
    .description('convert Vault Agent Injector workloads into Courier SecretProviderClasses and pod specs')
    .argument('<files...>', 'YAML files; "-" is stdin')
    .option('--vault-address <url>', 'vault.address for pods that name no Vault service')
    .action(async (files: string[], flags: { vaultAddress?: string }) => {
      const { convertCommand } = await import('./convert-command.ts');
      process.exitCode = await convertCommand(files, flags);
    });
  addOperationsCommands(program, STORE_MODULES);
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
