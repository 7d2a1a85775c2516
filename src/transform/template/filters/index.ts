/** The functions (Liquid filters) a Courier template may call: a few of our own and a vetted part of LiquidJS's. */
import { filters as liquidFilters, type FilterImplOptions } from 'liquidjs';
import { base64Decode, base64Encode, hexEncode } from './encoding.ts';
import { pemCertificate, pemChain, pemPrivateKey } from './pem.ts';
import { envQuote, shQuote } from './quoting.ts';
import { json, keys, yaml } from './structured.ts';

/**
 * LiquidJS filters kept as they are: pure string, list and number functions that charge LiquidJS's
 * memory budget. Left out on purpose: the date filters (they read the clock), `sample` (random),
 * the `*_exp` filters (expressions inside strings), HTML-only and debugging filters, LiquidJS's own
 * json/base64 filters (replaced below).
 */
export const LIQUID_FILTERS = [
  'default', 'strip', 'lstrip', 'rstrip', 'strip_newlines', 'upcase', 'downcase', 'capitalize',
  'append', 'prepend', 'replace', 'replace_first', 'replace_last', 'remove', 'remove_first', 'remove_last',
  'split', 'join', 'first', 'last', 'size', 'slice', 'truncate', 'url_encode', 'url_decode', 'escape',
  'plus', 'minus', 'times', 'divided_by', 'modulo', 'abs', 'at_least', 'at_most', 'round', 'floor', 'ceil',
  'sort', 'sort_natural', 'uniq', 'reverse', 'map', 'compact', 'concat', 'where', 'sha256', 'hmac_sha256',
] as const;

/** Courier's own functions, by the name templates call them. */
export const COURIER_FILTERS: Readonly<Record<string, FilterImplOptions>> = Object.freeze({
  base64_encode: base64Encode,
  base64_decode: base64Decode,
  hex_encode: hexEncode,
  json,
  yaml,
  keys,
  sh_quote: shQuote,
  env_quote: envQuote,
  pem_certificate: pemCertificate,
  pem_chain: pemChain,
  pem_private_key: pemPrivateKey,
});

/** Every function a template may call. */
export function templateFilters(): ReadonlyMap<string, FilterImplOptions> {
  const all = new Map<string, FilterImplOptions>();
  for (const name of LIQUID_FILTERS) {
    const filter = (liquidFilters as Record<string, FilterImplOptions | undefined>)[name];
    // A LiquidJS upgrade that drops a filter must fail loudly here, not shrink the documented set.
    if (filter === undefined) throw new Error(`LiquidJS no longer has the "${name}" filter`);
    all.set(name, filter);
  }
  for (const [name, filter] of Object.entries(COURIER_FILTERS)) all.set(name, filter);
  return all;
}
