import { rounding } from './float-bounds.js';
import { pauseIfLong } from '../util/time-slice.js';

/** Coordinates a row keeps beside its vector: two steps of the quantized kernel. */
export const PROJECTED = 32;
/** Relative room for a sum of up to a few thousand double roundings, and for the rounding of the bound itself. */
const MARGIN = 2 ** -40;
/** Rows the principal axes are fitted on: enough for the leading directions, quick in the background. */
const SAMPLE_ROWS = 1024;
/** Rounds of subspace iteration: pruning only needs axes near the leading ones, exactness none. */
const ITERATIONS = 5;
const INT8_MAX = 127;
/** Work of the fit between two looks at the clock for the event loop (time-slice.ts). */
const LOOK_MS = 1;

/** Estimates of a vector's coordinates on the axes, each within its `error` of the true one. */
export interface Coordinates {
  values: Float64Array;
  errors: Float64Array;
}

/**
 * A linear map U from the table's space to PROJECTED coordinates, fitted to
 * the rows' principal axes, with σ ≥ ‖U‖₂: so for any two vectors
 * |U(a − b)| ≤ σ|a − b|, and coordinates close to the query's prove a
 * lower bound on a row's distance without reading the row (candidates.ts,
 * "Projected rows").
 *
 * The axes are u_j = (c_j − c_0)/t for float32 pivots c_0 (the rows' mean)
 * and c_j = c_0 + t·(j-th axis), so a row's coordinates follow from the
 * kernel's sums to the pivots, which the partition build computes anyway:
 *   u_j·(x − c_0) = (|x − c_0|² + |c_j − c_0|² − |x − c_j|²) / (2t).
 */
export class Projection {
  /** u_j as doubles, one after another; the exact u_j differ by rounding the margins cover. */
  readonly #axes: Float64Array;
  /** |c_j − c_0|², summed in double. */
  readonly #spans: Float64Array;
  /** σ above. */
  readonly norm: number;
  /** Relative room for a double sum over the dimensions: (n + 2)·2^-53 of its terms' magnitudes, and the axes' own rounding. */
  readonly #summed: number;
  readonly #rounding: { gamma: number; absolute: number };

  constructor(
    readonly dimensions: number,
    /** c_0, then c_1..c_PROJECTED: float32, `dimensions` each. */
    readonly pivots: Float32Array,
    readonly step: number,
  ) {
    this.#summed = (dimensions + 8) * 2 ** -52;
    this.#rounding = rounding(dimensions);
    this.#axes = new Float64Array(PROJECTED * dimensions);
    this.#spans = new Float64Array(PROJECTED);
    for (let j = 0; j < PROJECTED; j++) {
      let span = 0;
      for (let d = 0; d < dimensions; d++) {
        const difference = pivots[(j + 1) * dimensions + d]! - pivots[d]!;
        this.#axes[j * dimensions + d] = difference / step;
        span += difference * difference;
      }
      this.#spans[j] = span;
    }
    this.norm = this.#normBound();
  }

