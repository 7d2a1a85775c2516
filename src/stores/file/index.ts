/** The `file` store module: secrets are files under a directory the administrator names (`--local-store`). */
import { checkMountPath } from '../../output/path-rules.ts';
import type { StoreModule } from '../store-module.ts';

/** The embedded local store, for development and for nodes that carry their own secret files. */
export const fileStoreModule: StoreModule = {
  name: 'file',
  title: 'the local store (a directory on the node)',
  docs: 'README.md#the-local-store-file',
  sources: [
    {
      name: 'file',
      locatorHelp: 'a path relative to the --local-store directory',
      checkLocator(locator) {
        const problem = checkMountPath(locator, 'the local store');
        return problem === undefined ? undefined : `file locator ${problem}`;
      },
      // A file keeps its own relative path in the mount.
      defaultPath: (locator) => locator,
      enableHint: 'start it with --local-store DIR',
    },
  ],
  dialects: [],
  flags: [{ name: 'local-store', key: 'dir', value: 'dir', help: 'enable the file: store, serving files under <dir>' }],
  enabled: (flags) => typeof flags['dir'] === 'string' && flags['dir'] !== '',
  // No pod identity and nothing to call: the files are on the node.
  explainIdentity: () => ({ identity: 'none: a file under --local-store on the node (no pod identity is used)' }),
  requirements: () => ({ tokenAudiences: [], endpoints: [] }),
  async start(flags, shared) {
    const { FileStore } = await import('./file-store.ts');
    const store = new FileStore(flags['dir'] as string, shared.contentVersion);
    await store.start();
    return [store];
  },
};
