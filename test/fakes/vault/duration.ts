/** Durations as the Vault HTTP API reads and writes them: seconds, or Go-style strings such as "1h30m" and "7d". */

const UNIT_SECONDS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses a TTL field (`ttl`, `increment`, ...) into whole seconds: a number, a numeric string, or a
 * sequence of number+unit pairs. Returns undefined for anything else, so the caller can answer 400.
 */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let rest = text;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return Math.floor(total);
}

/** Formats seconds the way Go's time.Duration prints them in Vault's warnings: "1h0m0s", "9m59s", "0s". */
export function formatGoDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  if (whole === 0) return '0s';
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = whole % 60;
  if (hours > 0) return `${hours}h${minutes}m${secs}s`;
  if (minutes > 0) return `${minutes}m${secs}s`;
  return `${secs}s`;
}
