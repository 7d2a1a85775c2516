/** Template budgets, and the per-render meter and writers that enforce them while a template renders. */
import { toValue, type Emitter } from 'liquidjs';
import { ConfigError } from '../../errors/courier-error.ts';
import { BinaryValue, isMap, JsonNumber, sourceOf } from './values.ts';

export { DEFAULT_TEMPLATE_BUDGETS, type TemplateBudgets } from './budget-limits.ts';
import type { TemplateBudgets } from './budget-limits.ts';

const encoder = new TextEncoder();

/** Counts one render's steps and bytes; created per render, never shared. */
export class RenderMeter {
  readonly #budgets: TemplateBudgets;
  #steps = 0;
  #bytes = 0;

  constructor(budgets: TemplateBudgets) {
    this.#budgets = budgets;
  }

  /** Charges `count` steps; throws once the budget is spent. */
  step(count: number): void {
    this.#steps += count;
    if (this.#steps > this.#budgets.steps) throw new ConfigError(`the template takes more than ${this.#budgets.steps} render steps (its step budget)`);
  }

  /** Charges `count` bytes of output before they are produced; throws instead of going past the budget. */
  produce(count: number): void {
    if (this.#bytes + count > this.#budgets.outputBytes) throw new ConfigError(`the template writes more than ${this.#budgets.outputBytes} bytes (its output budget)`);
    this.#bytes += count;
  }

  /** A writer for text the template keeps (`capture`), charged to the same output budget. */
  textEmitter(): Emitter {
    const produce = (count: number) => this.produce(count);
    return {
      buffer: '',
      write(value: unknown) {
        const text = toText(value);
        produce(Buffer.byteLength(text, 'utf8'));
        this.buffer += text;
      },
    };
  }
}

/** Collects the file's bytes: text as UTF-8, decoded bytes as they are. */
export class FileEmitter implements Emitter {
  /** Unused: LiquidJS's interface wants it; the file is in `contents()`. */
  buffer = '';
  readonly #meter: RenderMeter;
  readonly #chunks: Uint8Array[] = [];

  constructor(meter: RenderMeter) {
    this.#meter = meter;
  }

  write(value: unknown): void {
    const bytes = toBytes(value);
    this.#meter.produce(bytes.length);
    this.#chunks.push(bytes);
  }

  /** The rendered file. */
  contents(): Uint8Array {
    return Buffer.concat(this.#chunks);
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof BinaryValue && value.printable) return value.bytes;
  // `{{ db }}` writes an input that is a map exactly as the store returned it.
  const source = sourceOf(value);
  if (source) return source;
  return encoder.encode(toText(value));
}

/**
 * Text of a value as LiquidJS would write it (nothing for nil, lists joined), except that maps,
 * binary values and other objects fail with a message instead of becoming "[object Object]".
 */
export function toText(value: unknown): string {
  const plain: unknown = toValue(value);
  if (typeof plain === 'string') return plain;
  if (plain === null || plain === undefined) return '';
  if (typeof plain === 'number' || typeof plain === 'boolean' || typeof plain === 'bigint') return String(plain);
  if (Array.isArray(plain)) return plain.map((item) => toText(item)).join('');
  // A map and a binary value throw their own message from toString; a JSON number writes its text.
  if (plain instanceof JsonNumber || plain instanceof BinaryValue || isMap(plain)) return (plain as { toString(): string }).toString();
  throw new ConfigError('the value is an object, not text');
}
