/**
 * Row kernels of the ALS solvers. They run on worker threads from their source text (see
 * parallel.ts), so each is one self-contained function: no imports, no outside helpers.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Explicit biased ALS, weighted-λ (Zhou et al. 2008). Phase 0 solves users against fixed items,
 * phase 1 items against fixed users. For a row with n ratings it solves the (k+1)×(k+1) system
 *   (Σ x_j x_jᵀ + diag(nλ,…,nλ,λ_b)) [p; b] = Σ x_j (r_j − μ − b_j),   x_j = [q_j; 1]
 * by Cholesky in Float64Array (or, with solver = 1, by cgSteps conjugate-gradient steps from the
 * current values). data: { k, userPtr, userItems, userRatings, itemPtr, itemUsers,
 * itemRatings, userFactors, userBias, itemFactors, itemBias, globalMean, regularization,
 * biasRegularization, solver (0 Cholesky, 1 CG), cgSteps }.
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
  // Conjugate-gradient scratch (solver 1).
  const rowMajor = d.solver === 1 ? new Float64Array(s * Math.max(1, maxCount)) : columns;
  const v = new Float64Array(s);
  const residual = new Float64Array(s);
  const direction = new Float64Array(s);
  const product = new Float64Array(s);
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
    if (d.solver === 1) {
      // Conjugate gradient from the current values: A v = Σ_t x_t (x_t·v) + diag(nλ…nλ, λ_b) v,
      // with x_t gathered row-major so both passes run over contiguous memory.
      for (let t = 0; t < n; t++) {
        const offset = t * s;
        for (let f = 0; f < s; f++) rowMajor[offset + f] = columns[f * n + t];
      }
      for (let f = 0; f < k; f++) v[f] = outFactors[outOffset + f];
      v[k] = outBias[row];
      // product = A v (written out twice below rather than as a closure, which V8 optimizes worse)
      for (let f = 0; f < k; f++) product[f] = reg * n * v[f];
      product[k] = regBias * v[k];
      for (let t = 0; t < n; t++) {
        const offset = t * s;
        let projection = 0;
        for (let f = 0; f < s; f++) projection += rowMajor[offset + f] * v[f];
        for (let f = 0; f < s; f++) product[f] += projection * rowMajor[offset + f];
      }
      let rsOld = 0;
      for (let f = 0; f < s; f++) {
        residual[f] = b[f] - product[f];
        direction[f] = residual[f];
        rsOld += residual[f] * residual[f];
      }
      for (let step = 0; step < d.cgSteps && rsOld > 1e-20; step++) {
        for (let f = 0; f < k; f++) product[f] = reg * n * direction[f];
        product[k] = regBias * direction[k];
        for (let t = 0; t < n; t++) {
          const offset = t * s;
          let projection = 0;
          for (let f = 0; f < s; f++) projection += rowMajor[offset + f] * direction[f];
          for (let f = 0; f < s; f++) product[f] += projection * rowMajor[offset + f];
        }
        let pAp = 0;
        for (let f = 0; f < s; f++) pAp += direction[f] * product[f];
        if (!(pAp > 0)) break;
        const alpha = rsOld / pAp;
        let rsNew = 0;
        for (let f = 0; f < s; f++) {
          v[f] += alpha * direction[f];
          residual[f] -= alpha * product[f];
          rsNew += residual[f] * residual[f];
        }
        const beta = rsNew / rsOld;
        for (let f = 0; f < s; f++) direction[f] = residual[f] + beta * direction[f];
        rsOld = rsNew;
      }
      for (let f = 0; f < k; f++) outFactors[outOffset + f] = v[f];
      outBias[row] = v[k];
      continue;
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
 * Implicit ALS (Hu, Koren & Volinsky 2008) by conjugate gradient (Takács et al. 2011): for a row
 * with observed items j and confidences c_j, a few CG steps from the current x on
 *   (YᵀY + Σ_j (c_j − 1) y_j y_jᵀ + λI) x = Σ_j c_j y_j.
 * Phase 0 solves users (Y = item factors), phase 1 items. data: { k, userPtr, userItems,
 * userConfidence, itemPtr, itemUsers, itemConfidence, userFactors, itemFactors, gram (k×k YᵀY of
 * the fixed side, filled before each phase), regularization, cgSteps }.
 */
export function implicitAlsRows(d: any, phase: number, from: number, to: number): void {
  const k: number = d.k;
  const ptr: Int32Array = phase === 0 ? d.userPtr : d.itemPtr;
  const other: Int32Array = phase === 0 ? d.userItems : d.itemUsers;
  const confidence: Float32Array = phase === 0 ? d.userConfidence : d.itemConfidence;
  const fixed: Float64Array = phase === 0 ? d.itemFactors : d.userFactors;
  const out: Float64Array = phase === 0 ? d.userFactors : d.itemFactors;
  const gram: Float64Array = d.gram;
  const reg: number = d.regularization;
  const steps: number = d.cgSteps;
  const x = new Float64Array(k);
  const r = new Float64Array(k);
  const p = new Float64Array(k);
  const ap = new Float64Array(k);
  // A v = YᵀY v + Σ (c − 1)(y·v) y + λ v, into result.
  const multiply = (start: number, end: number, v: Float64Array, result: Float64Array): void => {
    for (let f = 0; f < k; f++) {
      let sum = reg * v[f];
      const row = f * k;
      for (let g = 0; g < k; g++) sum += gram[row + g] * v[g];
      result[f] = sum;
    }
    for (let q = start; q < end; q++) {
      const offset = other[q] * k;
      let dotProduct = 0;
      for (let f = 0; f < k; f++) dotProduct += fixed[offset + f] * v[f];
      const weight = (confidence[q] - 1) * dotProduct;
      for (let f = 0; f < k; f++) result[f] += weight * fixed[offset + f];
    }
  };
  for (let row = from; row < to; row++) {
    const start = ptr[row];
    const end = ptr[row + 1];
    const offset = row * k;
    if (start === end) {
      for (let f = 0; f < k; f++) out[offset + f] = 0;
      continue;
    }
    for (let f = 0; f < k; f++) x[f] = out[offset + f];
    multiply(start, end, x, ap);
    // r = b − A x, b = Σ c_j y_j
    for (let f = 0; f < k; f++) r[f] = -ap[f];
    for (let q = start; q < end; q++) {
      const yo = other[q] * k;
      const c = confidence[q];
      for (let f = 0; f < k; f++) r[f] += c * fixed[yo + f];
    }
    let rsOld = 0;
    for (let f = 0; f < k; f++) {
      p[f] = r[f];
      rsOld += r[f] * r[f];
    }
    for (let step = 0; step < steps && rsOld > 1e-20; step++) {
      multiply(start, end, p, ap);
      let pAp = 0;
      for (let f = 0; f < k; f++) pAp += p[f] * ap[f];
      if (!(pAp > 0)) break;
      const alpha = rsOld / pAp;
      let rsNew = 0;
      for (let f = 0; f < k; f++) {
        x[f] += alpha * p[f];
        r[f] -= alpha * ap[f];
        rsNew += r[f] * r[f];
      }
      const beta = rsNew / rsOld;
      for (let f = 0; f < k; f++) p[f] = r[f] + beta * p[f];
      rsOld = rsNew;
    }
    for (let f = 0; f < k; f++) out[offset + f] = x[f];
  }
}
