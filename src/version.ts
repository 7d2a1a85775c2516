/** The package's name and semver, read once from package.json. */
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const RUNTIME_NAME = 'courier';
export const VERSION: string = manifest.version;
