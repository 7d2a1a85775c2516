/** Converts Kubernetes manifests that use the Vault Agent Injector into Courier SecretProviderClasses and pod specs. */
import { isMap, isScalar, LineCounter, parseAllDocuments, stringify, type Document } from 'yaml';
import { readInjectorAnnotations } from './injector-annotations.ts';
import { applyPodSpecChange, podTemplatePath } from './pod-spec.ts';
import { buildSecretProviderClass, type ConvertOptions, type WorkloadNote } from './secret-provider-class.ts';

/** One manifest file to convert. */
export interface ManifestFile {
  readonly name: string;
  readonly text: string;
}

/** One line of the report: where, and what could not be translated (or is worth knowing). */
export interface ReportLine {
  readonly file: string;
  /** The line of the manifest the finding is about (the annotation's key), when known. */
  readonly line: number | undefined;
  readonly severity: 'untranslated' | 'note' | 'error';
  readonly text: string;
}

/** The converted manifests and the report. */
export interface ConversionResult {
  /** YAML documents: for each converted workload, its SecretProviderClass and then the workload. */
  readonly documents: readonly string[];
  readonly report: readonly ReportLine[];
  readonly converted: number;
}

/** Converts every workload of `files` whose pod template carries `vault.hashicorp.com/agent-inject: "true"`. Pure. */
export function convertManifests(files: readonly ManifestFile[], options: ConvertOptions = {}): ConversionResult {
  const documents: string[] = [];
  const report: ReportLine[] = [];
  for (const file of files) {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(file.text, { lineCounter, prettyErrors: true });
    const list = Array.isArray(docs) ? docs : [];
    list.forEach((doc, index) => {
      const number = index + 1;
      if (doc.errors.length > 0) {
        const error = doc.errors[0];
        report.push({ file: file.name, line: error?.linePos?.[0]?.line, severity: 'error', text: `document ${number} is not valid YAML (${error?.code ?? 'error'})` });
        return;
      }
      const converted = convertDocument(doc, file.name, lineCounter, options, report);
      if (converted) documents.push(...converted);
    });
  }
  return { documents, report, converted: documents.length / 2 };
}

function convertDocument(doc: Document, file: string, lineCounter: LineCounter, options: ConvertOptions, report: ReportLine[]): [string, string] | undefined {
  const kind = doc.get('kind');
  const path = podTemplatePath(kind);
  if (!path) return undefined;
  const annotationNode = doc.getIn([...path, 'metadata', 'annotations']);
  if (!isMap(annotationNode)) return undefined;
  const annotations: Record<string, string> = {};
  const lines = new Map<string, number>();
  for (const pair of annotationNode.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    annotations[key] = isScalar(pair.value) ? String(pair.value.value) : '';
    if (pair.key.range) lines.set(key, lineCounter.linePos(pair.key.range[0]).line);
  }
  if (!Object.keys(annotations).some((key) => key.startsWith('vault.hashicorp.com/'))) return undefined;
  const rawName = doc.getIn(['metadata', 'name']);
  const name = typeof rawName === 'string' ? rawName : '';
  const namespace = doc.getIn(['metadata', 'namespace']);
  const workload = `${String(kind)} ${name}`;
  const config = readInjectorAnnotations(annotations);
  const lineOf = (annotation: string): number | undefined => lines.get(annotation) ?? lines.get('vault.hashicorp.com/agent-inject');
  if (!config.inject) {
    report.push({ file, line: lineOf('vault.hashicorp.com/agent-inject'), severity: 'note', text: `${workload}: vault.hashicorp.com/agent-inject is not "true", so the injector leaves this pod alone; not converted` });
    return undefined;
  }
  const className = `${name}-vault`;
  const converted = buildSecretProviderClass(className, typeof namespace === 'string' ? namespace : undefined, config, options);
  // Line by line: the workload's findings in the order of the annotations they are about.
  const located = converted.notes.map((note) => ({ note, line: lineOf(note.annotation) }));
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  for (const { note, line } of located) report.push(reportLine(file, workload, note, line));
  const problems = applyPodSpecChange(doc, path, {
    secretProviderClass: className,
    mountPath: config.volumePath,
    ...(config.containers === undefined ? {} : { containers: config.containers }),
    initContainers: config.initContainers,
  });
  for (const problem of problems) report.push({ file, line: undefined, severity: 'untranslated', text: `${workload}: ${problem}` });
  const header = `# courier convert: from ${file}, ${workload}\n`;
  // The workload keeps its own formatting; its document start marker is dropped, the output adds its own separators.
  const workloadText = doc.toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/^---\n/, '');
  return [`${header}${stringify(converted.manifest, { blockQuote: 'literal', lineWidth: 0 })}`, workloadText];
}

function reportLine(file: string, workload: string, note: WorkloadNote, line: number | undefined): ReportLine {
  const where = note.place ? `template line ${note.place.line}, column ${note.place.column}: ` : '';
  const verdict = note.severity === 'untranslated' ? 'not translated: ' : 'note: ';
  return { file, line, severity: note.severity, text: `${workload}: ${note.annotation}: ${where}${verdict}${note.message}` };
}

/** A report line as printed: `file:line: text`. */
export function formatReportLine(line: ReportLine): string {
  return `${line.file}${line.line === undefined ? '' : `:${line.line}`}: ${line.text}`;
}

export type { ConvertOptions } from './secret-provider-class.ts';
