import test from 'ava';
import { AuthenticationV1Api } from '@kubernetes/client-node';
import { startGoogleFakes, type GoogleFakes } from './harness/google.ts';
import { requestToken } from './harness/kube-objects.ts';
import { contents, publish } from './harness/pods.ts';
import { useStack, type Stack, AUDIENCES } from './harness/stack.ts';
import { ACCOUNTS, prepareTokenScenario, startAppPod, startTokenCourier } from './harness/token-scenario.ts';
import { nowSeconds, resign, strangerKey } from './harness/tokens.ts';

// Item 2 of the cluster tier, the part that holds today: tokens issued by the real TokenRequest API and
// bound to the real pod are accepted; a token of another ServiceAccount is refused. The expired, forged
// and wrong-audience cases are in tokens-verification.test.ts.

const NS = 'tokens';
const PROVIDER = 'courier-tokens';

let stack: Stack;
let google: GoogleFakes | undefined;

test.before(async () => {
  stack = await useStack();
  google = await startGoogleFakes();
  await prepareTokenScenario(stack, google, NS, PROVIDER);
});

test.after.always(async () => {
  await stack?.stop();
  await google?.stop();
});

test('tokens from the TokenRequest API, bound to the pod with the CSIDriver\'s audiences, are accepted', async (t) => {
  if (!google) throw new Error('no Google fakes');
  await startTokenCourier(t, stack, google, PROVIDER);
  const volume = await startAppPod(t, stack, NS, 'accepted-0');
  let seen = '';
  const { result, files } = await publish(stack, volume, (_audience, token) => (seen = token));
  t.true(result.ok, `${result.error}\n${await stack.logs()}`);
  t.deepEqual(contents(files), { value: 'token-test-value' });
  const claims = JSON.parse(Buffer.from(seen.split('.')[1] ?? '', 'base64url').toString()) as { iss: string; aud: string[]; 'kubernetes.io': { pod: { name: string; uid: string } } };
  t.is(claims.iss, stack.issuer);
  t.deepEqual(claims.aud, [AUDIENCES.gcp]);
  t.deepEqual(claims['kubernetes.io'].pod, { name: 'accepted-0', uid: volume.pod.metadata?.uid ?? '' });
  t.deepEqual(google.sts.calls.slice(-1).map((call) => call.subject), [`system:serviceaccount:${NS}:${ACCOUNTS.app}`]);
});

test('a real token of another ServiceAccount is refused, naming both', async (t) => {
  if (!google) throw new Error('no Google fakes');
  await startTokenCourier(t, stack, google, PROVIDER);
  const volume = await startAppPod(t, stack, NS, 'borrowed-0');
  const other = await requestToken(stack.admin, NS, ACCOUNTS.other, { audiences: [AUDIENCES.gcp] });
  const stsBefore = google.sts.calls.length;
  const { result } = await publish(stack, volume, (audience, token) => (audience === AUDIENCES.gcp ? other.token : token));
  t.false(result.ok);
  t.true(
    result.error.includes(`rpc error: code = Unauthenticated desc = objects[0]: the token for audience "${AUDIENCES.gcp}" belongs to ${NS}/${ACCOUNTS.other}, but the request is for ${NS}/${ACCOUNTS.app}`),
    result.error,
  );
  t.is(google.sts.calls.length, stsBefore, 'the borrowed token never left Courier');
});

test('the API server accepts a token re-signed with its key and refuses the expired and forged ones the verification tests send', async (t) => {
  const { token } = await requestToken(stack.admin, NS, ACCOUNTS.app, { audiences: [AUDIENCES.gcp] });
  const review = async (candidate: string) => {
    const answer = await stack.admin.makeApiClient(AuthenticationV1Api).createTokenReview({ body: { spec: { token: candidate, audiences: [AUDIENCES.gcp] } } });
    return answer.status?.authenticated ?? false;
  };
  t.true(await review(await resign(token, stack.serviceAccountKeyPem)), 're-signed with the API server\'s key');
  t.false(await review(await resign(token, stack.serviceAccountKeyPem, { exp: nowSeconds() - 60, iat: nowSeconds() - 3660, nbf: nowSeconds() - 3660 })), 'expired');
  t.false(await review(await resign(token, strangerKey(), {}, stack.serviceAccountKeyPem)), 'forged');
});