  /**
   * ‖U‖₂² is the largest eigenvalue of the Gram matrix G = UUᵀ, at most its
   * largest absolute row sum (Gershgorin). Each G_ij is summed in double,
   * within (d + 2)·2^-53·|u_i||u_j| of the exact one, and the doubles u_j are
   * within 2^-52 relative of the exact axes: 2^-44·|u_i||u_j| covers both.
   */
  #normBound(): number {
    const dimensions = this.dimensions;
    const lengths = Float64Array.from({ length: PROJECTED }, (_, j) => Math.sqrt(this.#dot(j, j)));
    let largest = 0;
    for (let i = 0; i < PROJECTED; i++) {
      let row = 0;
      for (let j = 0; j < PROJECTED; j++) row += Math.abs(this.#dot(i, j)) + 2 ** -44 * lengths[i]! * lengths[j]! * (dimensions + 2);
      largest = Math.max(largest, row);
    }
    return Math.sqrt(largest) * (1 + MARGIN);
  }

  #dot(i: number, j: number): number {
    let sum = 0;
    for (let d = 0; d < this.dimensions; d++) sum += this.#axes[i * this.dimensions + d]! * this.#axes[j * this.dimensions + d]!;
    return sum;
  }

  /**
   * u_j·(v − c_0) for a vector, summed in double: each term's difference
   * and product, the sum's roundings and the axes' own stay within
   * (n + 8)·2^-52 of the sum of the terms' magnitudes.
   */
  coordinates(vector: Float32Array): Coordinates {
    const dimensions = this.dimensions;
    const values = new Float64Array(PROJECTED);
    const errors = new Float64Array(PROJECTED);
    for (let j = 0; j < PROJECTED; j++) {
      let sum = 0;
      let magnitude = 0;
      for (let d = 0, at = j * dimensions; d < dimensions; d++, at++) {
        const term = this.#axes[at]! * (vector[d]! - this.pivots[d]!);
        sum += term;
        magnitude += Math.abs(term);
      }
      values[j] = sum;
      errors[j] = magnitude * this.#summed;
    }
    return { values, errors };
  }

  /**
   * A row's coordinates from the kernel's float32 sums ŝ of its squared
   * differences to the pivots, `sums[pivot·rows + slot]` (pivot 0 is c_0),
   * written into `into`: each true sum is within (γŝ + A)/(1 − γ) of ŝ
   * (candidates.ts), |c_j − c_0|² within (n + 8)·2^-52 of its double, and
   * the three double operations here within 2^-40 of their operands. A sum
   * that overflowed float32 leaves the coordinates unbounded.
   */
  coordinatesFromSums(sums: Float32Array, rows: number, slot: number, into: Coordinates = emptyCoordinates()): Coordinates {
    const { gamma, absolute } = this.#rounding;
    const { values, errors } = into;
    const toOrigin = sums[slot]!;
    const originOff = (gamma * toOrigin + absolute) / (1 - gamma);
    const half = 1 / (2 * this.step);
    for (let j = 0; j < PROJECTED; j++) {
      const toPivot = sums[(j + 1) * rows + slot]!;
      const span = this.#spans[j]!;
      values[j] = (toOrigin + span - toPivot) * half;
      errors[j] = (originOff + (gamma * toPivot + absolute) / (1 - gamma) + span * this.#summed + (toOrigin + span + toPivot) * MARGIN) * half * (1 + MARGIN);
      if (!Number.isFinite(values[j]!)) errors[j] = Infinity;
    }
    return into;
  }
}

export function emptyCoordinates(): Coordinates {
  return { values: new Float64Array(PROJECTED), errors: new Float64Array(PROJECTED) };
}

/**
 * Coordinates as the kernel reads them: a float32 scale s and int8 values
 * q, written at `into[at..]`, standing for p̃ = fround(q·s), which go to
 * `projected[from..]`; and `slack`, an upper bound on |p̃ − U(x' − c_0)|
 * for the row x' they were computed from (the estimate's error and the
 * quantization's together), rounded up to a float32.
 */
export function quantizeCoordinates({ values, errors }: Coordinates, into: Int8Array, at: number, projected: Float32Array, from: number): { scale: number; slack: number } {
  let largest = 0;
  let error = 0;
  for (let j = 0; j < PROJECTED; j++) {
    largest = Math.max(largest, Math.abs(values[j]!));
    error += errors[j]! * errors[j]!;
  }
  const scale = Math.fround(largest / INT8_MAX);
  if (!Number.isFinite(scale) || !Number.isFinite(error)) {
    into.fill(0, at, at + PROJECTED);
    projected.fill(0, from, from + PROJECTED);
    return { scale: 0, slack: Infinity };
  }
  let lost = 0;
  for (let j = 0; j < PROJECTED; j++) {
    const value = scale === 0 ? 0 : Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(values[j]! / scale)));
    into[at + j] = value;
    projected[from + j] = value * scale;
    lost += (projected[from + j]! - values[j]!) ** 2;
  }
  return { scale, slack: roundedUp((Math.sqrt(lost) + Math.sqrt(error)) * (1 + MARGIN)) };
}

/** The query's coordinates as the float32s the kernel compares, and their slack e_y ≥ |ŷ − U(y' − c_0)|. */
export function queryCoordinates(projection: Projection, query: Float32Array, into: Float32Array): number {
  const { values, errors } = projection.coordinates(query);
  let slack = 0;
  for (let j = 0; j < PROJECTED; j++) {
    into[j] = values[j]!;
    const error = errors[j]! + Math.abs(into[j]! - values[j]!);
    slack += error * error;
  }
  // An overflowing coordinate is Infinity or NaN: the bound then proves nothing.
  return Number.isFinite(slack) ? Math.sqrt(slack) * (1 + MARGIN) : Infinity;
}

/**
 * The query's part of the projected test (candidates.ts, "Projected
 * rows"): at least σR + e_y for the reach R (q included), σ = `norm` and
 * the query's slack e_y, as a float32 for the kernel, which adds each
 * row's part (rowWidening) and leaves the row out when its projected sum
 * is past (1 + γ_m)(σR + e_y + σr + e_x)² + A_m (block-scan.ts).
 */
export function projectedBase(norm: number, reach: number, querySlack: number): number {
  return roundedUp((norm * reach * (1 + MARGIN) + querySlack) * (1 + MARGIN));
}

/** A row's part of the projected test: at least σr + e_x for its radius r and slack e_x, as a float32 (projectedBase). */
export function rowWidening(norm: number, radius: number, rowSlack: number): number {
  return roundedUp((norm * radius * (1 + MARGIN) + rowSlack) * (1 + MARGIN));
}

