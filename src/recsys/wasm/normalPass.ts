/**
 * The hot loop of the conjugate-gradient ALS solvers as a WebAssembly SIMD (f64x2) module,
 * emitted from this source (no binary in the repository, no toolchain).
 *
 * The module exports its memory and two functions (addresses in bytes):
 *   gather(x, from, index, n, stride): copies the rows index[0..n-1] (i32) of the matrix at
 *     `from` (rows of `stride` bytes, a multiple of 16) one after the other to x;
 *   pass(x, rows, stride, vec, w, e, out): for `rows` (a multiple of 4) row vectors x_t of `stride` bytes (a multiple of 16) laid
 * out one after the other from byte x, adds
 *   out += Σ_t (w_t · (x_t·vec) − e_t) x_t
 * to the vector at out (w, e: one f64 per row). With w = 1, e = 0 this is Xᵀ X vec, the product
 * a CG step needs; with e = targets it yields the initial residual. Rows are taken four at a
 * time so the four dot products and the update run as independent chains (throughput- rather
 * than latency-bound).
 */

import {
  ADD,
  BLOCK,
  BR,
  BR_IF,
  END,
  EQZ,
  F64_ADD,
  F64_LOAD,
  F64_MUL,
  F64_SUB,
  functionBody,
  get,
  i32,
  I32,
  I32_LOAD,
  LANE,
  LOOP,
  LT_U,
  moduleBytes,
  MUL,
  set,
  SPLAT,
  V128,
  V_ADD,
  V_LOAD,
  V_MUL,
  V_STORE,
  V_ZERO,
} from './encoding.ts';

// Parameters and locals of pass.
const [X, ROWS, STRIDE, VEC, W, E, OUT] = [0, 1, 2, 3, 4, 5, 6];
const [T, F] = [7, 8]; // row counter, byte offset within a row
const ROW = [9, 10, 11, 12]; // addresses of the four rows
const ACC = [13, 14, 15, 16]; // v128 dot-product accumulators, then splatted coefficients
const PV = 17; // v128

function passBody(): number[] {
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const part of parts) code.push(...part);
  };
  emit(BLOCK, LOOP);
  // while (t < rows)
  emit(get(T), get(ROWS), LT_U, EQZ, BR_IF(1));
  emit(get(X), get(T), get(STRIDE), MUL, ADD, set(ROW[0]));
  for (let r = 1; r < 4; r++) emit(get(ROW[r - 1]), get(STRIDE), ADD, set(ROW[r]));
  for (const acc of ACC) emit(V_ZERO, set(acc));
  // dot products: acc_r += x_r[f..f+1] * vec[f..f+1]
  emit(i32(0), set(F), LOOP);
  emit(get(VEC), get(F), ADD, V_LOAD, set(PV));
  for (let r = 0; r < 4; r++)
    emit(get(ACC[r]), get(ROW[r]), get(F), ADD, V_LOAD, get(PV), V_MUL, V_ADD, set(ACC[r]));
  emit(get(F), i32(16), ADD, set(F), get(F), get(STRIDE), LT_U, BR_IF(0), END);
  // coefficient_r = w[t+r] · (lane0 + lane1) − e[t+r], splatted into acc_r
  for (let r = 0; r < 4; r++) {
    const slot = (base: number): number[] => [
      ...get(base),
      ...get(T),
      ...i32(r),
      ...ADD,
      ...i32(8),
      ...MUL,
      ...ADD,
      ...F64_LOAD,
    ];
    emit(slot(W), get(ACC[r]), LANE(0), get(ACC[r]), LANE(1), F64_ADD, F64_MUL);
    emit(slot(E), F64_SUB, SPLAT, set(ACC[r]));
  }
  // out[f..f+1] += Σ_r coefficient_r · x_r[f..f+1]
  emit(i32(0), set(F), LOOP);
  emit(get(OUT), get(F), ADD);
  emit(get(OUT), get(F), ADD, V_LOAD);
  for (let r = 0; r < 4; r++) emit(get(ACC[r]), get(ROW[r]), get(F), ADD, V_LOAD, V_MUL, V_ADD);
  emit(V_STORE);
  emit(get(F), i32(16), ADD, set(F), get(F), get(STRIDE), LT_U, BR_IF(0), END);
  emit(get(T), i32(4), ADD, set(T), BR(0), END, END, END);
  return code;
}

function gatherBody(): number[] {
  const [X, FROM, INDEX, N, STRIDE, T, O, SOURCE] = [0, 1, 2, 3, 4, 5, 6, 7];
  return [
    ...[...BLOCK, ...LOOP],
    ...[...get(T), ...get(N), ...LT_U, ...EQZ, ...BR_IF(1)],
    // source ← start of row index[t]; o runs over the row's bytes
    ...[...get(INDEX), ...get(T), ...i32(4), ...MUL, ...ADD, ...I32_LOAD],
    ...[...get(STRIDE), ...MUL, ...get(FROM), ...ADD, ...set(SOURCE)],
    ...[...i32(0), ...set(O), ...LOOP],
    ...[...get(X), ...get(O), ...ADD, ...get(SOURCE), ...get(O), ...ADD, ...V_LOAD, ...V_STORE],
    ...[...get(O), ...i32(16), ...ADD, ...set(O), ...get(O), ...get(STRIDE), ...LT_U, ...BR_IF(0)],
    ...END,
    ...[...get(X), ...get(STRIDE), ...ADD, ...set(X)],
    ...[...get(T), ...i32(1), ...ADD, ...set(T), ...BR(0), ...END, ...END, ...END],
  ];
}

/** The module's bytes. */
export function normalPassBytes(): Uint8Array<ArrayBuffer> {
  const pass = functionBody(
    [
      [6, I32],
      [5, V128],
    ],
    passBody(),
  );
  const gather = functionBody([[3, I32]], gatherBody());
  return moduleBytes([
    { name: 'pass', params: 7, body: pass },
    { name: 'gather', params: 5, body: gather },
  ]);
}

let compiled: WebAssembly.Module | null = null;

/** The compiled module (compiled once per process; it can be sent to workers). */
export function normalPassModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(normalPassBytes());
  return compiled;
}
