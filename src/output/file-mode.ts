/** Parsing of file modes written in SecretProviderClasses. */

/**
 * Parses a file mode: an integer (from YAML such as `0400` or `256`) or an octal string (`"0400"`,
 * `"400"`, `"0o400"`). Returns the mode, or a message saying why it is not one. Only permission
 * bits are accepted; setuid, setgid and sticky bits are refused.
 */
export function parseFileMode(value: unknown): number | { readonly error: string } {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0o777) return value;
    // YAML reads 01777 as 1023; show the octal the user most likely wrote.
    if (Number.isSafeInteger(value) && value > 0o777) return { error: `${value} (octal 0${value.toString(8)}) is more than 0777; only permission bits may be set` };
    return { error: `${value} is not a file mode between 0 and 0777` };
  }
  if (typeof value === 'string') {
    const match = /^(?:0o|0)?([0-7]{1,3})$/.exec(value.trim());
    if (match?.[1] !== undefined) return parseInt(match[1], 8);
    return { error: `"${value}" is not an octal file mode such as "0400"` };
  }
  return { error: 'must be an octal string such as "0400" or an integer' };
}
