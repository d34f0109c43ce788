/**
 * Row kernels of the ALS solvers. They run on worker threads from their source text (see
 * parallel.ts), so each is one self-contained function: no imports, no outside helpers.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Explicit biased ALS, weighted-λ (Zhou et al. 2008). Phase 0 solves users against fixed items,
 * phase 1 items against fixed users. For a row with n ratings it solves the (k+1)×(k+1) system
 *   (Σ x_j x_jᵀ + diag(nλ,…,nλ,λ_b)) [p; b] = Σ x_j (r_j − μ − b_j),   x_j = [q_j; 1]
 * by Cholesky in Float64Array. data: { k, userPtr, userItems, userRatings, itemPtr, itemUsers,
 * itemRatings, userFactors, userBias, itemFactors, itemBias, globalMean, regularization,
 * biasRegularization }.
 */
export function explicitAlsRows(d: any, phase: number, from: number, to: number): void {
  const k: number = d.k;
  const s = k + 1;
  const ptr: Int32Array = phase === 0 ? d.userPtr : d.itemPtr;
  const other: Int32Array = phase === 0 ? d.userItems : d.itemUsers;
  const values: Float32Array = phase === 0 ? d.userRatings : d.itemRatings;
  const fixedFactors: Float64Array = phase === 0 ? d.itemFactors : d.userFactors;
  const fixedBias: Float64Array = phase === 0 ? d.itemBias : d.userBias;
  const outFactors: Float64Array = phase === 0 ? d.userFactors : d.itemFactors;
  const outBias: Float64Array = phase === 0 ? d.userBias : d.itemBias;
  const mu: number = d.globalMean;
  const reg: number = d.regularization;
  const regBias: number = d.biasRegularization;
  let maxCount = 0;
  for (let row = from; row < to; row++) maxCount = Math.max(maxCount, ptr[row + 1] - ptr[row]);
  const columns = new Float64Array(s * Math.max(1, maxCount)); // column-major gather: columns[f*n + t]
  const target = new Float64Array(Math.max(1, maxCount));
  const a = new Float64Array(s * s);
  const b = new Float64Array(s);
  for (let row = from; row < to; row++) {
    const start = ptr[row];
    const n = ptr[row + 1] - start;
    const outOffset = row * k;
    if (n === 0) {
      for (let f = 0; f < k; f++) outFactors[outOffset + f] = 0;
      outBias[row] = 0;
      continue;
    }
    for (let t = 0; t < n; t++) {
      const j = other[start + t];
      const offset = j * k;
      for (let f = 0; f < k; f++) columns[f * n + t] = fixedFactors[offset + f];
      columns[k * n + t] = 1;
      target[t] = values[start + t] - mu - fixedBias[j];
    }
    for (let f = 0; f < s; f++) {
      const cf = f * n;
      let sum = 0;
      for (let t = 0; t < n; t++) sum += columns[cf + t] * target[t];
      b[f] = sum;
    }
    // Gram matrix Σ x xᵀ, lower triangle, with 2×4 register blocks over column pairs.
    let f = 0;
    for (; f + 1 < s; f += 2) {
      const c0 = f * n;
      const c1 = c0 + n;
      let g = 0;
      for (; g + 3 <= f + 1; g += 4) {
        const d0 = g * n;
        const d1 = d0 + n;
        const d2 = d1 + n;
        const d3 = d2 + n;
        let a00 = 0,
          a01 = 0,
          a02 = 0,
          a03 = 0,
          a10 = 0,
          a11 = 0,
          a12 = 0,
          a13 = 0;
        for (let t = 0; t < n; t++) {
          const x0 = columns[c0 + t];
          const x1 = columns[c1 + t];
          const y0 = columns[d0 + t];
          const y1 = columns[d1 + t];
          const y2 = columns[d2 + t];
          const y3 = columns[d3 + t];
          a00 += x0 * y0;
          a01 += x0 * y1;
          a02 += x0 * y2;
          a03 += x0 * y3;
          a10 += x1 * y0;
          a11 += x1 * y1;
          a12 += x1 * y2;
          a13 += x1 * y3;
        }
        const r0 = f * s + g;
        const r1 = r0 + s;
        a[r0] = a00;
        a[r0 + 1] = a01;
        a[r0 + 2] = a02;
        a[r0 + 3] = a03;
        a[r1] = a10;
        a[r1 + 1] = a11;
        a[r1 + 2] = a12;
        a[r1 + 3] = a13;
      }
      for (; g <= f + 1; g++) {
        const dg = g * n;
        let a0 = 0;
        let a1 = 0;
        for (let t = 0; t < n; t++) {
          const y = columns[dg + t];
          a0 += columns[c0 + t] * y;
          a1 += columns[c1 + t] * y;
        }
        a[f * s + g] = a0;
        a[(f + 1) * s + g] = a1;
      }
    }
    for (; f < s; f++) {
      const c0 = f * n;
      for (let g = 0; g <= f; g++) {
        const dg = g * n;
        let a0 = 0;
        for (let t = 0; t < n; t++) a0 += columns[c0 + t] * columns[dg + t];
        a[f * s + g] = a0;
      }
    }
    for (let f = 0; f < k; f++) a[f * s + f] += reg * n;
    a[k * s + k] += regBias + 1e-12;
    // Cholesky on the lower triangle, then forward and backward substitution.
    let ok = true;
    for (let j = 0; j < s && ok; j++) {
      const rowJ = j * s;
      let diagonal = a[rowJ + j];
      for (let m = 0; m < j; m++) diagonal -= a[rowJ + m] * a[rowJ + m];
      if (!(diagonal > 0)) {
        ok = false;
        break;
      }
      const ljj = Math.sqrt(diagonal);
      a[rowJ + j] = ljj;
      for (let i = j + 1; i < s; i++) {
        const rowI = i * s;
        let sum = a[rowI + j];
        for (let m = 0; m < j; m++) sum -= a[rowI + m] * a[rowJ + m];
        a[rowI + j] = sum / ljj;
      }
    }
    if (!ok) {
      for (let f = 0; f < k; f++) outFactors[outOffset + f] = 0;
      outBias[row] = 0;
      continue;
    }
    for (let i = 0; i < s; i++) {
      const rowI = i * s;
      let sum = b[i];
      for (let m = 0; m < i; m++) sum -= a[rowI + m] * b[m];
      b[i] = sum / a[rowI + i];
    }
    for (let i = s - 1; i >= 0; i--) {
      let sum = b[i];
      for (let m = i + 1; m < s; m++) sum -= a[m * s + i] * b[m];
      b[i] = sum / a[i * s + i];
    }
    for (let f = 0; f < k; f++) outFactors[outOffset + f] = b[f];
    outBias[row] = b[k];
  }
}

