/** Registers the operator's commands: `courier explain` (a class's plan) and `courier doctor` (the installation's checks). */
import { Command, Option } from 'commander';
import { TOKEN_VERIFICATION_MODES } from '../identity/token-verifier.ts';
import { DEFAULT_SERVE_OPTIONS } from '../server/options.ts';
import type { StoreModule } from '../stores/store-module.ts';
import { addStoreFlags, readStoreFlags } from './store-flags.ts';

/** A flag whose value may also come from the COURIER_<NAME> environment variable, as `courier serve`'s do. */
function flag(flags: string, description: string, env: string): Option {
  return new Option(flags, description).env(`COURIER_${env}`);
}

/** Adds `explain` and `doctor` to `program`; both take the stores' flags, so they see the stores `courier serve` would run. */
export function addOperationsCommands(program: Command, modules: readonly StoreModule[]): void {
  const explain = program
    .command('explain')
    .description('print what courier would do for a SecretProviderClass (stores, identities, files, steps, socket) without fetching anything')
    .argument('<file>', 'YAML file with one or more SecretProviderClasses (and, optionally, the pods that mount them)')
    .addOption(flag('--namespace <ns>', 'the pod\'s namespace (default: the class\'s, else "default")', 'NAMESPACE'))
    .addOption(flag('--service-account <sa>', 'the pod\'s service account (default: the one of a pod in the file that mounts the class, else "default")', 'SERVICE_ACCOUNT'))
    .addOption(flag('--kubeconfig <file>', 'read the service account\'s annotations from this cluster', 'KUBECONFIG'))
    .option('--sa-annotation <key=value>', 'an annotation of the service account, instead of reading it (repeatable)', (value: string, previous: string[] = []) => [...previous, value]);
  addStoreFlags(explain, modules).action(async (file: string, flags: Record<string, unknown>) => {
    const { explainCommand } = await import('./explain-command.ts');
    process.exitCode = await explainCommand(file, {
      ...(typeof flags['namespace'] === 'string' ? { namespace: flags['namespace'] } : {}),
      ...(typeof flags['serviceAccount'] === 'string' ? { serviceAccount: flags['serviceAccount'] } : {}),
      ...(typeof flags['kubeconfig'] === 'string' ? { kubeconfig: flags['kubeconfig'] } : {}),
      ...(Array.isArray(flags['saAnnotation']) ? { saAnnotation: flags['saAnnotation'] as string[] } : {}),
      stores: readStoreFlags(flags, modules, process.env),
    });
  });
  const doctor = doctorOptions(program.command('doctor'), modules)
    .description('check the installation: CSIDriver, driver version, socket directory, RBAC, store endpoints, clock; one pass/fail line each, with the fix')
    .option('--serve-args-of <pid>', 'take courier serve\'s flags from that process\'s command line (1 in the Courier pod); flags given here win');
  doctor.action(async (given: Record<string, unknown>) => {
    const flags = typeof given['serveArgsOf'] === 'string' ? await withServeArgs(given['serveArgsOf'], modules) : given;
    const { doctorCommand } = await import('./doctor-command.ts');
    process.exitCode = await doctorCommand({
      ...(typeof flags['kubeconfig'] === 'string' ? { kubeconfig: flags['kubeconfig'] } : {}),
      socketDir: flags['socketDir'] as string,
      providerName: flags['providerName'] as string,
      mirrorSecrets: flags['mirrorSecrets'] === true || flags['mirrorSecrets'] === 'true',
      podEvents: flags['podEvents'] !== 'false',
      verifyTokens: flags['verifyTokens'] as string,
      rotation: flags['rotation'] !== 'false',
      timeoutMs: Math.max(1, Number(flags['timeout']) || 5) * 1000,
      serviceAccount: flags['courierServiceAccount'] as string,
      stores: readStoreFlags(flags, modules, process.env),
    });
  });
}

/** The flags doctor shares with `courier serve`, and its own. */
function doctorOptions(command: Command, modules: readonly StoreModule[]): Command {
  const d = DEFAULT_SERVE_OPTIONS;
  command
    .addOption(flag('--kubeconfig <file>', 'kubeconfig for the Kubernetes API (in-cluster config by default)', 'KUBECONFIG'))
    .addOption(flag('--socket-dir <dir>', 'directory of the provider sockets, as courier serve was given it', 'SOCKET_DIR').default(d.socketDir))
    .addOption(flag('--provider-name <name>', 'provider name, as courier serve was given it', 'PROVIDER_NAME').default(d.providerName))
    .addOption(flag('--mirror-secrets', 'courier serve runs with --mirror-secrets', 'MIRROR_SECRETS'))
    .addOption(flag('--pod-events <bool>', 'courier serve runs with --pod-events', 'POD_EVENTS').choices(['true', 'false']).default('true'))
    .addOption(flag('--verify-tokens <mode>', 'courier serve\'s --verify-tokens', 'VERIFY_TOKENS').choices(TOKEN_VERIFICATION_MODES).default(d.verifyTokens))
    .addOption(flag('--rotation <bool>', 'whether pods should get new secret versions (the CSIDriver\'s requiresRepublish)', 'ROTATION').choices(['true', 'false']).default('true'))
    .option('--courier-service-account <ns/name>', 'Courier\'s ServiceAccount, impersonated for the RBAC check when --kubeconfig is given', 'courier-system/courier')
    .option('--timeout <seconds>', 'how long each check may take', '5');
  return addStoreFlags(command, modules);
}

/**
 * Doctor's flags read from a running `courier serve` (its arguments after `serve`), with the ones given to
 * doctor itself laid over them. Serve flags doctor does not check are ignored.
 */
async function withServeArgs(pid: string, modules: readonly StoreModule[]): Promise<Record<string, unknown>> {
  const { readFile } = await import('node:fs/promises');
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((arg) => arg !== '');
  const serve = argv.indexOf('serve');
  if (serve < 0) throw new Error(`--serve-args-of: process ${pid} is not courier serve (${argv.slice(0, 3).join(' ')})`);
  const own = process.argv.slice(process.argv.indexOf('doctor') + 1);
  const skip = own.indexOf('--serve-args-of');
  if (skip >= 0) own.splice(skip, 2);
  const parser = doctorOptions(new Command('doctor'), modules).allowUnknownOption().allowExcessArguments().exitOverride();
  await parser.parseAsync([...argv.slice(serve + 1), ...own.filter((arg) => !arg.startsWith('--serve-args-of='))], { from: 'user' });
  return parser.opts();
}
