/** Google's side for the cluster tier: the wire-level fakes of STS, IAM Credentials and Secret Manager, for a GKE-style pool. */
import { FakeSecretManager } from '../../fakes/gcp-secret-manager.ts';
import { FakeIamCredentials } from '../../fakes/google-iam-credentials.ts';
import { FakeSts } from '../../fakes/google-sts.ts';
import { AUDIENCES } from './stack.ts';

/** The fakes, and the `courier serve` flags that point Courier at them. */
export interface GoogleFakes {
  readonly project: string;
  readonly sts: FakeSts;
  readonly iam: FakeIamCredentials;
  readonly secretManager: FakeSecretManager;
  readonly courierArgs: readonly string[];
  /** Lets the Kubernetes ServiceAccount `namespace/name` impersonate the Google service account `email`. */
  allow(namespace: string, name: string, email: string): void;
  stop(): Promise<void>;
}

/**
 * Starts the fakes for the pool the stack's CSIDriver requests tokens for (`shop-prod.svc.id.goog`). The
 * STS audience is GKE's: `identitynamespace:<pool>:<cluster URL>` for project shop-prod, cluster main in
 * europe-west1.
 */
export async function startGoogleFakes(): Promise<GoogleFakes> {
  const project = AUDIENCES.gcp.slice(0, -'.svc.id.goog'.length);
  const [location, cluster] = ['europe-west1', 'main'];
  const sts = new FakeSts(`identitynamespace:${AUDIENCES.gcp}:https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${cluster}`, AUDIENCES.gcp);
  await sts.start();
  const federated = (token: string) => {
    const subject = sts.subjectOf(token)?.split(':');
    return subject?.length === 4 ? `serviceAccount:${AUDIENCES.gcp}[${subject[2]}/${subject[3]}]` : undefined;
  };
  const iam = new FakeIamCredentials(federated);
  await iam.start();
  const secretManager = new FakeSecretManager({ principalOf: (token) => (iam.serviceAccountOf(token) === undefined ? federated(token) : `serviceAccount:${iam.serviceAccountOf(token)}`) });
  await secretManager.start();
  return {
    project,
    sts,
    iam,
    secretManager,
    courierArgs: [
      '--gcp-project', project, '--gcp-cluster-location', location, '--gcp-cluster-name', cluster,
      '--gcp-secret-manager-endpoint', secretManager.endpoint, '--gcp-secret-manager-regional-endpoint', secretManager.endpoint,
      '--gcp-sts-endpoint', sts.tokenUrl, '--gcp-iam-credentials-endpoint', iam.url, '--gcp-plaintext',
    ],
    allow: (namespace, name, email) => iam.allow(`serviceAccount:${AUDIENCES.gcp}[${namespace}/${name}]`, email),
    stop: async () => {
      await secretManager.stop();
      await iam.stop();
      await sts.stop();
    },
  };
}
