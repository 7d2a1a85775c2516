/** Secret Manager resource names and settings: parsing `gcp-sm` locators, `auth` values, and the endpoint that serves a name. */

/** Values of the `auth` store setting: the pod's workload identity (default) or Courier's own credentials. */
export const GCP_AUTH_MODES = ['pod-adc', 'provider-adc'] as const;
export type GcpAuthMode = (typeof GCP_AUTH_MODES)[number];

/** A secret version as Secret Manager names it. */
export interface SecretVersionName {
  readonly project: string;
  /** Set for regional secrets, which only the regional endpoint serves. */
  readonly location?: string;
  readonly secret: string;
  /** A version number or `latest`. */
  readonly version: string;
}

const NAME = /^projects\/([^/]+)\/(?:locations\/([^/]+)\/)?secrets\/([^/]+?)(?:\/versions\/([^/]+))?$/;
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const LOCATION = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION = /^(?:latest|[1-9][0-9]{0,18})$/;

const EXPECTED = 'expected projects/PROJECT/secrets/SECRET/versions/VERSION or projects/PROJECT/locations/LOCATION/secrets/SECRET/versions/VERSION';

/**
 * Parses a Secret Manager name. The version may be left out of the locator and given separately
 * (`version` of a native object); with neither, `latest` is read. Returns why the name cannot be
 * used instead of throwing, so planning can report it against the field it came from.
 */
export function parseSecretVersionName(locator: string, version?: string): SecretVersionName | { readonly error: string } {
  const match = NAME.exec(locator);
  if (!match) return { error: `"${locator}" is not a Secret Manager secret version name; ${EXPECTED}` };
  const [, project = '', location, secret = '', named] = match;
  if (!SECRET_ID.test(secret)) return { error: `"${secret}" in "${locator}" is not a valid secret ID (letters, digits, "-" and "_", at most 255)` };
  if (location !== undefined && !LOCATION.test(location)) return { error: `"${location}" in "${locator}" is not a valid location such as "us-central1"` };
  if (named !== undefined && version !== undefined && named !== version) {
    return { error: `"${locator}" names version ${named} but the object asks for version ${version}; give the version in one place` };
  }
  const chosen = named ?? version ?? 'latest';
  if (!VERSION.test(chosen)) return { error: `"${chosen}" is not a secret version; use a version number or "latest"` };
  return { project, ...(location === undefined ? {} : { location }), secret, version: chosen };
}

/** The full resource name Secret Manager expects in AccessSecretVersion. */
export function formatSecretVersionName(name: SecretVersionName): string {
  const where = name.location === undefined ? '' : `locations/${name.location}/`;
  return `projects/${name.project}/${where}secrets/${name.secret}/versions/${name.version}`;
}

/** Where Secret Manager is reached: the global endpoint, and a template for regional ones. */
export interface SecretManagerEndpoints {
  /** `host` or `host:port`; default `secretmanager.googleapis.com`. */
  readonly global: string;
  /** `{location}` is replaced by the secret's location; default `secretmanager.{location}.rep.googleapis.com`. */
  readonly regional: string;
}

export const DEFAULT_SECRET_MANAGER_ENDPOINTS: SecretManagerEndpoints = Object.freeze({
  global: 'secretmanager.googleapis.com',
  regional: 'secretmanager.{location}.rep.googleapis.com',
});

/** The endpoint that serves `name`: regional secrets live only at their region's endpoint. */
export function endpointFor(name: SecretVersionName, endpoints: SecretManagerEndpoints): string {
  return name.location === undefined ? endpoints.global : endpoints.regional.replaceAll('{location}', name.location);
}

/** Splits `host[:port]` (port 443 when absent); IPv6 hosts are written in brackets. */
export function splitHostPort(endpoint: string): { readonly host: string; readonly port: number } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(endpoint);
  if (!match?.[1]) throw new Error(`"${endpoint}" is not host[:port]`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port: match[2] === undefined ? 443 : Number(match[2]) };
}
