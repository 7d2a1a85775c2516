/** Reads SecretProviderClass manifests (multi-document YAML) the way the CLI needs them. */
import { parseAllDocuments } from 'yaml';
import type { ConfigIssue } from '../spc/types.ts';

/** One SecretProviderClass document of a file. */
export interface SpcDocument {
  /** 1-based document number within the file. */
  readonly document: number;
  readonly name: string;
  readonly namespace?: string;
  readonly provider: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** The SecretProviderClasses of a file, and problems with the documents themselves. */
export interface ManifestContents {
  readonly classes: readonly SpcDocument[];
  readonly problems: ReadonlyArray<ConfigIssue & { readonly document: number }>;
}

/** Parses every document; documents of other kinds are ignored. */
export function readManifest(text: string): ManifestContents {
  const classes: SpcDocument[] = [];
  const problems: Array<ConfigIssue & { document: number }> = [];
  parseAllDocuments(text).forEach((doc, index) => {
    const document = index + 1;
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const line = error?.linePos?.[0]?.line;
      problems.push({ document, field: 'yaml', message: `is not valid YAML${line ? ` at line ${line}` : ''}: ${error?.code ?? 'error'}` });
      return;
    }
    const value = doc.toJS() as unknown;
    if (!isRecord(value) || value['kind'] !== 'SecretProviderClass') return;
    const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
    const spec = isRecord(value['spec']) ? value['spec'] : {};
    const parameters = isRecord(spec['parameters']) ? spec['parameters'] : {};
    const strings: Record<string, string> = {};
    for (const [key, item] of Object.entries(parameters)) {
      if (typeof item === 'string') strings[key] = item;
      else problems.push({ document, field: `spec.parameters.${key}`, message: 'must be a string (SecretProviderClass parameters are a map of strings; quote it or use a block scalar "|")' });
    }
    classes.push({
      document,
      name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
      ...(typeof metadata['namespace'] === 'string' ? { namespace: metadata['namespace'] } : {}),
      provider: typeof spec['provider'] === 'string' ? spec['provider'] : '',
      parameters: strings,
    });
  });
  return { classes, problems };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
