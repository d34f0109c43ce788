/**
 * Dot products of many rows of a matrix with one vector, as a WebAssembly SIMD (f64x2) kernel
 * emitted from this source: the scoring loop of the factor models (every item's q_i · z_u) and
 * their item similarities.
 *
 * Each dot product keeps the even and the odd terms in the two lanes of one f64x2 accumulator,
 * in order, and adds the lanes at the end: exactly the sums of `dot` in linalg.ts (even and odd
 * terms apart, an odd last term with the even ones), so results are bit-identical to it.
 *
 * The module exports its memory and
 *   dots(matrix, stride, index, count, vec, out): for t < count, the f64 at out + 8t becomes
 *     row(index[t]) · vec, where row r starts at matrix + r·stride (stride bytes, a multiple
 *     of 16, zero-padded) and index holds i32 row numbers. Rows go four at a time, so four
 *     independent chains of additions run side by side.
 */
import {
  ADD,
  BLOCK,
  BR,
  BR_IF,
  END,
  EQZ,
  F64_ADD,
  F64_STORE,
  functionBody,
  get,
  GT_U,
  i32,
  I32,
  I32_LOAD,
  LANE,
  LOOP,
  LT_U,
  moduleBytes,
  MUL,
  set,
  V128,
  V_ADD,
  V_LOAD,
  V_MUL,
  V_ZERO,
  align16,
  PAGE,
} from './encoding.ts';

const [MATRIX, STRIDE, INDEX, COUNT, VEC, OUT] = [0, 1, 2, 3, 4, 5];
const [T, F] = [6, 7]; // row counter, byte offset within a row
const ROW = [8, 9, 10, 11]; // addresses of the rows in flight
const ACC = [12, 13, 14, 15]; // v128 accumulators
const PV = 16; // v128: two entries of vec

/** Code for `rows` rows from row t on: their dot products with vec, stored at out. */
function rowsAtOnce(rows: number): number[] {
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const part of parts) code.push(...part);
  };
  for (let r = 0; r < rows; r++) {
    // row_r ← matrix + index[t + r] · stride
    emit(get(INDEX), get(T), i32(r), ADD, i32(4), MUL, ADD, I32_LOAD);
    emit(get(STRIDE), MUL, get(MATRIX), ADD, set(ROW[r]), V_ZERO, set(ACC[r]));
  }
  emit(i32(0), set(F), LOOP);
  emit(get(VEC), get(F), ADD, V_LOAD, set(PV));
  for (let r = 0; r < rows; r++)
    emit(get(ACC[r]), get(ROW[r]), get(F), ADD, V_LOAD, get(PV), V_MUL, V_ADD, set(ACC[r]));
  emit(get(F), i32(16), ADD, set(F), get(F), get(STRIDE), LT_U, BR_IF(0), END);
  for (let r = 0; r < rows; r++) {
    emit(get(OUT), get(T), i32(r), ADD, i32(8), MUL, ADD);
    emit(get(ACC[r]), LANE(0), get(ACC[r]), LANE(1), F64_ADD, F64_STORE);
  }
  emit(get(T), i32(rows), ADD, set(T));
  return code;
}

function dotsBody(): number[] {
  return [
    // while (t + 4 <= count) four rows
    ...[...BLOCK, ...LOOP],
    ...[...get(T), ...i32(4), ...ADD, ...get(COUNT), ...GT_U, ...BR_IF(1)],
    ...rowsAtOnce(4),
    ...[...BR(0), ...END, ...END],
    // while (t < count) one row
    ...[...BLOCK, ...LOOP],
    ...[...get(T), ...get(COUNT), ...LT_U, ...EQZ, ...BR_IF(1)],
    ...rowsAtOnce(1),
    ...[...BR(0), ...END, ...END],
    ...END,
  ];
}

/** The module's bytes. */
export function rowDotsBytes(): Uint8Array<ArrayBuffer> {
  const dots = functionBody(
    [
      [6, I32],
      [5, V128],
    ],
    dotsBody(),
  );
  return moduleBytes([{ name: 'dots', params: 6, body: dots }]);
}

let compiled: WebAssembly.Module | null = null;

/**
 * A matrix (rows × columns, row-major Float64Array) copied once into the kernel's memory, with
 * room for an index list, one vector and the results.
 */
export class RowDots {
  private readonly dots: (...args: number[]) => void;
  private readonly stride: number;
  private readonly indexAt: number;
  private readonly vectorAt: number;
  private readonly outAt: number;
  private readonly index: Int32Array;
  private readonly vector: Float64Array;
  /** Results of the last call (a view of the kernel's memory). */
  private readonly out: Float64Array;
  /** Whether the index list holds 0, 1, …, rows − 1 (what `all` needs). */
  private indexListsAll = false;

  constructor(
    matrix: Float64Array,
    readonly rows: number,
    private readonly columns: number,
  ) {
    this.stride = align16(columns * 8);
    this.indexAt = rows * this.stride;
    this.vectorAt = this.indexAt + align16(rows * 4);
    this.outAt = this.vectorAt + this.stride;
    const bytes = this.outAt + rows * 8;
    compiled ??= new WebAssembly.Module(rowDotsBytes());
    const instance = new WebAssembly.Instance(compiled);
    const memory = instance.exports.memory as WebAssembly.Memory;
    memory.grow(Math.ceil(bytes / PAGE));
    this.dots = instance.exports.dots as (...args: number[]) => void;
    const padded = this.stride / 8;
    const heap = new Float64Array(memory.buffer, 0, rows * padded);
    for (let r = 0; r < rows; r++)
      heap.set(matrix.subarray(r * columns, (r + 1) * columns), r * padded);
    this.index = new Int32Array(memory.buffer, this.indexAt, rows);
    this.vector = new Float64Array(memory.buffer, this.vectorAt, padded);
    this.out = new Float64Array(memory.buffer, this.outAt, rows);
  }

  /**
   * row_r · v for every row r, where v = source[from..from+columns). The result is a view of
   * the kernel's memory, valid until the next call.
   */
  all(source: Float64Array, from: number): Float64Array {
    if (!this.indexListsAll) for (let r = 0; r < this.rows; r++) this.index[r] = r;
    this.indexListsAll = true;
    return this.run(source, from, this.rows);
  }

  /** row_rows[t] · v for each t (as `all`), for the listed rows only. */
  some(rows: Int32Array, source: Float64Array, from: number): Float64Array {
    this.index.set(rows);
    this.indexListsAll = false;
    return this.run(source, from, rows.length);
  }

  private run(source: Float64Array, from: number, count: number): Float64Array {
    this.vector.set(source.subarray(from, from + this.columns));
    this.dots(0, this.stride, this.indexAt, count, this.vectorAt, this.outAt);
    return this.out.subarray(0, count);
  }
}
