/** Finds the PEM blocks of a text in linear time, as `/-----BEGIN (L)-----\r?\n[\s\S]*?-----END \1-----/g` would match them. */

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';

/** One block: its label (`CERTIFICATE`, `EC PRIVATE KEY`, ...) and its text from BEGIN to the end of the END line. */
export interface PemBlock {
  readonly label: string;
  readonly text: string;
}

/**
 * The blocks in file order. The regular expression above tries every BEGIN and, finding no END, scans
 * to the end of the text: a secret of many BEGIN lines took seconds (16,000 in 288 KB: 2.75 s). Here
 * every END line is indexed once by its label, and each BEGIN takes the first END of its label after
 * it. With `trailingNewline`, a line break after the END line belongs to the block (as `\r?\n?`).
 */
export function pemBlocks(text: string, options: { readonly trailingNewline?: boolean } = {}): PemBlock[] {
  const ends = new Map<string, number[]>();
  for (let at = text.indexOf(END); at >= 0; at = text.indexOf(END, at + 1)) {
    const label = labelAt(text, at + END.length);
    if (label === undefined) continue;
    const list = ends.get(label);
    if (list) list.push(at);
    else ends.set(label, [at]);
  }
  const taken = new Map<string, number>();
  const blocks: PemBlock[] = [];
  let from = 0;
  for (let at = text.indexOf(BEGIN); at >= 0; at = text.indexOf(BEGIN, from)) {
    from = at + 1;
    const label = labelAt(text, at + BEGIN.length);
    if (label === undefined) continue;
    const header = at + BEGIN.length + label.length + DASHES.length;
    const body = text.startsWith('\n', header) ? header + 1 : text.startsWith('\r\n', header) ? header + 2 : -1;
    if (body < 0) continue;
    const positions = ends.get(label) ?? [];
    // The BEGINs are visited in order, so the first END at or after each one only moves forward.
    let index = taken.get(label) ?? 0;
    while (index < positions.length && (positions[index] as number) < body) index += 1;
    taken.set(label, index);
    const end = positions[index];
    if (end === undefined) continue;
    let stop = end + END.length + label.length + DASHES.length;
    if (options.trailingNewline) {
      if (text.startsWith('\r', stop)) stop += 1;
      if (text.startsWith('\n', stop)) stop += 1;
    }
    blocks.push({ label, text: text.slice(at, stop) });
    from = stop;
  }
  return blocks;
}

/** The label written at `at` (`[A-Z0-9 ]+`) when `-----` follows it. */
function labelAt(text: string, at: number): string | undefined {
  let stop = at;
  while (stop < text.length && isLabelChar(text.charCodeAt(stop))) stop += 1;
  if (stop === at || !text.startsWith(DASHES, stop)) return undefined;
  return text.slice(at, stop);
}

function isLabelChar(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x20;
}
