/**
 * The SGD steps of sgd.ts (svd and SVD++) as a WebAssembly SIMD (f32x4) kernel emitted from this
 * source. For the rating r of user u and item i at position p (z_u = p_u for svd; SVD++ adds
 * |N(u)|^−½ Σ_j y_j, and its y updates follow each user's ratings, as in sgd.ts):
 *
 *   e   = r − (((μ + b_u) + b_i) + q_i·z_u)
 *   b_u += lr_b (e − λ_b b_u)          b_i += lr_b (e − λ_b b_i)
 *   p_u += lr (e q_i − λ p_u)          q_i += lr (e z_u − λ q_i)     (old values on the right)
 *
 * The factors (p, q, y, and SVD++'s z and y gradient) are single precision, as in LIBMF and
 * most SGD trainers: four to a v128, half the memory traffic of doubles; the biases, the error
 * e and the constants are doubles, e and the step sizes rounded to single where they meet a
 * factor. The dot product runs as two chains of f32x4 additions (factors 8t … 8t + 3 and
 * 8t + 4 … 8t + 7), added lane-wise, then its four lanes in double as (l0 + l1) + (l2 + l3);
 * every other operation is the scalar one, lane by lane, in the same order
 * (test/recsys/sgdKernel.test.ts writes the same equations with Math.fround). Factor rows are
 * padded with zeros to a multiple of 32 bytes; the padding stays zero. README: Algorithms.
 *
 * The module exports its memory and three functions, which read the layout from a header at
 * address 0 (HEADER below):
 *   users(from, to): svd, every rating of users from … to − 1, user by user, in stored order;
 *   rating(u, p): svd, the rating at position p, of user u;
 *   implicitUsers(from, to): SVD++, users from … to − 1.
 */
import {
  ADD,
  BLOCK,
  BR,
  BR_IF,
  END,
  EQZ,
  F32_DEMOTE_F64,
  F32_LOAD,
  F32X4_ADD,
  F32X4_LANE,
  F32X4_MUL,
  F32X4_SPLAT,
  F32X4_SUB,
  F64,
  f64,
  F64_ADD,
  F64_CONVERT_I32_U,
  F64_DIV,
  F64_LOAD,
  F64_MUL,
  F64_PROMOTE_F32,
  F64_SQRT,
  F64_STORE,
  F64_SUB,
  functionBody,
  get,
  i32,
  I32,
  I32_LOAD,
  LOOP,
  LT_U,
  moduleBytes,
  MUL,
  set,
  SUB,
  V128,
  V_LOAD,
  V_STORE,
  V_ZERO,
  align16,
  PAGE,
} from './encoding.ts';

/** Header: byte addresses (i32) of the arrays and the row stride, then the constants (f64). */
const HEADER = {
  userPtr: 0,
  userItems: 4,
  userRatings: 8,
  userFactors: 12,
  itemFactors: 16,
  userBias: 20,
  itemBias: 24,
  stride: 28,
  implicitFactors: 32,
  z: 36,
  gradientY: 40,
  mu: 48,
  lr: 56,
  reg: 64,
  lrBias: 72,
  regBias: 80,
};
const HEADER_BYTES = 96;

/** Independent chains of additions in the dot product (rows are padded to 16·CHAINS bytes). */
const CHAINS = 2;

// Locals. 0 and 1 are the two parameters: (from, to) or (u, p).
const [U, SECOND] = [0, 1];
const [PTR, ITEMS, RATINGS, UF, IF, UB, IB, STRIDE, P, END_P, PU, QI, F, ITEM] = [
  2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
];
const [Y, Z, G, YJ, START] = [16, 17, 18, 19, 20];
const [MU, REG, LR_B, REG_B, ERR, BU, BI, SCALE] = [21, 22, 23, 24, 25, 26, 27, 28];
const [VLR, VREG, VE, VS, PV, QV] = [29, 30, 31, 32, 33, 34];
const ACC = Array.from({ length: CHAINS }, (_, a) => 35 + a);
const LOCALS: Array<[number, number]> = [
  [19, I32],
  [8, F64],
  [6 + CHAINS, V128],
];

