/**
 * Vault Agent templates with the secrets they read and the bytes Go's text/template writes for them.
 * The unit tests render each translation with Courier's engine and compare with `expected`; the e2e
 * tier (test/e2e/convert-go.test.ts) renders the Go template with Go itself and compares too.
 */
import type { TranslatedInput } from '../../src/convert/translate-template.ts';

/** A secret as Vault holds it: KV version 2 wraps the data in `data.data`, everything else in `data`. */
export interface CaseSecret {
  readonly kv2: boolean;
  readonly data: Readonly<Record<string, unknown>>;
}

/** One template, its secrets by the path the template reads, and what Go writes. */
export interface GoCase {
  readonly title: string;
  readonly template: string;
  readonly left?: string;
  readonly right?: string;
  readonly secrets: Readonly<Record<string, CaseSecret>>;
  /** Go's output; bytes as latin1 when `binary`. */
  readonly expected: string;
  readonly binary?: boolean;
}

const DB = { username: 'orders_app', password: 'Xk9#p$2!q' };

export const GO_CASES: readonly GoCase[] = [
  {
    title: 'the JDBC example of the issue',
    template: '{{- with secret "secrets/db/creds" -}}\njdbc:oracle:thin:{{ .Data.data.username }}/{{ .Data.data.password }}@//192.168.34.212:4464/app\n{{- end }}\n',
    secrets: { 'secrets/db/creds': { kv2: true, data: DB } },
    expected: 'jdbc:oracle:thin:orders_app/Xk9#p$2!q@//192.168.34.212:4464/app\n',
  },
  {
    title: 'a postgres URL from dynamic database credentials',
    template: '{{ with secret "database/creds/api" -}}\npostgresql://{{ .Data.username }}:{{ .Data.password }}@postgres:5432/api?sslmode=require\n{{- end }}\n',
    secrets: { 'database/creds/api': { kv2: false, data: { username: 'v-k8s-api-8a7f', password: 'A1a-Zz9' } } },
    expected: 'postgresql://v-k8s-api-8a7f:A1a-Zz9@postgres:5432/api?sslmode=require\n',
  },
  {
    title: 'an env file from a KV version 2 secret, keys sorted',
    template: '{{- with secret "kv/data/ledger/config" -}}\n{{- range $k, $v := .Data.data }}\nexport {{ $k }}="{{ $v }}"\n{{- end }}\n{{- end }}\n',
    secrets: { 'kv/data/ledger/config': { kv2: true, data: { LEDGER_URL: 'https://ledger', API_TOKEN: 't0k', DB_PORT: 5432 } } },
    expected: '\nexport API_TOKEN="t0k"\nexport DB_PORT="5432"\nexport LEDGER_URL="https://ledger"\n',
  },
  {
    title: 'an index of a dashed key, nested keys and numbers as Vault sends them',
    template: '{{ with secret "secret/data/api/app" }}{{ index .Data.data "api-key" }} {{ .Data.data.smtp.host }}:{{ .Data.data.smtp.port }} {{ .Data.data.ratio }} {{ index .Data.data "smtp" "user" }}{{ end }}',
    secrets: { 'secret/data/api/app': { kv2: true, data: { 'api-key': 'K-77', smtp: { host: 'mail', port: 587, user: 'bot' }, ratio: 1.5 } } },
    expected: 'K-77 mail:587 1.5 bot',
  },
  {
    title: 'toJSON and toJSONPretty of maps and lists',
    template: '{{ with secret "secret/data/api/app" }}{{ .Data.data.features | toJSON }}\n{{ toJSONPretty .Data.data.smtp }}\n{{ toJSON .Data.data.ids }}{{ end }}',
    secrets: { 'secret/data/api/app': { kv2: true, data: { features: { search: true, beta: false, limit: 10 }, smtp: { port: 587, host: 'mail' }, ids: [3, 1, 2] } } },
    expected: '{"beta":false,"limit":10,"search":true}\n{\n  "host": "mail",\n  "port": 587\n}\n[3,1,2]',
  },
  {
    title: 'the JSON default template of a KV version 1 secret',
    template: '{{ with secret "kv/reports/smtp" }}{{ .Data | toJSON }}\n{{ end }}',
    secrets: { 'kv/reports/smtp': { kv2: false, data: { user: 'reports', pass: 'p4ss', port: 25 } } },
    expected: '{"pass":"p4ss","port":25,"user":"reports"}\n',
  },
  {
    title: 'the map default template of a KV version 1 secret',
    template: '{{ with secret "config/api/flags" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
    secrets: { 'config/api/flags': { kv2: false, data: { search: 'on', beta: 'off' } } },
    expected: 'beta: off\nsearch: on\n',
  },
  {
    title: 'base64Decode to text, trimmed on both sides',
    template: '{{- with secret "secret/data/app" -}}\n  {{ .Data.data.cert | base64Decode }}  \n{{- end -}}\n',
    secrets: { 'secret/data/app': { kv2: true, data: { cert: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64') } } },
    expected: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  },
  {
    title: 'base64Decode of a binary keystore, written byte for byte',
    template: '{{- with secret "secret/data/api/keystore" -}}\n{{ .Data.data.jks | base64Decode }}\n{{- end -}}\n',
    secrets: { 'secret/data/api/keystore': { kv2: true, data: { jks: Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02, 0x80, 0xff]).toString('base64') } } },
    expected: Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02, 0x80, 0xff]).toString('latin1'),
    binary: true,
  },
  {
    title: 'if and else on empty and present values, not, eq and ne',
    template: '{{ with secret "secret/data/debug" }}{{ if .Data.data.token }}T{{ else }}none{{ end }} {{ if .Data.data.empty }}E{{ else }}no-empty{{ end }} {{ if not .Data.data.empty }}N{{ end }} {{ if eq .Data.data.mode "prod" }}P{{ else if ne .Data.data.mode "dev" }}O{{ else }}D{{ end }}{{ end }}',
    secrets: { 'secret/data/debug': { kv2: true, data: { token: 'tk', empty: '', mode: 'stage' } } },
    expected: 'T no-empty N O',
  },
  {
    title: 'a TLS bundle from a PKI issue with arguments and a range over a list',
    template: '{{- with secret "pki/issue/edge" "common_name=edge.example.com" "ttl=72h" -}}\n{{ .Data.certificate }}\n{{ range $i, $ca := .Data.ca_chain }}{{ $ca }}\n{{ end }}{{ .Data.private_key }}\n{{- end }}\n',
    secrets: { 'pki/issue/edge': { kv2: false, data: { certificate: 'LEAF', ca_chain: ['INTERMEDIATE', 'ROOT'], private_key: 'KEY' } } },
    expected: 'LEAF\nINTERMEDIATE\nROOT\nKEY\n',
  },
  {
    title: 'a variable bound to a secret, with and dot on a value, a range without variables',
    template: '{{ $s := secret "kv/app" }}{{ with $s.Data.db }}{{ .host }}:{{ .port }}{{ end }};{{ range $s.Data.hosts }}[{{ . }}]{{ end }};{{ with $x := $s.Data.name }}{{ $x }}{{ end }}',
    secrets: { 'kv/app': { kv2: false, data: { db: { host: 'pg', port: 5432 }, hosts: ['a', 'b'], name: 'app' } } },
    expected: 'pg:5432;[a][b];app',
  },
  {
    title: 'string functions: trimSpace, toUpper, toLower, replaceAll, printf "%s"',
    template: '{{ with secret "kv/app" }}[{{ .Data.raw | trimSpace }}] {{ toUpper .Data.name }} {{ .Data.name | toLower }} {{ replaceAll "-" "_" .Data.name }} {{ printf "%s" .Data.name }}{{ end }}',
    secrets: { 'kv/app': { kv2: false, data: { raw: '  spaced \n', name: 'My-App' } } },
    expected: '[spaced] MY-APP my-app My_App My-App',
  },
  {
    title: 'comments, trim markers and text that looks like Liquid',
    template: 'a {{- /* a comment */ -}} b\n{{ "{{" }} {% raw %} {{ with secret "kv/app" }}{{ .Data.x }}{{ end }} {\n{{- "}" }}',
    secrets: { 'kv/app': { kv2: false, data: { x: '{%x%}' } } },
    expected: 'ab\n{{ {% raw %} {%x%} {}',
  },
  {
    title: 'custom delimiters, with Go\'s own left in the text',
    template: '[[- with secret "kv/reports/banner" -]]\n{{ Report for [[ .Data.team ]] }}\n[[- end ]]\n',
    left: '[[',
    right: ']]',
    secrets: { 'kv/reports/banner': { kv2: false, data: { team: 'finance' } } },
    expected: '{{ Report for finance }}\n',
  },
  {
    title: 'two secrets in one file, break and continue in a range',
    template: '{{ with secret "kv/a" }}{{ .Data.user }}{{ end }}@{{ with secret "kv/b" }}{{ .Data.host }}{{ range $k, $v := .Data.list }}{{ if eq $v "skip" }}{{ continue }}{{ end }}{{ if eq $v "stop" }}{{ break }}{{ end }},{{ $v }}{{ end }}{{ end }}',
    secrets: { 'kv/a': { kv2: false, data: { user: 'u' } }, 'kv/b': { kv2: false, data: { host: 'h', list: ['x', 'skip', 'y', 'stop', 'z'] } } },
    expected: 'u@h,x,y',
  },
];

/** The Vault response body Go's `secret` returns for a case secret. */
export function vaultResponse(secret: CaseSecret): { data: unknown } {
  return secret.kv2 ? { data: { data: secret.data, metadata: { version: 3 } } } : { data: secret.data };
}

/**
 * The bytes Courier's vault store gives a translated input: the secret's data as JSON (for KV
 * version 2 the inner data), found by the path the template read or its KV version 2 form.
 */
export function courierValue(input: TranslatedInput, secrets: Readonly<Record<string, CaseSecret>>): Uint8Array {
  const entry = Object.entries(secrets).find(([path]) => path === input.path || path.replace(/^([^/]+)\/data\//, '$1/') === input.path);
  if (!entry) throw new Error(`no case secret for ${input.path}`);
  return new TextEncoder().encode(JSON.stringify(entry[1].data));
}
