/** Loads the template engine before any unit test plans a class: production code loads it before planning (engine-loader.ts); tests call planning directly. */
import { loadTemplateEngine } from '../../src/transform/template/engine-loader.ts';

export default async function load(): Promise<void> {
  await loadTemplateEngine();
}
