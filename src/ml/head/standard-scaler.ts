import { createMatrix, isMatrix, matrixRows, rowCount, type Matrix, type RowsInput } from './matrix.js';

/** The plain form of a fitted scaler: (x - mean) / scale per column. */
export interface ScalerParameters {
  mean: Float32Array;
  scale: Float32Array;
}

/**
 * sklearn's StandardScaler: per-column mean and population standard
 * deviation (ddof 0), accumulated in float64; a constant column gets scale 1
 * so it maps to zeros instead of dividing by (nearly) nothing.
 */
export class StandardScaler implements ScalerParameters {
  private constructor(
    readonly mean: Float32Array,
    readonly scale: Float32Array,
  ) {}

  static fit(x: RowsInput): StandardScaler {
    const rows = rowCount(x);
    if (rows === 0) throw new RangeError('cannot fit a scaler on no rows');
    const cols = columnCount(x);
    const sum = new Float64Array(cols);
    forEachRow(x, (row) => {
      for (let j = 0; j < cols; j++) sum[j]! += row[j]!;
    });
    const mean = sum.map((total) => total / rows);
    // Two passes: summing squared deviations from the mean keeps the variance
    // accurate where sum(x^2) - n*mean^2 would cancel.
    const squares = new Float64Array(cols);
    forEachRow(x, (row) => {
      for (let j = 0; j < cols; j++) {
        const deviation = row[j]! - mean[j]!;
        squares[j]! += deviation * deviation;
      }
    });
    const scale = new Float32Array(cols);
    for (let j = 0; j < cols; j++) {
      const variance = squares[j]! / rows;
      scale[j] = isConstant(variance, mean[j]!, rows) ? 1 : Math.sqrt(variance);
    }
    return new StandardScaler(Float32Array.from(mean), scale);
  }

  /** Rebuilds a scaler from its plain form, as stored (arrays of numbers or Float32Array). */
  static from(parameters: { mean: ArrayLike<number>; scale: ArrayLike<number> }): StandardScaler {
    const mean = Float32Array.from(parameters.mean);
    const scale = Float32Array.from(parameters.scale);
    if (mean.length !== scale.length) throw new RangeError(`scaler mean has ${mean.length} values, scale ${scale.length}`);
    if (scale.some((value) => !(value > 0) || !Number.isFinite(value))) {
      throw new RangeError('scaler scale values must be positive and finite');
    }
    return new StandardScaler(mean, scale);
  }

  /** Standardizes every row into a new matrix; the input is left as it was. */
  transform(x: RowsInput): Matrix {
    const rows = rowCount(x);
    // No rows have no width to check.
    const cols = rows === 0 ? this.mean.length : columnCount(x);
    this.checkColumns(cols);
    const out = createMatrix(rows, cols);
    const { mean, scale } = this;
    const values = out.data;
    let offset = 0;
    forEachRow(x, (row) => {
      for (let j = 0; j < cols; j++) values[offset + j] = (row[j]! - mean[j]!) / scale[j]!;
      offset += cols;
    });
    return out;
  }

  /** transform, one row per input row (views into one buffer). */
  transformRows(rows: readonly ArrayLike<number>[]): Float32Array[] {
    return matrixRows(this.transform(rows));
  }

  toJSON(): { mean: number[]; scale: number[] } {
    return { mean: Array.from(this.mean), scale: Array.from(this.scale) };
  }

  private checkColumns(cols: number): void {
    if (cols !== this.mean.length) throw new RangeError(`expected ${this.mean.length} columns, got ${cols}`);
  }
}

/**
 * sklearn's `_is_constant_feature`: a variance within float64 rounding error
 * of zero, for that mean and row count, counts as zero.
 */
function isConstant(variance: number, mean: number, rows: number): boolean {
  const eps = Number.EPSILON;
  return variance <= rows * eps * variance + (rows * mean * eps) ** 2;
}

function columnCount(x: RowsInput): number {
  return isMatrix(x) ? x.cols : (x[0]?.length ?? 0);
}

function forEachRow(x: RowsInput, visit: (row: ArrayLike<number>) => void): void {
  if (isMatrix(x)) {
    for (let i = 0; i < x.rows; i++) visit(x.data.subarray(i * x.cols, (i + 1) * x.cols));
    return;
  }
  const cols = columnCount(x);
  x.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`row ${i} has ${row.length} values, row 0 has ${cols}`);
    visit(row);
  });
}
