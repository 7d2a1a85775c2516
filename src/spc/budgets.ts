/** The budgets that bound every Mount's work before it is done (flags `--max-*`), and the error that names one. */
import { ConfigError } from '../errors/courier-error.ts';

/** What one Mount may cost. A pod author controls the whole request (volume attributes override parameters). */
export interface MountBudgets {
  /** Bytes of a request's `attributes` plus `secrets`, checked before they are parsed (`--max-parameter-bytes`). */
  readonly maxParameterBytes: number;
  /** Objects one SecretProviderClass may plan (`--max-objects`). */
  readonly maxObjects: number;
  /** Bytes one store may return for one secret (`--max-secret-bytes`). */
  readonly maxSecretBytes: number;
  /** Bytes of one file after extraction, decoding or rendering (`--max-object-bytes`). */
  readonly maxObjectBytes: number;
  /** Bytes of all of a Mount's files (`--max-mount-bytes`); the driver refuses responses over 4 MiB. */
  readonly maxMountBytes: number;
  /** Characters of one JMESPath expression (`--max-jmespath-length`). */
  readonly maxJmesPathLength: number;
  /** Steps one JMESPath evaluation may take, bounded before it runs (`--max-jmespath-cost`; jmespath-cost.ts); about 1 ms per million. */
  readonly maxJmesPathCost: number;
}

/** The driver fails a Mount whose response is larger than this. */
export const DRIVER_RESPONSE_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * Defaults that no real SecretProviderClass reaches (the largest seen in the providers' issue trackers
 * have a few hundred objects and a few KiB of parameters) and that keep one Mount to milliseconds of
 * CPU and a few MiB of memory. Secrets in the cloud stores are at most 64 KiB (Secrets Manager, Secret
 * Manager) or 25 KiB (Key Vault); 1 MiB leaves room for local files and Vault.
 */
export const DEFAULT_BUDGETS: MountBudgets = Object.freeze({
  maxParameterBytes: 256 * 1024,
  maxObjects: 256,
  maxSecretBytes: 1024 * 1024,
  maxObjectBytes: 1024 * 1024,
  maxMountBytes: DRIVER_RESPONSE_LIMIT_BYTES,
  maxJmesPathLength: 1024,
  maxJmesPathCost: 16_000_000,
});

/** Aliases one YAML document may resolve (the yaml library counts nested expansions), against alias bombs. */
export const MAX_YAML_ALIASES = 100;

/** A budget a request would exceed: INVALID_ARGUMENT naming the field and the flag that sets the budget. */
export class BudgetError extends ConfigError {
  constructor(detail: string, flag: string, options: { readonly field?: string } = {}) {
    super(`${detail} (budget: ${flag})`, options);
  }
}

/** The problem of a class that plans more objects (files, templates and their inputs) than `maxObjects`. */
export function tooManyObjects(total: number, maxObjects: number): string {
  return `plans ${total} objects (files, templates and their inputs), over the budget of ${maxObjects} per SecretProviderClass (--max-objects)`;
}
