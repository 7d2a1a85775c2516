/** Decides, per pod and reason, whether an occurrence creates an Event, updates its count, or costs no API call. */

/** What to do about one occurrence. */
export type SeriesDecision =
  | { readonly action: 'create'; readonly name: string }
  | { readonly action: 'patch'; readonly name: string; readonly count: number; readonly firstAt: number }
  /** Same message as the Event already written, within the refresh interval: counted here only. */
  | { readonly action: 'deduplicated' }
  /** A new message too soon after the last write for this pod and reason. */
  | { readonly action: 'rate_limited' };

/** How often the API is written per pod and reason. */
export interface SeriesTiming {
  /** A repeated occurrence updates the Event's count at most this often (default 10 minutes). */
  readonly refreshMs?: number;
  /** A different message for the same pod and reason waits at least this long after the last write (default 30 s). */
  readonly minGapMs?: number;
  /** Past this age an Event is not updated but written anew (the API server drops Events after an hour by default). */
  readonly maxAgeMs?: number;
  /** Pods and reasons remembered at most; the oldest are forgotten first (default 10,000). */
  readonly maxEntries?: number;
}

/** The per-pod-and-reason memory behind Courier's pod events. */
export interface EventSeries {
  /** Decides for an occurrence of `reason` for `pod` with `message` at `now`; `eventName` names a new Event. */
  decide(key: string, message: string, now: number, eventName: () => string): SeriesDecision;
  /** The write of a decision failed: a created Event is forgotten so the next occurrence tries again. */
  failed(key: string, decision: SeriesDecision): void;
  /** The Event vanished (expired or deleted): the next occurrence creates a new one. */
  forget(key: string): void;
}

interface Entry {
  readonly name: string;
  readonly message: string;
  readonly firstAt: number;
  count: number;
  writtenAt: number;
}

export const DEFAULT_SERIES_TIMING = Object.freeze({ refreshMs: 600_000, minGapMs: 30_000, maxAgeMs: 3_000_000, maxEntries: 10_000 });

/**
 * Kubelet re-publishes every volume about once a minute, so a broken SecretProviderClass fails the same
 * way sixty times an hour per pod. The first occurrence creates an Event; repeats of the same message
 * only count, and the Event's `series.count` is brought up to date at most every `refreshMs`; a changed
 * message is a new Event, but not sooner than `minGapMs` after the last write, so a retry storm with
 * varying messages cannot flood the API.
 */
export function createEventSeries(timing: SeriesTiming = {}): EventSeries {
  const { refreshMs, minGapMs, maxAgeMs, maxEntries } = { ...DEFAULT_SERIES_TIMING, ...timing };
  const entries = new Map<string, Entry>();
  const keep = (key: string, entry: Entry) => {
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };
  return {
    decide(key, message, now, eventName) {
      const entry = entries.get(key);
      if (entry && entry.message === message && now - entry.firstAt < maxAgeMs) {
        entry.count += 1;
        if (now - entry.writtenAt < refreshMs) return { action: 'deduplicated' };
        entry.writtenAt = now;
        keep(key, entry);
        return { action: 'patch', name: entry.name, count: entry.count, firstAt: entry.firstAt };
      }
      if (entry && now - entry.writtenAt < minGapMs) return { action: 'rate_limited' };
      const name = eventName();
      keep(key, { name, message, firstAt: now, count: 1, writtenAt: now });
      return { action: 'create', name };
    },
    failed(key, decision) {
      if (decision.action === 'create' && entries.get(key)?.name === decision.name) entries.delete(key);
    },
    forget(key) {
      entries.delete(key);
    },
  };
}
