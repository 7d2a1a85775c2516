/** Builds the LiquidJS engine templates run in: no files, a fixed set of tags and functions, metered rendering. */
import { AssignTag, Context, ForTag, Liquid, type Emitter, type FS, type Parser, type TagToken, type Template, type TopLevelToken, type Value } from 'liquidjs';
import type { RenderMeter, TemplateBudgets } from './budgets.ts';
import { templateFilters } from './filters/index.ts';

/**
 * Tags a template may use. Left out: include, render and layout/block (they read other files),
 * tablerow (HTML), cycle, increment and decrement (counters that outlive their block).
 */
export const TEMPLATE_TAGS = ['assign', 'capture', 'case', 'comment', 'for', 'if', 'unless', 'raw', 'break', 'continue', 'echo', 'liquid', '#'] as const;

/** The register a render's meter is kept in; per Context, so per render. */
const METER = 'courier.meter';

/** Every file operation fails: the tags that read files are gone, and this makes sure. */
const NO_FILES: FS = Object.freeze({
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: () => Promise.reject(new Error('templates cannot read files')),
  readFileSync: () => {
    throw new Error('templates cannot read files');
  },
  resolve: (_dir: string, file: string) => file,
  contains: () => Promise.resolve(false),
  containsSync: () => false,
});

/**
 * LiquidJS reads a for tag's collection as one value and silently ignores filters after it
 * (`{% for k in db | keys %}` iterates `db` unsorted). Such a tag is refused instead.
 */
class ForWithoutFilters extends ForTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    if (hasFilter(token.args)) throw new Error('a for tag cannot apply filters to its collection; assign the result first, e.g. {% assign names = db | keys %}{% for name in names %}');
    super(token, remainTokens, liquid, parser);
  }
}

/**
 * With lenientIf, LiquidJS also lets `assign` read a missing key as nil, so a typo would render an
 * empty password. Here assign is strict: only its `default` filter may look at a missing key.
 */
class StrictAssign extends AssignTag {
  override *render(ctx: Context): Generator<unknown, void, unknown> {
    // key and value are private in LiquidJS's typings; they are the tag's parsed name and expression.
    const tag = this as unknown as { readonly key: string; readonly value: Value };
    ctx.bottom()[tag.key] = yield tag.value.value(ctx, false);
  }
}

/** Whether `args` has a `|` outside quotes. */
function hasFilter(args: string): boolean {
  let quote: string | undefined;
  for (const char of args) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '|') {
      return true;
    }
  }
  return false;
}

/**
 * A new engine. Options: undefined variables and filters are errors (a typo must not render an
 * empty password); only own properties are visible (no `constructor`, no prototype methods);
 * `default`, `if`, `unless` and `case` may still test a missing key (lenientIf).
 */
export function createEngine(budgets: TemplateBudgets): Liquid {
  const engine = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    lenientIf: true,
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    cache: false,
    timezoneOffset: 0,
    // LiquidJS counts characters; a template within its byte budget is always within this.
    parseLimit: budgets.templateBytes,
  });
  for (const name of Object.keys(engine.tags)) if (!(TEMPLATE_TAGS as readonly string[]).includes(name)) delete engine.tags[name];
  engine.registerTag('for', ForWithoutFilters);
  engine.registerTag('assign', StrictAssign);
  for (const name of Object.keys(engine.filters)) engine.unregisterFilter(name);
  for (const [name, filter] of templateFilters()) engine.registerFilter(name, filter);
  Object.defineProperty(engine, 'renderer', { value: meteredRenderer(engine.renderer), writable: false });
  return engine;
}

/**
 * Every block body (the top level, each loop iteration, each branch taken, each capture) is rendered
 * through `renderTemplates`; charging its nodes there bounds the render in steps, and handing
 * captures a metered writer keeps captured text inside the output budget.
 */
function meteredRenderer(base: Liquid['renderer']): Liquid['renderer'] {
  return {
    renderTemplatesToNodeStream() {
      throw new Error('templates are rendered synchronously');
    },
    *renderTemplates(templates: Template[], ctx: Context, emitter?: Emitter): Generator<unknown, unknown, unknown> {
      const meter = meterOf(ctx);
      // An empty body still counts: `{% for i in list %}{% endfor %}` over a long list is work.
      meter.step(Math.max(1, templates.length));
      return yield base.renderTemplates(templates, ctx, emitter ?? meter.textEmitter());
    },
  };
}

/** Puts a render's meter where the renderer finds it. */
export function attachMeter(ctx: Context, meter: RenderMeter): void {
  ctx.setRegister(METER, meter);
}

function meterOf(ctx: Context): RenderMeter {
  const meter = ctx.getRegister<RenderMeter | undefined>(METER);
  if (!meter) throw new Error('a template was rendered without a meter');
  return meter;
}
