/** The plain data a Mount is planned in: pod information, tokens and the MountPlan every dialect produces. */
import type { CompiledTemplate } from '../transform/template/compile-template.ts';
import type { MirrorSpec } from './mirror-types.ts';

/** The pod a Mount is for, as the driver describes it. */
export interface PodInfo {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly serviceAccount: string;
}

/** A service-account token kubelet requested for the pod, for one audience. */
export interface ServiceAccountToken {
  readonly audience: string;
  readonly token: string;
  /** RFC 3339 timestamp as kubelet sends it; may be empty. */
  readonly expirationTimestamp: string;
}

/** Tokens by audience. */
export type TokenMap = ReadonlyMap<string, ServiceAccountToken>;

/** A MountRequest decoded into typed values; no I/O has happened yet. */
export interface DecodedRequest {
  /** SecretProviderClass parameters merged with the pod's volume attributes. Secret-bearing: never log. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly secretProviderClass: string;
  readonly pod: PodInfo;
  readonly tokens: TokenMap;
  /**
   * The nodePublishSecretRef data (`secrets` of the MountRequest) without the tokens key; empty without one.
   * Written by whoever may create Secrets in the pod's namespace, not by Courier's administrator, and
   * secret-bearing: never log.
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /** File mode for files whose object sets none. */
  readonly permission: number;
  readonly targetPath: string;
}

/**
 * How one value is pulled out of a fetched secret. `field` is the key the class wrote it under, relative
 * to the object's id (`jsonKey`; the aws dialect's `path`; the gcp dialect's `extractJSONKey`), so an
 * error names what the user wrote.
 */
export type Extract =
  | { readonly kind: 'jsonKey'; readonly key: string; readonly field: string }
  | { readonly kind: 'jmesPath'; readonly expression: string; readonly field: string }
  | { readonly kind: 'yamlKey'; readonly key: string; readonly field: string };

export const ENCODINGS = ['utf-8', 'base64', 'hex'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** One file of the mount, and where its bytes come from. */
export interface ObjectSpec {
  /** The field path of the entry that produced this file, e.g. `objects[2]`; prefixes every error about it. */
  readonly id: string;
  /** The source name (`aws-sm`): which registered store serves it. */
  readonly store: string;
  /** What the store calls the secret (a relative path, a name, an ARN, a resource name). */
  readonly locator: string;
  readonly version?: string;
  readonly stage?: string;
  /** Store settings that change what is fetched or with which identity (region, auth, ...). */
  readonly storeParams: Readonly<Record<string, string>>;
  /** File path inside the mount, already checked against the driver's rules. */
  readonly path: string;
  readonly mode: number;
  readonly extract?: Extract;
  readonly encoding: Encoding;
  /** A missing secret is skipped instead of failing the Mount. */
  readonly optional: boolean;
  /** The id of this file's object version, when a dialect reports another than the path (the azure dialect's `secret/db`). */
  readonly versionId?: string;
}

/** A named input of a template: an object fetched like any other, whose bytes the template reads. */
export interface TemplateInput {
  readonly name: string;
  /** Its id is `<template id>.inputs.<name>`; its path is '' (an input is not a file). */
  readonly object: ObjectSpec;
}

/** A file rendered from named inputs (docs/templates.md). */
export interface TemplateSpec {
  /** The field path of the entry, e.g. `objects[3]` or `courier.templates[0]`. */
  readonly id: string;
  readonly path: string;
  readonly mode: number;
  readonly text: string;
  /** Parsed once, when planned (so the plan cache keeps it); rendered per Mount. */
  readonly compiled: CompiledTemplate;
  readonly inputs: readonly TemplateInput[];
}

/** What a SecretProviderClass asks for, whatever dialect it was written in. */
export interface MountPlan {
  /** `native`, or the compatibility dialect the class was read in (`aws`). */
  readonly dialect: string;
  readonly objects: readonly ObjectSpec[];
  /** Files rendered from templates; absent when none. Their inputs are not in `objects`. */
  readonly templates?: readonly TemplateSpec[];
  /** Mirror Secrets the class asks for (`mirror`), checked against the files; absent when none. */
  readonly mirrors?: readonly MirrorSpec[];
}

/** One problem found while planning; `field` names the SecretProviderClass field at fault. */
export interface ConfigIssue {
  readonly field: string;
  readonly message: string;
}

/** A dialect's answer: a plan, or every problem it found. */
export type PlanResult =
  | { readonly ok: true; readonly plan: MountPlan }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };
