/** A fake Clock for the fetch layer's tests: time moves only when the test says so. */
import type { Clock } from '../../src/fetch/clock.ts';

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

/** A clock whose sleeps end only through advance(); `sleeps` records every requested delay. */
export interface FakeClock extends Clock {
  readonly sleeps: number[];
  /** Moves time forward by `ms`, waking sleepers in time order and letting their work run. */
  advance(ms: number): Promise<void>;
  /** Sleeps not yet over. */
  sleeping(): number;
}

/** Lets pending promise callbacks run, through a few turns of the event loop (the queue batches per turn). */
export async function settle(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Creates a fake clock starting at `start` ms. */
export function fakeClock(start = 0): FakeClock {
  let now = start;
  let sleepers: Sleeper[] = [];
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason as Error);
        const sleeper: Sleeper = {
          at: now + ms,
          resolve: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers = sleepers.filter((other) => other !== sleeper);
          reject(signal.reason as Error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        sleepers.push(sleeper);
      });
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await settle();
        const due = sleepers.filter((sleeper) => sleeper.at <= target).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        sleepers = sleepers.filter((sleeper) => sleeper !== due);
        now = Math.max(now, due.at);
        due.resolve();
      }
      now = target;
      await settle();
    },
    sleeping: () => sleepers.length,
  };
}