/**
 * Pivots for a Projection fitted to `sample` (x' of some rows): their mean,
 * and the mean moved by the rows' typical distance from it along each of the
 * leading principal axes, found by subspace iteration on the centred
 * sample. Any axes prove the bound; these make it tight. Pauses for the
 * event loop as it goes.
 */
export async function fitProjection(sample: Float32Array[], dimensions: number, random: () => number): Promise<Projection> {
  const rows = sample.length;
  const mean = new Float64Array(dimensions);
  await pauseIfLong();
  for (const vector of sample) for (let d = 0; d < dimensions; d++) mean[d] = mean[d]! + vector[d]! / rows;
  const centred = sample.map((vector) => {
    const row = new Float64Array(dimensions);
    for (let d = 0; d < dimensions; d++) row[d] = vector[d]! - mean[d]!;
    return row;
  });
  await pauseIfLong();
  let spread = 0;
  for (const vector of centred) for (let d = 0; d < dimensions; d++) spread += (vector[d]! * vector[d]!) / rows;
  const step = spread > 0 && Number.isFinite(spread) ? Math.sqrt(spread) : 1;

  let axes = Array.from({ length: PROJECTED }, () => Float64Array.from({ length: dimensions }, () => random() - 0.5));
  for (let round = 0; round < ITERATIONS; round++) {
    const next = axes.map(() => new Float64Array(dimensions));
    let lookedAt = performance.now();
    for (let row = 0; row < rows; row++) {
      // The time since the last look decides, not a count of rows: before the JIT optimises this loop a row
      // takes ~2 ms (32 rows between looks held the loop 64-73 ms at a million), after it ~30 µs; and a
      // look that hands the turn on comes after a millisecond of this work, however busy the other turns.
      if (performance.now() - lookedAt >= LOOK_MS) {
        await pauseIfLong();
        lookedAt = performance.now();
      }
      const vector = centred[row]!;
      for (let j = 0; j < PROJECTED; j++) {
        const axis = axes[j]!;
        let along = 0;
        for (let d = 0; d < dimensions; d++) along += vector[d]! * axis[d]!;
        const out = next[j]!;
        for (let d = 0; d < dimensions; d++) out[d] = out[d]! + along * vector[d]!;
      }
    }
    // Its first call, before the JIT, takes ~20 ms: a turn of its own.
    await pauseIfLong();
    axes = orthonormal(next);
  }

  const pivots = new Float32Array((PROJECTED + 1) * dimensions);
  for (let d = 0; d < dimensions; d++) pivots[d] = mean[d]!;
  for (let j = 0; j < PROJECTED; j++) {
    for (let d = 0; d < dimensions; d++) pivots[(j + 1) * dimensions + d] = mean[d]! + step * axes[j]![d]!;
  }
  return new Projection(dimensions, pivots, step);
}

/** Gram-Schmidt, twice over; a direction the others already span (fewer dimensions than axes) becomes zero. */
function orthonormal<T extends Float64Array>(vectors: T[]): T[] {
  const scale = Math.max(...vectors.map(length), Number.MIN_VALUE);
  return vectors.map((vector, j) => {
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const other = vectors[i]!;
        let dot = 0;
        for (let d = 0; d < vector.length; d++) dot += vector[d]! * other[d]!;
        for (let d = 0; d < vector.length; d++) vector[d] = vector[d]! - dot * other[d]!;
      }
    }
    const norm = length(vector);
    if (!(norm > scale * 1e-9)) vector.fill(0);
    else for (let d = 0; d < vector.length; d++) vector[d] = vector[d]! / norm;
    return vector;
  });
}

function length(vector: Float64Array): number {
  let sum = 0;
  for (const x of vector) sum += x * x;
  return Math.sqrt(sum);
}

/** The smallest float32 at least x (x ≥ 0): fround rounds to nearest, a relative 2^-22 lifts past it. */
export function roundedUp(x: number): number {
  const rounded = Math.fround(x);
  return rounded >= x ? rounded : Math.fround(x * (1 + 2 ** -22));
}

/**
 * The sample fitProjection takes: up to SAMPLE_ROWS of the `live` slots
 * among `slots`, drawn at random (a deletion leaves holes, which `isLive`
 * tells apart), without a list of them all.
 */
export function sampleRows(slots: number, live: number, random: () => number, isLive: (slot: number) => boolean): number[] {
  const wanted = Math.min(SAMPLE_ROWS, live);
  const picked = new Set<number>();
  if (wanted === live) {
    for (let slot = 0; slot < slots; slot++) if (isLive(slot)) picked.add(slot);
    return [...picked];
  }
  while (picked.size < wanted) {
    const slot = Math.floor(random() * slots);
    if (isLive(slot)) picked.add(slot);
  }
  return [...picked];
}
