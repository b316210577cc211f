/** A column's type, forced by a `:string`, `:number`, `:boolean` or `:list` suffix on its name, or guessed from each cell. */
export type ColumnType = 'string' | 'number' | 'boolean' | 'list' | 'auto';

export const DEFAULT_LIST_SEPARATOR = '|';

/** A plain decimal: no sign but minus, no leading zeros (0.5 has one), no exponent, no thousands separators. */
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
const TYPED_COLUMN = /^(.+):(string|number|boolean|list)$/;

/** A CSV cell that a forced type cannot read, as a reason naming the column. */
export class CellTypeError extends Error {}

/** A header cell as an attribute key and its type: `price:number` is the key `price`, read as a number. */
export function columnOf(header: string): { key: string; type: ColumnType } {
  const match = TYPED_COLUMN.exec(header);
  return match ? { key: match[1]!, type: match[2] as ColumnType } : { key: header, type: 'auto' };
}

/**
 * A CSV cell as an attribute value; undefined for an empty cell, whose key
 * is left out. Unforced: `true` and `false` are booleans, a plain decimal
 * (DECIMAL, and a whole number only while it is exact) is a number, a cell
 * holding the separator is a list of its trimmed, non-empty items, and
 * anything else ("007", "1,5", "TRUE", "1e3") is the string as written.
 */
export function cellValue(cell: string, type: ColumnType, separator: string): string | number | boolean | string[] | undefined {
  if (cell === '') return undefined;
  switch (type) {
    case 'string':
      return cell;
    case 'list':
      return listOf(cell, separator);
    case 'number':
      if (!isNumber(cell)) throw new CellTypeError(`${JSON.stringify(cell.slice(0, 40))} is not a plain decimal number`);
      return Number(cell);
    case 'boolean':
      if (cell !== 'true' && cell !== 'false') throw new CellTypeError(`${JSON.stringify(cell.slice(0, 40))} is not true or false`);
      return cell === 'true';
    case 'auto':
      if (cell === 'true' || cell === 'false') return cell === 'true';
      if (isNumber(cell)) return Number(cell);
      if (separator !== '' && cell.includes(separator)) return listOf(cell, separator);
      return cell;
  }
}

function isNumber(cell: string): boolean {
  // A long code of digits (a barcode, an id) would come back rounded: it stays text.
  return DECIMAL.test(cell) && (cell.includes('.') || Number.isSafeInteger(Number(cell)));
}

function listOf(cell: string, separator: string): string[] {
  return cell
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
