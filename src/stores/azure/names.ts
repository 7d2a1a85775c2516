/** Key Vault names as Azure allows them: vaults, objects, versions, and `<vault>/<kind>/<name>[/<version>]` locators; pure. */

/** The collections of a vault as its URLs name them, and the Azure provider's `objectType` of each. */
export const OBJECT_KINDS = { secrets: 'secret', keys: 'key', certificates: 'cert' } as const;
export type ObjectKind = keyof typeof OBJECT_KINDS;
export type ObjectType = (typeof OBJECT_KINDS)[ObjectKind];

/** The collection an `objectType` reads from (case-insensitive, as the Azure provider reads it). */
export function kindOfType(type: string): ObjectKind | undefined {
  const wanted = type.toLowerCase();
  return (Object.keys(OBJECT_KINDS) as ObjectKind[]).find((kind) => OBJECT_KINDS[kind] === wanted);
}

/** One object of one vault, as an `azure-kv:` locator names it. */
export interface ObjectReference {
  readonly vault: string;
  readonly kind: ObjectKind;
  readonly name: string;
  /** A pinned version; absent for the latest. */
  readonly version?: string;
}

const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const OBJECT_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VERSION = /^[0-9a-fA-F]{32}$/;

/** Why `name` cannot be a vault name (3-24 letters, digits and dashes, starting with a letter, no `--`), or undefined. */
export function vaultNameProblem(name: string): string | undefined {
  if (VAULT_NAME.test(name) && !name.includes('--')) return undefined;
  return `"${name}" is not a key vault name: 3 to 24 letters, digits and dashes, starting with a letter, ending with a letter or digit, no two dashes in a row`;
}

/** Why `name` cannot be a Key Vault object name (1-127 letters, digits and dashes), or undefined. */
export function objectNameProblem(name: string): string | undefined {
  return OBJECT_NAME.test(name) ? undefined : `"${name}" is not a Key Vault object name: 1 to 127 letters, digits and dashes`;
}

/** Why `version` cannot be a Key Vault version ID (32 hexadecimal digits), or undefined. */
export function versionProblem(version: string): string | undefined {
  return VERSION.test(version) ? undefined : `"${version}" is not a Key Vault version ID: 32 hexadecimal digits (leave it out for the latest version)`;
}

/** Parses `<vault>/<secrets|keys|certificates>/<name>[/<version>]`. */
export function parseLocator(locator: string): ObjectReference | { readonly error: string } {
  const parts = locator.split('/');
  const [vault, kind, name, version, ...rest] = parts;
  if (vault === undefined || kind === undefined || name === undefined || rest.length > 0) {
    return { error: `"${locator}" must be <vault>/<secrets|keys|certificates>/<name>[/<version>]` };
  }
  if (!(kind in OBJECT_KINDS)) return { error: `"${kind}" in "${locator}" must be secrets, keys or certificates` };
  const problem = vaultNameProblem(vault) ?? objectNameProblem(name) ?? (version === undefined ? undefined : versionProblem(version));
  if (problem !== undefined) return { error: problem };
  return { vault: vault.toLowerCase(), kind: kind as ObjectKind, name, ...(version === undefined ? {} : { version: version.toLowerCase() }) };
}

/** `<vault>/<kind>/<name>[@<version>]`, for messages. */
export function describeReference(reference: ObjectReference): string {
  return `${OBJECT_KINDS[reference.kind]} "${reference.name}"${reference.version === undefined ? '' : ` version ${reference.version}`} in key vault ${reference.vault}`;
}
