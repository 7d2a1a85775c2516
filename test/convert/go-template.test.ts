import test from 'ava';
import { GoSyntaxError, lexGoTemplate } from '../../src/convert/go-lexer.ts';
import { parseGoTemplate, type GoNode, type Operand, type Pipeline } from '../../src/convert/go-parser.ts';

/** A pipeline's commands as `kind:detail` strings. */
function commands(pipeline: Pipeline): string[][] {
  return pipeline.commands.map((command) => command.args.map((arg: Operand) => {
    if (arg.kind === 'dot' || arg.kind === 'group') return arg.chain.length > 0 || arg.kind === 'dot' ? `${arg.kind}:${arg.chain.join('.')}` : arg.kind;
    if (arg.kind === 'variable') return `${arg.kind}:${arg.name}${arg.chain.length > 0 ? `.${arg.chain.join('.')}` : ''}`;
    if (arg.kind === 'function') return `${arg.kind}:${arg.name}`;
    if (arg.kind === 'string' || arg.kind === 'bool') return `${arg.kind}:${String(arg.value)}`;
    if (arg.kind === 'number') return `${arg.kind}:${arg.text}`;
    return arg.kind;
  }));
}

/** The tree without places, for comparison. */
function shape(nodes: readonly GoNode[]): unknown[] {
  return nodes.map((node) => {
    if (node.kind === 'text') return node.text;
    if (node.kind === 'block') return { [node.keyword]: commands(node.pipeline), body: shape(node.body), otherwise: shape(node.otherwise) };
    if (node.kind === 'output') return { output: commands(node.pipeline), decl: node.pipeline.decl };
    return { [node.kind]: node.keyword };
  });
}

const parses = test.macro({
  exec(t, source: string, expected: unknown[]) {
    t.deepEqual(shape(parseGoTemplate(lexGoTemplate(source))), expected);
  },
  title: (given) => `parses ${given ?? ''}`,
});

test('trim markers, removing the whitespace next to them and only that', parses, 'a \n {{- "x" -}} \n b {{ "y" }} c', ['a', { output: [['string:x']], decl: [] }, 'b ', { output: [['string:y']], decl: [] }, ' c']);
test('a dash without a space as a negative number, not a trim marker', parses, 'a {{-3}} b', ['a ', { output: [['number:-3']], decl: [] }, ' b']);
test('comments, trimmed or not, into nothing', parses, 'a {{/* c */}} b {{- /* d */ -}} c', ['a ', ' b', 'c']);
test('a field chain apart from separate arguments', parses, '{{ index .Data.data "k" }}{{ f .A .B }}', [{ output: [['function:index', 'dot:Data.data', 'string:k']], decl: [] }, { output: [['function:f', 'dot:A', 'dot:B']], decl: [] }]);
test('variables with chains, declarations and pipes', parses, '{{ $s := secret "p" }}{{ $s.Data.x | base64Decode }}', [{ output: [['function:secret', 'string:p']], decl: ['$s'] }, { output: [['variable:$s.Data.x'], ['function:base64Decode']], decl: [] }]);
test('a parenthesized pipeline with a chain after it', parses, '{{ (secret "p").Data.x }}', [{ output: [['group:Data.x']], decl: [] }]);
test('raw strings and escapes in quoted strings', parses, '{{ `a\\n` }}{{ "b\\t\\u00e9\\"" }}', [{ output: [['string:a\\n']], decl: [] }, { output: [['string:b\t\u00e9"']], decl: [] }]);
test('if, else if and else into nested blocks', parses, '{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}', [{ if: [['dot:A']], body: ['a'], otherwise: [{ if: [['dot:B']], body: ['b'], otherwise: ['c'] }] }]);
test('range with two variables', parses, '{{ range $k, $v := .Data }}{{ $k }}{{ end }}', [{ range: [['dot:Data']], body: [{ output: [['variable:$k']], decl: [] }], otherwise: [] }]);
test('break and continue', parses, '{{ range .L }}{{ break }}{{ continue }}{{ end }}', [{ range: [['dot:L']], body: [{ control: 'break' }, { control: 'continue' }], otherwise: [] }]);
test('booleans and nil', parses, '{{ eq true false nil }}', [{ output: [['function:eq', 'bool:true', 'bool:false', 'nil']], decl: [] }]);
test('a right delimiter inside a string as part of the string', parses, '{{ "}}" }}', [{ output: [['string:}}']], decl: [] }]);
test('an action spread over lines', parses, '{{ index\n  .Data\n  "k" }}', [{ output: [['function:index', 'dot:Data', 'string:k']], decl: [] }]);

test('custom delimiters leave the default ones as text', (t) => {
  t.deepEqual(shape(parseGoTemplate(lexGoTemplate('{{ x }} [[ "y" ]]', '[[', ']]'))), ['{{ x }} ', { output: [['string:y']], decl: [] }]);
});

const rejects = test.macro({
  exec(t, source: string, message: string, line: number, column: number) {
    const error = t.throws(() => parseGoTemplate(lexGoTemplate(source)), { instanceOf: GoSyntaxError });
    t.is(error?.message, message);
    t.deepEqual(error?.place, { line, column });
  },
  title: (given) => `rejects ${given ?? ''}`,
});

test('an unclosed action', rejects, 'a\nb {{ .x ', 'unclosed action', 2, 3);
test('an unclosed comment', rejects, '{{/* x }}', 'unclosed comment', 1, 1);
test('an unterminated string', rejects, '{{ "abc }}', 'unterminated quoted string', 1, 4);
test('a stray character', rejects, '{{ .a ; }}', 'unexpected ";" in an action', 1, 7);
test('an end without a block', rejects, 'x{{ end }}', 'unexpected end', 1, 2);
test('an else outside a block', rejects, '{{ else }}', 'unexpected else', 1, 1);
test('a block without an end', rejects, '{{ range .x }}a', 'range has no end', 1, 1);
test('an empty action', rejects, '{{ }}', 'empty action', 1, 1);
test('an empty command in a pipeline', rejects, '{{ .x | }}', 'missing value in a pipeline', 1, 7);
