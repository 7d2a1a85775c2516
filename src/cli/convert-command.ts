/** `courier convert`: turns Vault Agent Injector workloads into Courier SecretProviderClasses and pod specs. */
import { readFile } from 'node:fs/promises';
import { convertManifests, formatReportLine, type ManifestFile } from '../convert/convert-manifests.ts';

/** Flags of `courier convert`. */
export interface ConvertFlags {
  /** `--vault-address`: written as vault.address when a pod names no Vault service. */
  readonly vaultAddress?: string;
}

/**
 * Reads `files` (`-` is stdin), prints the converted manifests to stdout and the report to stderr.
 * Exit code: 0 when everything was translated, 2 when something was not (the output is still
 * printed), 1 when a file could not be read or parsed, or nothing was found to convert.
 */
export async function convertCommand(files: readonly string[], flags: ConvertFlags = {}): Promise<number> {
  const manifests: ManifestFile[] = [];
  const unreadable: string[] = [];
  for (const name of files) {
    try {
      manifests.push({ name, text: name === '-' ? await readStdin() : await readFile(name, 'utf8') });
    } catch (error) {
      unreadable.push(`${name}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const result = convertManifests(manifests, flags.vaultAddress === undefined ? {} : { vaultAddress: flags.vaultAddress });
  if (result.documents.length > 0) process.stdout.write(`${result.documents.map((document) => (document.endsWith('\n') ? document : `${document}\n`)).join('---\n')}`);
  const lines = [...unreadable, ...result.report.map(formatReportLine)];
  const errors = unreadable.length > 0 || result.report.some((line) => line.severity === 'error');
  if (result.converted === 0 && !errors) lines.push('no workload with vault.hashicorp.com/agent-inject: "true" was found');
  const untranslated = result.report.filter((line) => line.severity === 'untranslated').length;
  if (result.converted > 0) lines.push(`converted ${result.converted} workload${result.converted === 1 ? '' : 's'}; ${untranslated === 0 ? 'everything was translated' : `${untranslated} part${untranslated === 1 ? ' was' : 's were'} not translated (listed above)`}`);
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
  if (errors || result.converted === 0) return 1;
  return untranslated > 0 ? 2 : 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
