/** What a JSON document may hold before it is parsed: parsing is synchronous, and its cost grows with values and nesting, not with string length. */
export interface JsonShapeLimits {
  /** Arrays and objects open at once. */
  maxDepth: number;
  /** Values in arrays and objects, counted by their separators. */
  maxValues: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]);
const CLOSE = new Set([0x5d, 0x7d]);
const COMMA = 0x2c;

/**
 * Why `text` may not be parsed, or undefined when it may. Strings are
 * skipped with the native `indexOf`, so a body that is mostly a base64 image
 * costs a few steps, and a body of many small values stops at the limit.
 * Malformed JSON is left for the parser to refuse.
 */
export function jsonShapeRefusal(text: Buffer, limits: JsonShapeLimits): string | undefined {
  let depth = 0;
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i]!;
    if (byte === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return undefined;
    } else if (OPEN.has(byte)) {
      if (++depth > limits.maxDepth) return `JSON nested deeper than ${limits.maxDepth} levels`;
    } else if (CLOSE.has(byte)) {
      depth -= 1;
    } else if (byte === COMMA && ++values >= limits.maxValues) {
      return `JSON with more than ${limits.maxValues} values`;
    }
  }
  return undefined;
}

/** The index of the quote that ends the string opened at `open`, or -1 when it never ends. */
function closingQuote(text: Buffer, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let backslashes = 0;
    while (text[at - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return at;
  }
}
