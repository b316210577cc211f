/**
 * Rows of equal length packed row-major in one buffer: the shape tensors are
 * made from, and one buffer moves between threads without a copy.
 */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Feature rows as the database gives them, or already packed. */
export type RowsInput = Matrix | readonly ArrayLike<number>[];

export function isMatrix(x: RowsInput): x is Matrix {
  return !Array.isArray(x);
}

export function createMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float32Array(rows * cols) };
}

/** Packs rows into a Matrix (one copy); a Matrix is checked and returned as it is. */
export function toMatrix(x: RowsInput): Matrix {
  if (isMatrix(x)) {
    if (x.data.length !== x.rows * x.cols) {
      throw new RangeError(`matrix data has ${x.data.length} values, not ${x.rows} x ${x.cols}`);
    }
    return x;
  }
  const cols = x[0]?.length ?? 0;
  const matrix = createMatrix(x.length, cols);
  x.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`row ${i} has ${row.length} values, row 0 has ${cols}`);
    matrix.data.set(row, i * cols);
  });
  return matrix;
}

/** How many rows, whichever form the rows come in. */
export function rowCount(x: RowsInput): number {
  return isMatrix(x) ? x.rows : x.length;
}

/** Row i as a view into the matrix's buffer. */
function matrixRow(matrix: Matrix, i: number): Float32Array {
  return matrix.data.subarray(i * matrix.cols, (i + 1) * matrix.cols);
}

/** Every row as a view into the matrix's buffer (no copy). */
export function matrixRows(matrix: Matrix): Float32Array[] {
  return Array.from({ length: matrix.rows }, (_, i) => matrixRow(matrix, i));
}
