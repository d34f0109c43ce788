import { RowPool, shared } from './parallel.ts';

/** Small dense linear algebra on Float64Array (row-major), for the factor solvers and EASE^R. */

/**
 * Solves A x = b in place for a symmetric positive definite n×n A (row-major): A is overwritten
 * by its Cholesky factor L (lower triangle), b by x. Returns false when A is not positive definite.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): boolean {
  // Each entry of L takes a dot product of two row prefixes; `dot` keeps two sums going at once.
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    const diagonal = a[rowJ + j] - dot(a, rowJ, a, rowJ, j);
    if (!(diagonal > 0)) return false;
    const ljj = Math.sqrt(diagonal);
    a[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      a[rowI + j] = (a[rowI + j] - dot(a, rowI, a, rowJ, j)) / ljj;
    }
  }
  // Forward: L y = b.
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    b[i] = (b[i] - dot(a, rowI, b, 0, i)) / a[rowI + i];
  }
  // Backward: Lᵀ x = y.
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i];
    for (let k = i + 1; k < n; k++) sum -= a[k * n + i] * b[k];
    b[i] = sum / a[i * n + i];
  }
  return true;
}

/**
 * The rank-b update of one block sweep on the upper triangle of a symmetric n×n matrix
 * (row-major; only entries j ≥ i are touched): for rows i in from..to-1 outside the block,
 *   a_ij ← a_ij − Σ_t v_t,i w_t,j   (j ≥ i)
 * where v (b×n) holds the block's rows before the sweep and w = S⁻¹ v with S the block's
 * diagonal part. Self-contained so it can run on worker threads (see parallel.ts).
 * data: { matrix, blockRows (v), blockWeights (w), n, blockStart, blockSize }.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sweepBlockRows(d: any, _phase: number, from: number, to: number): void {
  const a: Float64Array = d.matrix;
  const v: Float64Array = d.blockRows;
  const w: Float64Array = d.blockWeights;
  const n: number = d.n;
  const start: number = d.blockStart[0];
  const size: number = d.blockStart[1];
  for (let i = from; i < to; i++) {
    if (i >= start && i < start + size) continue;
    const row = i * n;
    let t = 0;
    // Eight block rows at a time: one load and store of a_ij per eight multiply-adds.
    for (; t + 7 < size; t += 8) {
      const f0 = v[t * n + i];
      const f1 = v[(t + 1) * n + i];
      const f2 = v[(t + 2) * n + i];
      const f3 = v[(t + 3) * n + i];
      const f4 = v[(t + 4) * n + i];
      const f5 = v[(t + 5) * n + i];
      const f6 = v[(t + 6) * n + i];
      const f7 = v[(t + 7) * n + i];
      const w0 = t * n;
      const w1 = w0 + n;
      const w2 = w1 + n;
      const w3 = w2 + n;
      const w4 = w3 + n;
      const w5 = w4 + n;
      const w6 = w5 + n;
      const w7 = w6 + n;
      for (let j = i; j < n; j++) {
        a[row + j] -=
          f0 * w[w0 + j] +
          f1 * w[w1 + j] +
          f2 * w[w2 + j] +
          f3 * w[w3 + j] +
          f4 * w[w4 + j] +
          f5 * w[w5 + j] +
          f6 * w[w6 + j] +
          f7 * w[w7 + j];
      }
    }
    for (; t < size; t++) {
      const factor = v[t * n + i];
      const wt = t * n;
      for (let j = i; j < n; j++) a[row + j] -= factor * w[wt + j];
    }
  }
}

/**
 * Inverts a symmetric positive definite n×n matrix (row-major, full storage) with the sweep
 * operator (Goodnight 1979) applied a block of pivots at a time: sweeping every pivot turns A
 * into −A⁻¹ while keeping it symmetric, so only the upper triangle is updated (n³/2
 * multiply-adds), and each block is one rank-b update, which streams the matrix once per block
 * instead of once per pivot. Rows are split across `threads`. The result is written back in
 * full. Returns false when A is not positive definite.
 */
