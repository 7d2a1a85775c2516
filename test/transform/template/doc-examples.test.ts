// The examples of docs/templates.md, rendered: what the documentation promises is what happens.
import test from 'ava';
import { render, renderBytes } from './render.ts';

const BUNDLE = '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';

test('the JDBC example', (t) => {
  t.is(render('jdbc:oracle:thin:{{ db.username }}/{{ db.password }}@//192.168.34.212:4464/app\n', { db: '{"username":"app","password":"pw"}' }), 'jdbc:oracle:thin:app/pw@//192.168.34.212:4464/app\n');
});

test('the postgres URL example escapes the password', (t) => {
  t.is(render('postgresql://{{ db.username }}:{{ db.password | url_encode }}@postgres.data:5432/api?sslmode=require\n', { db: '{"username":"u","password":"p@ss/w"}' }), 'postgresql://u:p%40ss%2Fw@postgres.data:5432/api?sslmode=require\n');
});

test('the .env example writes one sorted, quoted line per key', (t) => {
  t.is(render('{% assign names = app | keys %}{% for name in names -%}\n{{ name | upcase }}={{ app[name] | env_quote }}\n{% endfor -%}\n', { app: '{"b_key":"x$y","a_key":"1"}' }), 'A_KEY="1"\nB_KEY="x\\$y"\n');
});

test('the configuration file example combines three inputs', (t) => {
  const template = '{\n  "database": {{ db | json }},\n  "apiKey": {{ api.key | json }},\n  "smtp": {{ smtp | json: 2 }}\n}\n';
  t.is(render(template, { db: '{"host":"pg","port":5432}', api: '{"key":"k\\"1"}', smtp: 'host: mail\nport: 25\n' }), '{\n  "database": {"host":"pg","port":5432},\n  "apiKey": "k\\"1",\n  "smtp": {\n  "host": "mail",\n  "port": 25\n}\n}\n');
});

test('the TLS bundle example orders certificate, chain and key', (t) => {
  t.is(render('{{ tls | pem_certificate }}{{ tls | pem_chain }}{{ tls | pem_private_key }}', { tls: BUNDLE }), '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n');
});

test('the keystore example writes binary bytes', (t) => {
  t.deepEqual([...renderBytes('{{ keystore.jks | base64_decode }}', { keystore: JSON.stringify({ jks: Buffer.from([0xfe, 0xed, 0xfe, 0xed]).toString('base64') }) })], [0xfe, 0xed, 0xfe, 0xed]);
});
