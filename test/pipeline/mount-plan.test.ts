import test from 'ava';
import { ConfigError } from '../../src/errors/courier-error.ts';
import { createObjectFetcher } from '../../src/fetch/fetch-objects.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createAtomicWriter } from '../../src/output/atomic-writer.ts';
import { createFairScheduler, type FairScheduler } from '../../src/pipeline/fair-scheduler.ts';
import { runMount } from '../../src/pipeline/mount.ts';
import { DEFAULT_BUDGETS } from '../../src/spc/budgets.ts';
import { createPlanCache } from '../../src/spc/plan-cache.ts';
import type { DecodedRequest } from '../../src/spc/types.ts';
import type { Backend } from '../../src/stores/backend.ts';
import { CATALOG } from '../helpers/catalog.ts';

const store: Backend = {
  store: 'file',
  maxBatchSize: 10,
  identityKey: () => Promise.resolve(''),
  fetch: (requests) => Promise.resolve(requests.map(() => ({ ok: true, contents: Buffer.from('v'), version: 'v1' }))),
};

function request(objects: string): DecodedRequest {
  return { parameters: { objects }, secretProviderClass: 'app', pod: { name: 'web-0', namespace: 'team-a', uid: 'u', serviceAccount: 'default' }, tokens: new Map(), permission: 0o644, targetPath: '' };
}

/** A fair scheduler that counts the slices it is given. */
function countingScheduler(): { scheduler: FairScheduler; slices: () => number } {
  const inner = createFairScheduler();
  let slices = 0;
  return {
    scheduler: { run: (tenant, slice) => ((slices += 1), inner.run(tenant, slice)), charge: (tenant, ms) => inner.charge(tenant, ms) },
    slices: () => slices,
  };
}

test('a class planned before is answered from the plan cache without waiting for a slice; a new one is planned in a slice', async (t) => {
  const backends = new Map([['file', store]]);
  const { scheduler, slices } = countingScheduler();
  const deps = { fetcher: createObjectFetcher(backends, createMetrics()), catalog: CATALOG, backends, budgets: DEFAULT_BUDGETS, writer: createAtomicWriter(), writeFiles: false, plans: createPlanCache(), scheduler };
  const objects = '- {source: "file:db/password", path: db/password}';
  await runMount(request(objects), deps, AbortSignal.timeout(5_000));
  const cold = slices();
  const warm = await runMount(request(objects), deps, AbortSignal.timeout(5_000));
  t.deepEqual(warm.files.map((file) => file.path), ['db/password']);
  t.is(slices() - cold, cold - 1, 'the second Mount has every slice of the first but its planning');
  await runMount(request(`${objects}\n- {source: "file:db/user", path: db/user}`), deps, AbortSignal.timeout(5_000));
  t.is(slices() - cold * 2 + 1, cold, 'a class not seen before is planned in a slice again');
});

test('a class that failed planning fails again from the plan cache with the same error, without a slice', async (t) => {
  const backends = new Map([['file', store]]);
  const { scheduler, slices } = countingScheduler();
  const deps = { fetcher: createObjectFetcher(backends, createMetrics()), catalog: CATALOG, backends, budgets: DEFAULT_BUDGETS, writer: createAtomicWriter(), writeFiles: false, plans: createPlanCache(), scheduler };
  const first = await t.throwsAsync(runMount(request('- source: file:../x'), deps, AbortSignal.timeout(5_000)), { instanceOf: ConfigError });
  t.is(slices(), 1);
  const second = await t.throwsAsync(runMount(request('- source: file:../x'), deps, AbortSignal.timeout(5_000)));
  t.is(second, first);
  t.is(slices(), 1);
});
