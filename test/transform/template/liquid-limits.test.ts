// What LiquidJS's own limits and options really do (as docs/templates.md describes), checked on a
// plain LiquidJS engine so that an upgrade that changes them is noticed. Courier's engine adds what
// is missing: see engine.test.ts and errors.test.ts.
import test from 'ava';
import { Liquid } from 'liquidjs';

/** Renders with a plain LiquidJS engine; LiquidJS types its output as any. */
function run(engine: Liquid, text: string, scope: object = {}): string {
  return engine.parseAndRenderSync(text, scope) as string;
}

test('parseLimit bounds each parse call, not an engine\'s total, and counts characters, not bytes', (t) => {
  const engine = new Liquid({ parseLimit: 10 });
  t.notThrows(() => engine.parse('0123456789'));
  t.notThrows(() => engine.parse('0123456789'));
  t.notThrows(() => engine.parse('éééééééééé'), '20 bytes of UTF-8 pass a limit of 10');
  t.throws(() => engine.parse('01234567890'), { message: /parse length limit exceeded/ });
});

test('memoryLimit does not count the text a template writes', (t) => {
  const engine = new Liquid({ memoryLimit: 2000 });
  // The range is charged (1,000); the 100,000 characters of text written are not.
  t.is(run(engine, `{% for i in (1..1000) %}${'x'.repeat(100)}{% endfor %}`).length, 100_000);
});

test('memoryLimit does not count captured text', (t) => {
  const engine = new Liquid({ memoryLimit: 100 });
  const doubling = '{% capture a %}xxxxxxxx{% endcapture %}' + '{% capture a %}{{ a }}{{ a }}{% endcapture %}'.repeat(16) + '{{ a | size }}';
  t.is(run(engine, doubling), String(8 * 2 ** 16));
});

test('memoryLimit charges ranges before they are built', (t) => {
  const engine = new Liquid({ memoryLimit: 1000 });
  t.throws(() => run(engine, '{% for i in (1..1001) %}{% endfor %}'), { message: /memory alloc limit exceeded/ });
});

test('renderLimit is a deadline checked between nodes', (t) => {
  const engine = new Liquid({ renderLimit: 0 });
  t.throws(() => run(engine, 'x'), { message: /template render limit exceeded/ });
});

test('the templateLimit render option is declared but not enforced', (t) => {
  const engine = new Liquid();
  const output = engine.renderSync(engine.parse('{% for i in (1..1000) %}{{ i }}{% endfor %}'), {}, { templateLimit: 1 }) as string;
  t.true(output.endsWith('9991000'));
});

test('a for tag ignores filters on its collection', (t) => {
  const engine = new Liquid();
  engine.registerFilter('keys', (value: object) => Object.keys(value).sort());
  t.is(run(engine, '{% for k in m | keys %}[{{ k }}]{% endfor %}', { m: { b: 1, a: 2 } }), '[b1][a2]');
});

test('lenientIf also makes assign read a missing key as nil', (t) => {
  const engine = new Liquid({ strictVariables: true, lenientIf: true });
  t.is(run(engine, '{% assign pw = db.passwrd %}[{{ pw }}]', { db: {} }), '[]');
});

test('the date filter reads the clock', (t) => {
  const engine = new Liquid();
  t.is(run(engine, '{{ "now" | date: "%Y" }}'), String(new Date().getFullYear()));
});

test('include reads files by default', (t) => {
  const engine = new Liquid();
  t.throws(() => run(engine, '{% include "/etc/hostname-that-is-not-there" %}'), { message: /ENOENT|Failed to lookup/ });
});
