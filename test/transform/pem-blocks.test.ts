/** The linear PEM splitter finds exactly the blocks the regular expression it replaces finds. */
import test from 'ava';
import fc from 'fast-check';
import { pemBlocks } from '../../src/transform/pem-blocks.ts';

const REGEX = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;
const REGEX_TRAILING = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----\r?\n?/g;
const byRegex = (text: string, regex: RegExp) => [...text.matchAll(regex)].map((match) => ({ label: match[1] ?? '', text: match[0] }));

test('finds the blocks the regular expression finds, on texts built from PEM pieces', (t) => {
  // Pieces that make and break blocks: headers and footers of a few labels, line breaks, body text.
  const piece = fc.constantFrom('-----BEGIN CERTIFICATE-----', '-----BEGIN EC PRIVATE KEY-----', '-----BEGIN A-----', '-----END CERTIFICATE-----', '-----END EC PRIVATE KEY-----', '-----END A-----', '-----END A B-----', '-----BEGIN -----', '-----', '\n', '\r\n', '\r', 'MIIB', ' ', 'x-', '-----BEGIN CERTIFICATE', '-----END ');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
      const text = pieces.join('');
      t.deepEqual(pemBlocks(text), byRegex(text, REGEX), JSON.stringify(text));
      t.deepEqual(pemBlocks(text, { trailingNewline: true }), byRegex(text, REGEX_TRAILING), JSON.stringify(text));
    }),
    { numRuns: 3_000 },
  );
});

test('a text of 60,000 BEGIN lines without an END, and a real chain after it', (t) => {
  const chain = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n';
  const blocks = pemBlocks(`${'-----BEGIN CERTIFICATE-----\n'.repeat(60_000).replace(/CERTIFICATE/g, 'X')}${chain}`);
  t.deepEqual(blocks.map((block) => block.text), ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----']);
});