/**
 * Both ALS models by conjugate gradient from the current values (Takács et al. 2011), the
 * products A·v run by the WebAssembly pass of ../wasm/normalPass.ts (data.wasm, one instance
 * per thread). For a row with n ratings, x_t the fixed side's rows gathered once into the
 * module's memory:
 *   explicit (d.implicit = 0): x_t = [q_j; 1], A = Σ x_t x_tᵀ + diag(nλ,…,nλ,λ_b),
 *                              b = Σ x_t (r_t − μ − b_j); solves [p; b_u] (see explicitAlsRows)
 *   implicit (d.implicit = 1): x_t = y_j, A = YᵀY + Σ (c_t − 1) x_t x_tᵀ + λI, b = Σ c_t x_t
 *                              (d.gram holds YᵀY of the fixed side)
 * The residual starts as b − A v in one pass (coefficients w_t (x_t·v) − e_t with e_t the
 * targets), then each of cgSteps steps is one pass. data: the fields of explicitAlsRows (the
 * implicit model: userConfidence, itemConfidence and gram, k×k, instead of ratings and biases)
 * plus { implicit, wasm (the compiled module), cgSteps, generation (Int32Array whose [0] the
 * caller changes whenever the fixed side's factors or YᵀY change: each thread then copies them
 * into its module memory anew) }.
 */
