/** Runs one isolate job where it is called: in the worker, or inline in tests; only the worker loads it, with the template engine. */
import { CourierError } from '../../errors/courier-error.ts';
import { parseYamlText, type YamlOutcome } from '../../spc/yaml-parse.ts';
import { applyExtract, type ParsedDocuments } from '../extract.ts';
import { compileTemplate, renderTemplate } from '../template/index.ts';
import { serializeError, type Job, type JobOutcome } from './jobs.ts';

/**
 * Runs a job where it is called: one outcome per extraction, the render's, or one per YAML text. Throws
 * only what is not a CourierError (a bug).
 */
export function runJob(job: Job): JobOutcome[] | YamlOutcome[] {
  if (job.kind === 'yaml') return job.texts.map(({ text, schema }) => parseYamlText(text, schema));
  if (job.kind === 'template') return [attempt(() => renderTemplate(compileTemplate(job.text, job.field, job.budgets), job.inputs, job.budgets, job.field, threadCpuMs))];
  const documents: ParsedDocuments = new Map();
  return job.items.map(({ extract, field }) => attempt(() => applyExtract(job.contents, extract, field, job.limits, documents)));
}

/** This thread's CPU time in milliseconds: a render's time budget counts only the time it ran. */
function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

function attempt(work: () => Uint8Array): JobOutcome {
  try {
    return { ok: work() };
  } catch (error) {
    if (error instanceof CourierError) return { error: serializeError(error) };
    throw error;
  }
}
