/** Fault injection: answers real Vault gives under stress (429 quota, 503 sealed, 500 standby), delays and hangs. */
import { errors, MESSAGES, type VaultReply } from './envelope.ts';

/** What to do instead of (or before) answering. */
export type Fault =
  /** 429 as a rate-limit quota answers, with its Retry-After and X-Ratelimit-* headers. */
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds?: number }
  /** 503 "Vault is sealed". */
  | { readonly kind: 'sealed' }
  /** 500 from a standby that cannot find the active node. */
  | { readonly kind: 'standby' }
  /** Any status with these error texts. */
  | { readonly kind: 'status'; readonly status: number; readonly errors?: readonly string[] }
  /** Wait, then answer normally. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Never answer (the connection stays open until the client gives up or the fake stops). */
  | { readonly kind: 'hang' }
  /** Drop the connection without an answer. */
  | { readonly kind: 'reset' };

/** Where a fault applies and how often. */
export interface FaultRule {
  readonly fault: Fault;
  /** A path inside the namespace (`secret/data/app`), a prefix ending in `*`, or a RegExp; default every path. */
  readonly path?: string | RegExp;
  readonly method?: string;
  /** Namespace path ('' for root); default any. */
  readonly namespace?: string;
  /** How many requests it hits before it retires; default every request. */
  readonly times?: number;
}

/** A live fault. */
export interface FaultHandle {
  /** Requests it has hit so far. */
  readonly hits: number;
  remove(): void;
}

interface LiveFault {
  readonly rule: FaultRule;
  hits: number;
}

/** The injected faults, first match wins. */
export class FaultInjector {
  readonly #faults: LiveFault[] = [];

  /** Adds a fault; returns a handle to watch or remove it. */
  add(rule: FaultRule): FaultHandle {
    const live: LiveFault = { rule, hits: 0 };
    this.#faults.push(live);
    return {
      get hits() {
        return live.hits;
      },
      remove: () => {
        const index = this.#faults.indexOf(live);
        if (index >= 0) this.#faults.splice(index, 1);
      },
    };
  }

  /** The fault for this request, if any; counts the hit. */
  take(method: string, path: string, namespace: string): Fault | undefined {
    const live = this.#faults.find(({ rule, hits }) => (rule.times === undefined || hits < rule.times) && applies(rule, method, path, namespace));
    if (!live) return undefined;
    live.hits += 1;
    return live.rule.fault;
  }

  /** Removes every fault. */
  clear(): void {
    this.#faults.length = 0;
  }
}

function applies(rule: FaultRule, method: string, path: string, namespace: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
  if (rule.namespace !== undefined && rule.namespace !== namespace) return false;
  if (rule.path === undefined) return true;
  if (rule.path instanceof RegExp) return rule.path.test(path);
  return rule.path.endsWith('*') ? path.startsWith(rule.path.slice(0, -1)) : path === rule.path;
}

/** The answer for a fault that answers (every kind but delay, hang and reset). */
export function faultReply(fault: Fault, path: string): VaultReply | undefined {
  switch (fault.kind) {
    case 'rate-limit': {
      const retry = fault.retryAfterSeconds ?? 1;
      const headers = { 'retry-after': String(retry), 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(retry) };
      return { ...errors(429, MESSAGES.rateLimited(path)), headers };
    }
    case 'sealed':
      return errors(503, MESSAGES.sealed);
    case 'standby':
      return errors(500, MESSAGES.standby);
    case 'status':
      return errors(fault.status, ...(fault.errors ?? []));
    default:
      return undefined;
  }
}