type Emit = (...parts: number[][]) => void;

function emitter(): { code: number[]; emit: Emit } {
  const code: number[] = [];
  return { code, emit: (...parts) => parts.forEach((part) => code.push(...part)) };
}

/** A double on the stack, rounded to single, in all four lanes. */
const single = [F32_DEMOTE_F64, F32X4_SPLAT];

/** Loads the header into locals (and the factor step sizes into v128 splats). */
function prologue(emit: Emit): void {
  const i32At = (offset: number, local: number): void => emit(i32(offset), I32_LOAD, set(local));
  i32At(HEADER.userPtr, PTR);
  i32At(HEADER.userItems, ITEMS);
  i32At(HEADER.userRatings, RATINGS);
  i32At(HEADER.userFactors, UF);
  i32At(HEADER.itemFactors, IF);
  i32At(HEADER.userBias, UB);
  i32At(HEADER.itemBias, IB);
  i32At(HEADER.stride, STRIDE);
  i32At(HEADER.implicitFactors, Y);
  i32At(HEADER.z, Z);
  i32At(HEADER.gradientY, G);
  emit(i32(HEADER.mu), F64_LOAD, set(MU));
  emit(i32(HEADER.reg), F64_LOAD, set(REG));
  emit(i32(HEADER.lrBias), F64_LOAD, set(LR_B));
  emit(i32(HEADER.regBias), F64_LOAD, set(REG_B));
  emit(i32(HEADER.lr), F64_LOAD, ...single, set(VLR));
  emit(i32(HEADER.reg), F64_LOAD, ...single, set(VREG));
}

/** A loop over the bytes f = 0, 16, … of a factor row; `body` reads the local F. */
function overRow(emit: Emit, body: () => void): void {
  emit(i32(0), set(F), LOOP);
  body();
  emit(get(F), i32(16), ADD, set(F), get(F), get(STRIDE), LT_U, BR_IF(0), END);
}

/** A loop over the rating positions P = P … END_P − 1 (P must be below END_P). */
function overRatings(emit: Emit, body: () => void): void {
  emit(LOOP);
  body();
  emit(get(P), i32(1), ADD, set(P), get(P), get(END_P), LT_U, BR_IF(0), END);
}

/** The four factors (one v128) at row + F. */
const lanes = (row: number, offset = 0): number[][] => [
  get(row),
  get(F),
  ADD,
  ...(offset ? [i32(offset), ADD] : []),
  V_LOAD,
];

/**
 * One step on the rating at position P of user U (PU: the address of p_u): the dot product of
 * q_i with p_u (with z, SVD++: p_u + z), e, the biases; then `factors` updates the rows.
 */