export function invertSymmetricPositiveDefinite(
  a: Float64Array,
  n: number,
  options: { threads?: number; blockSize?: number; onPivot?: (k: number) => void } = {},
): boolean {
  const blockSize = Math.max(1, Math.min(n, options.blockSize ?? 48));
  const matrix = a.buffer instanceof SharedArrayBuffer ? a : shared(a);
  const blockRows = new Float64Array(new SharedArrayBuffer(blockSize * n * 8));
  const blockWeights = new Float64Array(new SharedArrayBuffer(blockSize * n * 8));
  const blockStart = new Int32Array(new SharedArrayBuffer(8));
  const pool = new RowPool(
    sweepBlockRows,
    { matrix, blockRows, blockWeights, n, blockStart },
    options.threads ?? 1,
  );
  const inverse = new Float64Array(blockSize * blockSize);
  try {
    for (let start = 0; start < n; start += blockSize) {
      const size = Math.min(blockSize, n - start);
      // v: the block's rows (from the upper triangle).
      for (let t = 0; t < size; t++) {
        const r = start + t;
        for (let j = 0; j < n; j++)
          blockRows[t * n + j] = j < r ? matrix[j * n + r] : matrix[r * n + j];
      }
      // S⁻¹ of the block's diagonal part by an unblocked Gauss–Jordan sweep (SPD: no pivoting).
      for (let t = 0; t < size; t++)
        for (let u = 0; u < size; u++) inverse[t * size + u] = blockRows[t * n + start + u];
      for (let k = 0; k < size; k++) {
        const pivot = inverse[k * size + k];
        if (!(pivot > 0)) return false;
        const scale = 1 / pivot;
        for (let i = 0; i < size; i++) {
          if (i === k) continue;
          const factor = inverse[i * size + k] * scale;
          if (factor === 0) continue;
          for (let j = 0; j < size; j++)
            if (j !== k) inverse[i * size + j] -= factor * inverse[k * size + j];
        }
        for (let j = 0; j < size; j++) {
          if (j === k) continue;
          inverse[k * size + j] *= scale;
          inverse[j * size + k] = inverse[k * size + j];
        }
        inverse[k * size + k] = -scale;
      }
      // The sweep left −S⁻¹; w = S⁻¹ v.
      blockWeights.fill(0);
      for (let t = 0; t < size; t++) {
        for (let u = 0; u < size; u++) {
          const factor = -inverse[t * size + u];
          if (factor === 0) continue;
          const vu = u * n;
          const wt = t * n;
          for (let j = 0; j < n; j++) blockWeights[wt + j] += factor * blockRows[vu + j];
        }
      }
      blockStart[0] = start;
      blockStart[1] = size;
      pool.run(0, n, 16);
      // The block's own rows and columns: A_iK ← (S⁻¹ v)ᵀ, A_KK ← −S⁻¹.
      for (let t = 0; t < size; t++) {
        const r = start + t;
        for (let j = 0; j < n; j++) {
          if (j >= start && j < start + size) continue;
          const value = blockWeights[t * n + j];
          if (j < r) matrix[j * n + r] = value;
          else matrix[r * n + j] = value;
        }
        for (let u = t; u < size; u++) matrix[r * n + start + u] = inverse[t * size + u];
      }
      options.onPivot?.(start + size - 1);
    }
  } finally {
    pool.close();
  }
  // −A⁻¹ in the upper triangle → A⁻¹ in full.
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = -matrix[i * n + j];
      a[i * n + j] = value;
      a[j * n + i] = value;
    }
  }
  return true;
}

/** Dot product of a[aOffset..aOffset+n) and b[bOffset..bOffset+n). */
export function dot(
  a: Float64Array,
  aOffset: number,
  b: Float64Array,
  bOffset: number,
  n: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let f = 0;
  for (; f + 1 < n; f += 2) {
    s0 += a[aOffset + f] * b[bOffset + f];
    s1 += a[aOffset + f + 1] * b[bOffset + f + 1];
  }
  if (f < n) s0 += a[aOffset + f] * b[bOffset + f];
  return s0 + s1;
}
