import test from 'ava';
import { POD_UID, useEventRig } from './pod-events-rig.ts';

const MINUTE = 60_000;

test('a failed first mount creates one SecretMountFailed event on the pod with the message the Mount returned', async (t) => {
  const rig = await useEventRig(t);
  const message = await rig.mount('missing.txt');
  t.not(message, 'ok');
  const [event, ...others] = rig.stored();
  t.deepEqual(others, []);
  t.like(event, {
    apiVersion: 'events.k8s.io/v1',
    type: 'Warning',
    reason: 'SecretMountFailed',
    action: 'Mount',
    reportingController: 'courier',
    reportingInstance: 'courier-x7k2p',
    note: `SecretProviderClass test-spc: ${message}`,
    regarding: { apiVersion: 'v1', kind: 'Pod', name: 'app-0', namespace: 'team-a', uid: POD_UID },
    related: { apiVersion: 'secrets-store.csi.x-k8s.io/v1', kind: 'SecretProviderClass', name: 'test-spc', namespace: 'team-a' },
  });
  t.regex(event?.metadata?.name ?? '', /^app-0\.[0-9a-f]+$/);
  t.is(event?.series, undefined);
  t.deepEqual(await rig.counts(), { 'SecretMountFailed/created': 1 });
});

test('a failure after a success for the same volume is a rotation failure that says the pod keeps its files', async (t) => {
  const rig = await useEventRig(t);
  t.is(await rig.mount('api-key'), 'ok');
  // The same volume (pod UID and target path) is republished with a class whose object is not there.
  const message = await rig.mount('missing.txt');
  t.not(message, 'ok');
  t.like(rig.stored(), [{ type: 'Warning', reason: 'SecretRotationFailed', action: 'Republish', note: `SecretProviderClass test-spc: the pod keeps its previous files; rotation failed: ${message}` }]);
});

test('repeated failures cost no API call until the refresh interval, then update the series count', async (t) => {
  const rig = await useEventRig(t);
  await rig.mount('missing.txt');
  for (let minute = 1; minute < 10; minute++) {
    rig.advance(MINUTE);
    await rig.mount('missing.txt');
  }
  t.is(rig.api.count(undefined, 'events'), 1);
  rig.advance(MINUTE);
  await rig.mount('missing.txt');
  t.is(rig.api.count('POST', 'events'), 1);
  t.is(rig.api.count('PATCH', 'events'), 1);
  const [event, ...others] = rig.stored();
  t.deepEqual(others, []);
  t.is(event?.series?.count, 11);
  t.is(event?.series?.lastObservedTime, '2026-12-01T10:10:00.000000Z');
  t.deepEqual(await rig.counts(), { 'SecretMountFailed/created': 1, 'SecretMountFailed/deduplicated': 9, 'SecretMountFailed/updated': 1 });
});

test('successful Mounts without a change make no API call at all', async (t) => {
  const rig = await useEventRig(t);
  for (let minute = 0; minute < 5; minute++) {
    t.is(await rig.mount('db.txt'), 'ok');
    rig.advance(MINUTE);
  }
  t.is(rig.api.requests.length, 0);
  t.deepEqual(await rig.counts(), {});
});

test('one SecretRotated event when a republish delivers a new version', async (t) => {
  const rig = await useEventRig(t);
  await rig.mount('db.txt');
  rig.advance(MINUTE);
  await rig.rotate('db.txt', 'db-password-2');
  await rig.mount('db.txt');
  rig.advance(MINUTE);
  await rig.mount('db.txt');
  const events = rig.stored();
  t.is(events.length, 1);
  t.like(events[0], { type: 'Normal', reason: 'SecretRotated', action: 'Republish', note: 'SecretProviderClass test-spc: new versions of db.txt' });
  t.false(JSON.stringify(events).includes('db-password'));
});

test('a first failure into a target path that already holds files is a rotation failure (Courier restarted)', async (t) => {
  const rig = await useEventRig(t, { holdsFiles: (path) => Promise.resolve(path.endsWith('/mount')) });
  await rig.mount('missing.txt');
  t.like(rig.stored(), [{ reason: 'SecretRotationFailed' }]);
});

test('a new message within 30 seconds of the last write is rate-limited, and written after', async (t) => {
  const rig = await useEventRig(t);
  await rig.mount('missing.txt');
  rig.advance(10_000);
  await rig.mount('other-missing.txt');
  t.is(rig.stored().length, 1);
  rig.advance(20_000);
  await rig.mount('other-missing.txt');
  t.is(rig.stored().length, 2);
  t.regex(rig.stored()[1]?.note ?? '', /other-missing\.txt/);
  t.deepEqual(await rig.counts(), { 'SecretMountFailed/created': 2, 'SecretMountFailed/rate_limited': 1 });
});

test('an event that expired is written anew on the next refresh', async (t) => {
  const rig = await useEventRig(t);
  await rig.mount('missing.txt');
  const [first] = rig.stored();
  rig.api.deleteEvent('team-a', first?.metadata?.name ?? '');
  rig.advance(10 * MINUTE);
  await rig.mount('missing.txt');
  t.is(rig.stored().length, 1);
  t.not(rig.stored()[0]?.metadata?.name, first?.metadata?.name);
  t.is(rig.api.count('PATCH', 'events'), 1);
});

test('without RBAC on events the Mount still answers as before, and the refusal is logged and counted', async (t) => {
  const rig = await useEventRig(t);
  rig.api.forbid('create', 'events');
  const message = await rig.mount('missing.txt');
  t.regex(message, /missing\.txt/);
  t.deepEqual(rig.stored(), []);
  t.deepEqual(await rig.counts(), { 'SecretMountFailed/failed': 1 });
  const line = rig.logLines.find((entry) => entry.includes('pod event not written'));
  t.regex(line ?? '', /refused to let courier create events team-a\/app-0\./);
  // The failed create is not remembered: the next occurrence tries again.
  rig.advance(MINUTE);
  await rig.mount('missing.txt');
  t.is(rig.api.count('POST', 'events'), 2);
});

test('a Mount without a pod UID (courier mount) records no event', async (t) => {
  const rig = await useEventRig(t);
  await rig.mount('missing.txt', { uid: '' });
  t.is(rig.api.requests.length, 0);
});