function step(emit: Emit, withZ: boolean, factors: () => void): void {
  // item ← userItems[p]; qi ← address of q_item
  emit(get(ITEMS), get(P), i32(4), MUL, ADD, I32_LOAD, set(ITEM));
  emit(get(IF), get(ITEM), get(STRIDE), MUL, ADD, set(QI));
  // acc_a ← Σ z_u[f..f+3] · q_i[f..f+3] over the quads f = 4a, 4a + 4·CHAINS, …
  for (const acc of ACC) emit(V_ZERO, set(acc));
  emit(i32(0), set(F), LOOP);
  ACC.forEach((acc, a) => {
    const user = withZ ? [...lanes(PU, 16 * a), ...lanes(Z, 16 * a), F32X4_ADD] : lanes(PU, 16 * a);
    emit(get(acc), ...user, ...lanes(QI, 16 * a), F32X4_MUL, F32X4_ADD, set(acc));
  });
  emit(get(F), i32(16 * CHAINS), ADD, set(F), get(F), get(STRIDE), LT_U, BR_IF(0), END);
  for (let a = 1; a < CHAINS; a++) emit(get(ACC[0]), get(ACC[a]), F32X4_ADD, set(ACC[0]));
  // e ← r − (((μ + b_u) + b_i) + ((l0 + l1) + (l2 + l3))), the lanes l of acc_0 in double
  emit(get(UB), get(U), i32(8), MUL, ADD, F64_LOAD, set(BU));
  emit(get(IB), get(ITEM), i32(8), MUL, ADD, F64_LOAD, set(BI));
  emit(get(RATINGS), get(P), i32(4), MUL, ADD, F32_LOAD, F64_PROMOTE_F32);
  emit(get(MU), get(BU), F64_ADD, get(BI), F64_ADD);
  const lane = (l: number): number[] => [...get(ACC[0]), ...F32X4_LANE(l), ...F64_PROMOTE_F32];
  emit(lane(0), lane(1), F64_ADD, lane(2), lane(3), F64_ADD, F64_ADD, F64_ADD, F64_SUB, set(ERR));
  // b ← b + lr_b (e − λ_b b), for b_u and b_i
  for (const [base, index, bias] of [
    [UB, U, BU],
    [IB, ITEM, BI],
  ]) {
    emit(get(base), get(index), i32(8), MUL, ADD);
    emit(get(bias), get(LR_B), get(ERR), get(REG_B), get(bias), F64_MUL, F64_SUB, F64_MUL);
    emit(F64_ADD, F64_STORE);
  }
  emit(get(ERR), ...single, set(VE));
  factors();
}

/** row[f..f+3] ← own + lr (e · other − λ own), the values on the stack's left loaded before. */
function descend(emit: Emit, row: number, own: number[][], other: number[][]): void {
  emit(get(row), get(F), ADD, ...own, get(VLR), get(VE), ...other, F32X4_MUL);
  emit(get(VREG), ...own, F32X4_MUL, F32X4_SUB, F32X4_MUL, F32X4_ADD, V_STORE);
}

/** svd: p ← p + lr (e q − λ p), q ← q + lr (e p − λ q), four factors at a time. */
function svdStep(emit: Emit): void {
  step(emit, false, () =>
    overRow(emit, () => {
      emit(...lanes(PU), set(PV), ...lanes(QI), set(QV));
      descend(emit, PU, [get(PV)], [get(QV)]);
      descend(emit, QI, [get(QV)], [get(PV)]);
    }),
  );
}

/** users(from, to): svd, for u in from … to − 1, every rating at userPtr[u] … userPtr[u + 1] − 1. */
function usersBody(): number[] {
  const { code, emit } = emitter();
  prologue(emit);
  emit(BLOCK, LOOP, get(U), get(SECOND), LT_U, EQZ, BR_IF(1));
  emit(get(PTR), get(U), i32(4), MUL, ADD, I32_LOAD, set(P));
  emit(get(PTR), get(U), i32(1), ADD, i32(4), MUL, ADD, I32_LOAD, set(END_P));
  emit(get(UF), get(U), get(STRIDE), MUL, ADD, set(PU));
  emit(BLOCK, get(P), get(END_P), LT_U, EQZ, BR_IF(0));
  overRatings(emit, () => svdStep(emit));
  emit(END, get(U), i32(1), ADD, set(U), BR(0), END, END, END);
  return code;
}

/** rating(u, p): svd, the step on one rating. */
function ratingBody(): number[] {
  const { code, emit } = emitter();
  prologue(emit);
  emit(get(SECOND), set(P), get(UF), get(U), get(STRIDE), MUL, ADD, set(PU));
  svdStep(emit);
  emit(END);
  return code;
}

/**
 * implicitUsers(from, to): SVD++, user by user (sgd.ts): z ← |N(u)|^−½ Σ_j y_j; each rating's
 * step with p_u + z, its y gradient e |N(u)|^−½ q_i summed in g; then y_j ← y_j + lr (g − λ |N(u)| y_j)
 * for every rated j.
 */
