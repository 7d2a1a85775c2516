/** A Courier shared by a hostile tenant and a well-behaved one: the attack runs while the other tenant keeps mounting. */
import type { ExecutionContext } from 'ava';
import { DeadlineError } from '../../src/errors/courier-error.ts';
import { checkedPodToken, NO_SIGNATURE_CHECK } from '../../src/identity/token-verifier.ts';
import type { ServeOptions } from '../../src/server/options.ts';
import type { Backend, FetchRequest, FetchResult } from '../../src/stores/backend.ts';
import { fakePodToken, tokensAttribute } from '../helpers/pod-token.ts';
import type { MountCall } from '../helpers/provider-client.ts';
import { DRIVER_KEYS } from '../../src/spc/decode-request.ts';
import { driverAttributes, startTestCourier, type CourierFixture } from '../server/courier-fixture.ts';

/** The well-behaved tenant's class: two files from the local store. */
export const VICTIM_FILES = { 'team-b/db.json': '{"user":"b","password":"pw-b"}', 'team-b/api-key': 'key-b' };
const VICTIM_OBJECTS = '- {source: "file:team-b/db.json", path: password, jsonKey: password}\n- {source: "file:team-b/api-key"}';

/** How a store of the rig behaves for one locator: a value, a hang, or an error. */
export type Behaviour = { readonly value: string } | { readonly hang: true } | { readonly error: FetchResult & { ok: false } };

/**
 * A store named `tenant` that checks the pod's token like a real store (audience `tenant`) and keys
 * identities by namespace and service account; `behaviour` decides per locator. Counts its calls.
 */
export function tenantStore(behaviour: (request: FetchRequest) => Behaviour): Backend & { readonly calls: () => number } {
  let calls = 0;
  return {
    store: 'tenant',
    maxBatchSize: 1,
    calls: () => calls,
    async identityKey(_request, context) {
      const token = await checkedPodToken(context.tokens, 'tenant', context.pod, 'tenant', NO_SIGNATURE_CHECK, context.signal);
      return `${token.namespace}/${token.serviceAccount}`;
    },
    fetch(requests, context) {
      calls += 1;
      return Promise.all(
        requests.map(async (request) => {
          const what = behaviour(request);
          if ('hang' in what) {
            // Answers only when nobody waits any more: a store that never responds.
            await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
            return { ok: false, error: new DeadlineError('the store never answered') } satisfies FetchResult;
          }
          if ('error' in what) return what.error;
          return { ok: true, contents: Buffer.from(what.value), version: 'v1' } satisfies FetchResult;
        }),
      );
    },
  };
}

/** A Mount by a pod of `namespace`/`serviceAccount`, with its `tenant` token. */
export function tenantMount(parameters: Readonly<Record<string, string>>, namespace: string, serviceAccount = 'app', token?: string): MountCall {
  const attributes = { ...driverAttributes(parameters, { namespace, name: `${serviceAccount}-0` }), [DRIVER_KEYS.serviceAccount]: serviceAccount };
  const value = token ?? fakePodToken({ namespace, serviceAccount, audience: 'tenant' });
  return { attributes: { ...attributes, [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'tenant', token: value }]) } };
}

/** A Courier with the local store (the victim's files) and the tenant store. */
export function startSharedCourier(t: ExecutionContext, store: Backend, options: Partial<ServeOptions> = {}): Promise<CourierFixture> {
  return startTestCourier(t, { localFiles: VICTIM_FILES, backends: [['tenant', store]], options });
}

/**
 * Runs `mounts` of the well-behaved tenant, `concurrency` at a time, while `attack` runs; resolves with
 * how many succeeded and the slowest one's milliseconds. Bounded: it stops after `mounts`.
 */
export async function victimMountsDuring(courier: CourierFixture, attack: Promise<unknown>, mounts = 24, concurrency = 4): Promise<{ ok: number; failed: string[]; slowestMs: number }> {
  let ok = 0;
  let slowest = 0;
  const failed: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < mounts) {
      next += 1;
      const started = performance.now();
      try {
        const response = await courier.client.mount({ attributes: driverAttributes({ objects: VICTIM_OBJECTS }, { namespace: 'team-b' }) }, 10_000);
        if (Buffer.from(response.files[0]?.contents ?? []).toString() === 'pw-b') ok += 1;
        else failed.push('wrong content');
      } catch (error) {
        failed.push((error as Error).message);
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
  };
  await Promise.all([...Array.from({ length: concurrency }, worker), attack.catch(() => undefined)]);
  return { ok, failed, slowestMs: slowest };
}