export function conjugateGradientRows(d: any, phase: number, from: number, to: number): void {
  const implicit = d.implicit === 1;
  const k: number = d.k;
  const s = implicit ? k : k + 1; // unknowns per row
  const stride = (s + 1) & ~1; // doubles per gathered row, padded for f64x2
  const ptr: Int32Array = phase === 0 ? d.userPtr : d.itemPtr;
  const other: Int32Array = phase === 0 ? d.userItems : d.itemUsers;
  const values: Float32Array = phase === 0 ? d.userRatings : d.itemRatings;
  const confidence: Float32Array = phase === 0 ? d.userConfidence : d.itemConfidence;
  const fixedFactors: Float64Array = phase === 0 ? d.itemFactors : d.userFactors;
  const fixedBias: Float64Array = phase === 0 ? d.itemBias : d.userBias;
  const outFactors: Float64Array = phase === 0 ? d.userFactors : d.itemFactors;
  const outBias: Float64Array = phase === 0 ? d.userBias : d.itemBias;
  const reg: number = d.regularization;
  const mu: number = d.globalMean;
  const steps: number = d.cgSteps;
  const k4 = implicit ? (k + 3) & ~3 : 0; // rows of the padded Gram block
  let maxCount = 0;
  for (let row = from; row < to; row++) maxCount = Math.max(maxCount, ptr[row + 1] - ptr[row]);
  // Per-thread module instance, its memory laid out (in doubles) as V P AP | NV (k4) |
  // G (k4 rows) | FIXED (the fixed side, rows of `stride`) | W E Z INDEX (capacity each) |
  // X (capacity rows).
  let state = d.cgState;
  const needed = Math.max(4, k4, (maxCount + 3) & ~3);
  if (state === undefined || state.capacity < needed) {
    const instance = state?.instance ?? new WebAssembly.Instance(d.wasm, {});
    const capacity = Math.max(needed, 2 * (state?.capacity ?? 0));
    const fixedRows = Math.max(d.userPtr.length, d.itemPtr.length) - 1;
    state = { instance, capacity, generation: -1, v: 0, p: stride, ap: 2 * stride };
    state.nv = 3 * stride;
    state.g = state.nv + k4;
    state.fixed = state.g + k4 * stride;
    state.w = state.fixed + fixedRows * stride;
    state.e = state.w + capacity;
    state.z = state.e + capacity;
    state.index = state.z + capacity;
    state.x = state.index + capacity;
    const memory: WebAssembly.Memory = instance.exports.memory;
    const bytes = (state.x + capacity * stride) * 8;
    if (bytes > memory.buffer.byteLength)
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    state.heap = new Float64Array(memory.buffer);
    state.heap.fill(0);
    state.indices = new Int32Array(memory.buffer);
    // Not enumerable: the data object is cloned to workers, and an Instance is not cloneable.
    Object.defineProperty(d, 'cgState', { value: state, writable: true, configurable: true });
  }
  const heap: Float64Array = state.heap;
  const indices: Int32Array = state.indices;
  const pass: (...a: number[]) => void = state.instance.exports.pass;
  const gather: (...a: number[]) => void = state.instance.exports.gather;
  const { v: V, p: P, ap: AP, nv: NV, g: G, fixed: FIXED, w: W, e: E, z: Z, x: X } = state;
  const INDEX = state.index * 2; // in i32
  if (state.generation !== d.generation[0]) {
    // The fixed side (and YᵀY) changed since this thread last copied it.
    const fixedRows = (phase === 0 ? d.itemPtr : d.userPtr).length - 1;
    for (let j = 0; j < fixedRows; j++) {
      const target = FIXED + j * stride;
      for (let f = 0; f < k; f++) heap[target + f] = fixedFactors[j * k + f];
      if (!implicit) heap[target + k] = 1;
    }
    if (implicit)
      for (let f = 0; f < k; f++) heap.set(d.gram.subarray(f * k, f * k + k), G + f * stride);
    state.generation = d.generation[0];
  }
  const residual = new Float64Array(s);
  for (let row = from; row < to; row++) {
    const start = ptr[row];
    const n = ptr[row + 1] - start;
    const outOffset = row * k;
    if (n === 0) {
      for (let f = 0; f < k; f++) outFactors[outOffset + f] = 0;
      if (!implicit) outBias[row] = 0;
      continue;
    }
    const rows = (n + 3) & ~3;
    for (let t = 0; t < n; t++) {
      const j = other[start + t];
      indices[INDEX + t] = j;
      if (implicit) {
        heap[W + t] = confidence[start + t] - 1;
        heap[E + t] = confidence[start + t];
      } else {
        heap[W + t] = 1;
        heap[E + t] = values[start + t] - mu - fixedBias[j];
      }
    }
    gather(X * 8, FIXED * 8, INDEX * 4, n, stride * 8);
    heap.fill(0, X + n * stride, X + rows * stride);
    const lambda = implicit ? reg : reg * n;
    for (let f = 0; f < k; f++) heap[V + f] = outFactors[outOffset + f];
    if (!implicit) heap[V + k] = outBias[row];
    // AP = A·vec − (b when vec = V): the diagonal (and YᵀY) part here, the rest by pass.
    let rsOld = 0;
    for (let step = 0; step <= steps; step++) {
      const vec = step === 0 ? V : P;
      for (let f = 0; f < k; f++) heap[AP + f] = lambda * heap[vec + f];
      if (implicit) {
        for (let f = 0; f < k; f++) heap[NV + f] = -heap[vec + f];
        pass(G * 8, k4, stride * 8, vec * 8, Z * 8, NV * 8, AP * 8); // += YᵀY vec
      } else heap[AP + k] = d.biasRegularization * heap[vec + k];
      pass(X * 8, rows, stride * 8, vec * 8, W * 8, (step === 0 ? E : Z) * 8, AP * 8);
      if (step === 0) {
        for (let f = 0; f < s; f++) {
          residual[f] = -heap[AP + f];
          heap[P + f] = residual[f];
          rsOld += residual[f] * residual[f];
        }
        if (!(rsOld > 1e-20)) break;
        continue;
      }
      let pAp = 0;
      for (let f = 0; f < s; f++) pAp += heap[P + f] * heap[AP + f];
      if (!(pAp > 0)) break;
      const alpha = rsOld / pAp;
      let rsNew = 0;
      for (let f = 0; f < s; f++) {
        heap[V + f] += alpha * heap[P + f];
        residual[f] -= alpha * heap[AP + f];
        rsNew += residual[f] * residual[f];
      }
      if (!(rsNew > 1e-20)) break;
      const beta = rsNew / rsOld;
      for (let f = 0; f < s; f++) heap[P + f] = residual[f] + beta * heap[P + f];
      rsOld = rsNew;
    }
    for (let f = 0; f < k; f++) outFactors[outOffset + f] = heap[V + f];
    if (!implicit) outBias[row] = heap[V + k];
  }
}