function implicitUsersBody(): number[] {
  const { code, emit } = emitter();
  const rowOf = (base: number): void =>
    emit(get(base), get(ITEMS), get(P), i32(4), MUL, ADD, I32_LOAD, get(STRIDE), MUL, ADD);
  prologue(emit);
  emit(BLOCK, LOOP, get(U), get(SECOND), LT_U, EQZ, BR_IF(1));
  emit(get(PTR), get(U), i32(4), MUL, ADD, I32_LOAD, set(START));
  emit(get(PTR), get(U), i32(1), ADD, i32(4), MUL, ADD, I32_LOAD, set(END_P));
  emit(BLOCK, get(START), get(END_P), LT_U, EQZ, BR_IF(0));
  emit(get(UF), get(U), get(STRIDE), MUL, ADD, set(PU));
  emit(f64(1), get(END_P), get(START), SUB, F64_CONVERT_I32_U, F64_SQRT, F64_DIV, set(SCALE));
  // z ← Σ_j y_j, then z ← z · scale; g ← 0
  overRow(emit, () => emit(get(Z), get(F), ADD, V_ZERO, V_STORE));
  emit(get(START), set(P));
  overRatings(emit, () => {
    rowOf(Y);
    emit(set(YJ));
    overRow(emit, () => emit(get(Z), get(F), ADD, ...lanes(Z), ...lanes(YJ), F32X4_ADD, V_STORE));
  });
  emit(get(SCALE), ...single, set(VS));
  overRow(emit, () => {
    emit(get(Z), get(F), ADD, ...lanes(Z), get(VS), F32X4_MUL, V_STORE);
    emit(get(G), get(F), ADD, V_ZERO, V_STORE);
  });
  emit(get(START), set(P));
  overRatings(emit, () =>
    step(emit, true, () => {
      emit(get(ERR), get(SCALE), F64_MUL, ...single, set(VS));
      overRow(emit, () => {
        emit(...lanes(PU), set(PV), ...lanes(QI), set(QV));
        emit(get(G), get(F), ADD, ...lanes(G), get(VS), get(QV), F32X4_MUL, F32X4_ADD, V_STORE);
        descend(emit, PU, [get(PV)], [get(QV)]);
        descend(emit, QI, [get(QV)], [get(PV), ...lanes(Z), F32X4_ADD]);
      });
    }),
  );
  // y_j ← y_j + lr (g − λ |N(u)| y_j)
  emit(get(REG), get(END_P), get(START), SUB, F64_CONVERT_I32_U, F64_MUL, ...single, set(VS));
  emit(get(START), set(P));
  overRatings(emit, () => {
    rowOf(Y);
    emit(set(YJ));
    overRow(emit, () => {
      emit(get(YJ), get(F), ADD, ...lanes(YJ), get(VLR), ...lanes(G), get(VS), ...lanes(YJ));
      emit(F32X4_MUL, F32X4_SUB, F32X4_MUL, F32X4_ADD, V_STORE);
    });
  });
  emit(END, get(U), i32(1), ADD, set(U), BR(0), END, END, END);
  return code;
}

/** The module's bytes. */
export function sgdStepsBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([
    { name: 'users', params: 2, body: functionBody(LOCALS, usersBody()) },
    { name: 'rating', params: 2, body: functionBody(LOCALS, ratingBody()) },
    { name: 'implicitUsers', params: 2, body: functionBody(LOCALS, implicitUsersBody()) },
  ]);
}

let compiled: WebAssembly.Module | null = null;

export interface SgdState {
  userFactors: Float64Array;
  itemFactors: Float64Array;
  userBias: Float64Array;
  itemBias: Float64Array;
  /** SVD++'s y (items × factors), or null for svd. */
  implicitFactors: Float64Array | null;
}

export interface SgdSettings {
  factors: number;
  mu: number;
  lr: number;
  reg: number;
  lrBias: number;
  regBias: number;
}

const ROWS = ['userFactors', 'itemFactors', 'implicitFactors'] as const;
const VECTORS = ['userBias', 'itemBias'] as const;

/**
 * The training ratings (user rows of a RatingMatrix) and the model's state copied into the
 * kernel's memory; `read` copies the state back.
 */
