/** What planning knows about the stores — their sources, settings and dialects — and the dialect seam every dialect plugs into. */
import type { MountBudgets } from './budgets.ts';
import type { PlanResult } from './types.ts';

/** One parameter a store accepts, with its static check. */
export interface ParameterSpec {
  /** The key as written, without any prefix: `region`. */
  readonly name: string;
  /** One line for docs and `courier validate`. */
  readonly help: string;
  /** Why `value` cannot be used, or undefined when it can. Pure. */
  readonly check?: (value: string) => string | undefined;
  /**
   * `string` (default), or `mapping` for a per-object key whose value is a YAML mapping (Vault's
   * `args`): the mapping reaches the store as JSON text, and `check` sees that text.
   */
  readonly kind?: 'string' | 'mapping';
}

/** A version or stage pin as a native entry writes it, for a source's static checks. */
export interface Selector {
  readonly locator: string;
  readonly version?: string;
  readonly stage?: string;
}

/** A problem with one key of an entry, found by a source's static checks. */
export interface KeyProblem {
  /** The entry key at fault: `source`, `version`, `stage`. */
  readonly key: string;
  readonly message: string;
}

/** A source name a store serves in `source: <name>:<locator>`, and its static checks. */
export interface SourceSpec {
  /** `aws-sm`, `gcp-sm`, `file`. */
  readonly name: string;
  /** What a locator is, for messages and docs: `a secret name or ARN`. */
  readonly locatorHelp: string;
  /** Why a locator cannot be used, or undefined. Pure. */
  readonly checkLocator?: (locator: string) => string | undefined;
  /** Problems with an entry's version and stage pins. Pure. */
  readonly checkSelector?: (selector: Selector) => readonly KeyProblem[];
  /** The file path of an entry that sets none; default: the last segment of the locator. */
  readonly defaultPath?: (locator: string) => string;
  /** Keys objects of this source may carry in the native dialect besides the common ones (`method`). */
  readonly objectParameters?: readonly ParameterSpec[];
  /** Added to "store X is not enabled on this Courier": how the administrator turns it on. */
  readonly enableHint: string;
}

/** Settings of one store given as top-level native parameters: `aws.region` applies to every AWS object. */
export interface StoreSettingsSpec {
  /** `aws.` */
  readonly prefix: string;
  readonly parameters: readonly ParameterSpec[];
  /** Checks across parameters (a failover region equal to the region), given the values set, prefix removed. */
  readonly checkTogether?: (values: Readonly<Record<string, string>>) => readonly KeyProblem[];
}

/** One source as planning sees it: its spec and the settings of the store it belongs to. */
export interface CatalogSource extends SourceSpec {
  /** The store module's name (`aws`), for messages. */
  readonly store: string;
  readonly settings: StoreSettingsSpec | undefined;
}

/** Everything planning needs to know about the stores of this build. */
export interface StoreCatalog {
  /** Sources by name, in registry order. */
  readonly sources: ReadonlyMap<string, CatalogSource>;
  /** Every store's settings block, by store name. */
  readonly settings: ReadonlyMap<string, StoreSettingsSpec>;
  /** Compatibility dialects by name (`aws`, `gcp`); the native dialect is planning's own. */
  readonly dialects: ReadonlyMap<string, Dialect>;
}

/** What a dialect may know besides the parameters. */
export interface DialectContext {
  /** Mode for files whose entry sets none (the request's `permission`). */
  readonly permission: number;
  /** The stores of this build: sources, their settings and checks. */
  readonly catalog: StoreCatalog;
  /** What a class may cost (`--max-objects`, JMESPath limits, ...). */
  readonly budgets: MountBudgets;
}

/** A dialect: pure translation of SecretProviderClass parameters into a MountPlan. */
export interface Dialect {
  /** `native`, or the provider whose classes it reads (`aws`); a compatibility socket has this name. */
  readonly name: string;
  /** Top-level parameter keys this dialect reads; anything else without a `/` is reported. */
  readonly parameterKeys: readonly string[];
  plan(parameters: Readonly<Record<string, string>>, context: DialectContext): PlanResult;
}
