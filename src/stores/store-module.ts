/** The one description every store folder exports: its sources, parameters, dialect, flags and how to start it. */
import type { TokenVerifier } from '../identity/token-verifier.ts';
import type { Registry } from 'prom-client';
import type { ServiceAccountReader } from '../kube/service-accounts.ts';
import type { ContentVersion } from '../output/content-version.ts';
import type { Dialect, SourceSpec, StoreSettingsSpec } from '../spc/store-catalog.ts';
import type { Backend } from './backend.ts';

/** A `courier serve` / `courier mount` flag a store owns; the CLI, `--help`, the README and the chart follow these. */
export interface FlagSpec {
  /** Without dashes: `aws-region`. The environment variable is `COURIER_` + upper snake case (`COURIER_AWS_REGION`). */
  readonly name: string;
  /** Key of the value in the store's StoreFlags: `region`. */
  readonly key: string;
  readonly help: string;
  /** Placeholder of a flag that takes a value (`region`); absent for an on/off switch. */
  readonly value?: string;
  /** Another environment variable read at start-up when the flag is unset (`AWS_REGION`, as the SDK would). */
  readonly fallbackEnv?: string;
  /** The chart value that sets it (`stores.aws.region`); absent for development and test flags left to `extraFlags`. */
  readonly chartValue?: string;
}

/** A store's flag values as given at start-up, by FlagSpec key; unset flags are absent. */
export type StoreFlags = Readonly<Record<string, string | boolean>>;

/** Long-lived parts every store may use besides its own flags. */
export interface SharedParts {
  /** Reads ServiceAccount annotations (IAM role, Google service account, client ID). */
  readonly serviceAccounts: ServiceAccountReader;
  /** `--allow-provider-identity`: a class may ask for Courier's own cloud identity. */
  readonly allowProviderIdentity: boolean;
  /**
   * Checks pod-token signatures (`--verify-tokens`). Every store gets its pod tokens through
   * `checkedPodToken` with this verifier before it serves anything cached for them.
   */
  readonly tokenVerifier: TokenVerifier;
  /** Versions for content that carries none of its own (the local store, leased reads): keyed, so they reveal nothing. */
  readonly contentVersion: ContentVersion;
  /** The Prometheus registry a store registers its own metrics on (`courier_<store>_...`). */
  readonly metricsRegistry: Registry;
}

/** The ServiceAccount a pod would run as, as `courier explain` read it. */
export interface ExplainedAccount {
  readonly namespace: string;
  readonly name: string;
  /** Undefined when they could not be read (no Kubernetes API): the identity then names the annotation to look at. */
  readonly annotations: Readonly<Record<string, string>> | undefined;
}

/** What `courier explain` prints about the identity one object would be fetched with. */
export interface IdentityExplanation {
  /** One line: `IAM role arn:aws:iam::111122223333:role/app via IRSA (eks.amazonaws.com/role-arn of team-a/app), region eu-west-1`. */
  readonly identity: string;
  /** The pod-token audience this needs; the CSIDriver's tokenRequests must include it. */
  readonly tokenAudience?: string;
  /** Why a Mount would fail for want of an identity, and what to set. */
  readonly problem?: string;
}

/** What an installation must provide for a store started with some flags (`courier doctor`). */
export interface StoreRequirements {
  /** Audiences the CSIDriver's tokenRequests must include. */
  readonly tokenAudiences: readonly string[];
  /** Services Courier calls, to check they are reachable: `https://host[:port]/...` or `host:port`. */
  readonly endpoints: ReadonlyArray<{ readonly name: string; readonly url: string }>;
  /** What could not be derived from the flags alone (`no --aws-region: each class names its region`). */
  readonly notes?: readonly string[];
}

/**
 * A store module. Everything about one store lives in its folder `src/stores/<name>/`; the folder's
 * `index.ts` exports this description and `src/stores/registry.ts` lists it. The description is data
 * and light code: client libraries load in `start` (or later, on first use), never on import.
 */
export interface StoreModule {
  /** Folder name, flag prefix and chart values key: `aws`. */
  readonly name: string;
  /** For help texts and docs: `AWS Secrets Manager and SSM Parameter Store`. */
  readonly title: string;
  /** The user documentation of the store, relative to the repository: `docs/aws.md`. */
  readonly docs: string;
  /** The source names it serves in `source: <name>:<locator>` (one Backend each). */
  readonly sources: readonly SourceSpec[];
  /** Top-level native parameters applying to every object of the store (`aws.region`). */
  readonly settings?: StoreSettingsSpec;
  /** The SecretProviderClass dialects of the providers it replaces (`vault`, `openbao`); each names a compatibility socket. */
  readonly dialects: readonly Dialect[];
  readonly flags: readonly FlagSpec[];
  /** Whether these flags switch the store on. */
  enabled(flags: StoreFlags): boolean;
  /**
   * Builds the store's backends, one per source. Throws ConfigError naming the flag at fault. May
   * return backends that load their client libraries on first use (lazy-backend.ts).
   */
  start(flags: StoreFlags, shared: SharedParts): Promise<readonly Backend[]>;
  /**
   * `courier explain`: the identity an object of one of the store's sources would be fetched with,
   * from its store settings (`storeParams`), the pod's ServiceAccount annotations and the store's flags.
   * Pure: no API call, no client library.
   */
  explainIdentity?(object: { readonly source: string; readonly storeParams: Readonly<Record<string, string>> }, account: ExplainedAccount, flags: StoreFlags): IdentityExplanation;
  /** `courier doctor`: the token audiences and endpoints the store needs with these flags; `env` is the start-up environment. */
  requirements?(flags: StoreFlags, env: Readonly<Record<string, string | undefined>>): StoreRequirements;
}
