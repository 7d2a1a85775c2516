// Converted templates against the real thing: each Vault Agent template is rendered by Go's
// text/template (test/e2e/convert-go) and, translated, by Courier's engine; the bytes must match.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { translateTemplate } from '../../src/convert/translate-template.ts';
import { compileTemplate, DEFAULT_TEMPLATE_BUDGETS, renderTemplate } from '../../src/transform/template/index.ts';
import { courierValue, GO_CASES, vaultResponse, type GoCase } from '../convert/go-cases.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
const PROGRAM = fileURLToPath(new URL('./convert-go/', import.meta.url));

/** Builds the Go renderer once per test file; the default Go build cache makes later builds quick. */
async function buildRenderer(dir: string): Promise<string> {
  const binary = join(dir, 'convert-go');
  await run('go', ['build', '-mod=readonly', '-buildvcs=false', '-trimpath', '-o', binary, '.'], { cwd: PROGRAM, timeout: 300_000 });
  return binary;
}

/** Runs the Go renderer on one case; resolves with its stdout bytes. */
function renderWithGo(binary: string, goCase: GoCase): Promise<Buffer> {
  const request = {
    template: goCase.template,
    ...(goCase.left ? { left: goCase.left } : {}),
    ...(goCase.right ? { right: goCase.right } : {}),
    secrets: Object.fromEntries(Object.entries(goCase.secrets).map(([path, secret]) => [path, vaultResponse(secret)])),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`convert-go exited ${code}: ${Buffer.concat(err).toString()}`))));
    child.stdin.end(JSON.stringify(request));
  });
}

function renderWithCourier(goCase: GoCase): Buffer {
  const translated = translateTemplate(goCase.template, { ...(goCase.left ? { left: goCase.left } : {}), ...(goCase.right ? { right: goCase.right } : {}) });
  const field = 'objects[0].template';
  const inputs = new Map(translated.inputs.map((input) => [input.name, courierValue(input, goCase.secrets)]));
  return Buffer.from(renderTemplate(compileTemplate(translated.liquid ?? '', field), inputs, DEFAULT_TEMPLATE_BUDGETS, field));
}

test('every converted template renders the bytes Go\'s text/template writes', async (t) => {
  const binary = await buildRenderer(await tempDir(t, 'courier-convert-go-'));
  for (const goCase of GO_CASES) {
    const go = await renderWithGo(binary, goCase);
    t.is(go.toString('latin1'), Buffer.from(goCase.expected, goCase.binary ? 'latin1' : 'utf8').toString('latin1'), `Go's output for: ${goCase.title}`);
    t.true(renderWithCourier(goCase).equals(go), `Courier's output for: ${goCase.title}`);
  }
});