export class SgdSteps {
  /** svd: every rating of users from … to − 1. */
  readonly users: (from: number, to: number) => void;
  /** svd: the rating at position p, of user u. */
  readonly rating: (u: number, p: number) => void;
  /** SVD++: users from … to − 1. */
  readonly implicitUsers: (from: number, to: number) => void;
  private readonly memory: WebAssembly.Memory;
  private readonly at: Record<keyof SgdState, number>;
  private readonly padded: number;

  constructor(
    matrix: { userPtr: Int32Array; userItems: Int32Array; userRatings: Float32Array },
    state: SgdState,
    private readonly settings: SgdSettings,
  ) {
    const k = settings.factors;
    const stride = Math.ceil((k * 4) / (16 * CHAINS)) * 16 * CHAINS;
    this.padded = stride / 4;
    const users = matrix.userPtr.length - 1;
    const items = state.itemBias.length;
    const n = matrix.userItems.length;
    let next = HEADER_BYTES;
    const take = (bytes: number): number => {
      const address = next;
      next += align16(bytes);
      return address;
    };
    const ptrAt = take((users + 1) * 4);
    const itemsAt = take(n * 4);
    const ratingsAt = take(n * 4);
    const implicit = state.implicitFactors !== null;
    this.at = {
      userFactors: take(users * stride),
      itemFactors: take(items * stride),
      implicitFactors: implicit ? take(items * stride) : 0,
      userBias: take(users * 8),
      itemBias: take(items * 8),
    };
    const zAt = take(stride);
    const gradientAt = take(stride);
    // A 32-bit memory: 65,536 pages of 64 KiB, one of them there from the start.
    if (Math.ceil(next / PAGE) + 1 > 65536)
      throw new RangeError(`sgd: ${n} ratings need ${next} bytes, beyond the kernel's 4 GiB`);
    compiled ??= new WebAssembly.Module(sgdStepsBytes());
    const instance = new WebAssembly.Instance(compiled);
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.memory.grow(Math.ceil(next / PAGE));
    const buffer = this.memory.buffer;
    const header = new DataView(buffer, 0, HEADER_BYTES);
    const addresses: Record<string, number> = {
      userPtr: ptrAt,
      userItems: itemsAt,
      userRatings: ratingsAt,
      ...this.at,
      stride,
      z: zAt,
      gradientY: gradientAt,
    };
    for (const [name, value] of Object.entries(addresses))
      header.setUint32(HEADER[name as keyof typeof HEADER], value, true);
    for (const name of ['mu', 'lr', 'reg', 'lrBias', 'regBias'] as const)
      header.setFloat64(HEADER[name], settings[name], true);
    new Int32Array(buffer, ptrAt, users + 1).set(matrix.userPtr);
    new Int32Array(buffer, itemsAt, n).set(matrix.userItems);
    new Float32Array(buffer, ratingsAt, n).set(matrix.userRatings);
    this.copy(state, true);
    this.users = instance.exports.users as (from: number, to: number) => void;
    this.rating = instance.exports.rating as (u: number, p: number) => void;
    this.implicitUsers = instance.exports.implicitUsers as (from: number, to: number) => void;
  }

  /** Copies the model's state out of the kernel's memory. */
  read(state: SgdState): void {
    this.copy(state, false);
  }

  private copy(state: SgdState, into: boolean): void {
    const buffer = this.memory.buffer;
    const k = this.settings.factors;
    for (const name of ROWS) {
      const values = state[name];
      if (!values) continue;
      const rows = values.length / k;
      const heap = new Float32Array(buffer, this.at[name], rows * this.padded);
      for (let r = 0; r < rows; r++) {
        const row = values.subarray(r * k, (r + 1) * k);
        if (into) heap.set(row, r * this.padded);
        else row.set(heap.subarray(r * this.padded, r * this.padded + k));
      }
    }
    for (const name of VECTORS) {
      const heap = new Float64Array(buffer, this.at[name], state[name].length);
      if (into) heap.set(state[name]);
      else state[name].set(heap);
    }
  }
}
