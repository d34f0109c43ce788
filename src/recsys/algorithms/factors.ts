/**
 * Biased matrix factorization models share one prediction rule,
 *   r̂_ui = μ + b_u + b_i + q_iᵀ z_u,
 * where z_u is the user's factor vector (for SVD++ p_u plus the implicit term
 * |N(u)|^−½ Σ_{j∈N(u)} y_j). This file holds that model; sgd.ts and als.ts train it.
 *
 * Fold-in keeps every item parameter fixed and solves the user's part exactly:
 *   min over b_u, p_u of Σ_{i∈R(u)} (r_ui − μ − b_i − b_u − q_iᵀ(p_u + imp_u))²
 *                        + n_u · regularization · |p_u|² + w_u · biasRegularization · b_u²
 * (weighted-λ, the objective both SGD and ALS minimize for one user; w_u = n_u for SGD, whose
 * penalty applies once per rating, and 1 for ALS): a (k+1)×(k+1) Cholesky solve of the normal
 * equations, or the same least squares through its n×n dual when that is cheaper (few ratings).
 * A member folded in again after a change (foldIn's `previous`) updates the kept Gram matrix of
 * the normal equations by the items that changed rather than rebuilding it.
 */
import { choleskySolve, dot } from '../linalg.ts';
import { RowDots } from '../wasm/rowDots.ts';
import { BaseModel } from '../model.ts';
import type { FoldedUser, ModelCore, ModelParts, UserView } from '../modelTypes.ts';

export interface FactorArrays {
  factors: number;
  globalMean: number;
  userBias: Float64Array;
  itemBias: Float64Array;
  /** users × factors, row-major. */
  userFactors: Float64Array;
  /** items × factors, row-major. */
  itemFactors: Float64Array;
  /** SVD++ implicit item factors (items × factors), or null. */
  implicitFactors: Float64Array | null;
  /** Regularization used by fold-in (see above). */
  regularization: number;
  biasRegularization: number;
  /** Whether the bias penalty is multiplied by the user's rating count (SGD) or not (ALS). */
  biasPenaltyPerRating: boolean;
}

/** q[offset..offset+k) · state[1..k], even and odd terms summed apart (as the scoreInto kernel does). */
function itemDot(q: Float64Array, offset: number, state: Float64Array, k: number): number {
  let s0 = 0;
  let s1 = 0;
  let f = 0;
  for (; f + 1 < k; f += 2) {
    s0 += q[offset + f] * state[1 + f];
    s1 += q[offset + f + 1] * state[2 + f];
  }
  if (f < k) s0 += q[offset + f] * state[1 + f];
  return s0 + s1;
}

/** A dot product over the product of the two norms (0 for a zero vector). */
const cosine = (dot: number, norms: number): number => (norms > 0 ? dot / norms : 0);

export class FactorModel extends BaseModel {
  private itemNorms: Float64Array | null = null;
  private solveScratch: Float64Array | null = null;
  private itemRowDots: RowDots | null = null;
  /**
   * The Gram matrix behind each primal fold-in, by its result (the folded state), so that the
   * member's next fold-in takes it over and updates it by the items that changed instead of
   * rebuilding it: O(changes·k²) instead of O(n·k²) after one new rating.
   */
  private readonly grams = new WeakMap<Float64Array, { items: Int32Array; gram: Float64Array }>();

  constructor(
    core: ModelCore,
    readonly f: FactorArrays,
  ) {
    super(core);
  }

  /** [b_u, z_u] of a training user. */
  protected override userState(u: number): Float64Array {
    const k = this.f.factors;
    const state = new Float64Array(k + 1);
    state[0] = this.f.userBias[u];
    state.set(this.f.userFactors.subarray(u * k, (u + 1) * k), 1);
    if (this.f.implicitFactors) {
      const { userPtr, userItems } = this.core;
      this.addImplicit(userItems.subarray(userPtr[u], userPtr[u + 1]), state);
    }
    return state;
  }

  /** Adds |N|^−½ Σ y_j to state[1..k]. */
  private addImplicit(items: Int32Array, state: Float64Array): void {
    const y = this.f.implicitFactors;
    if (!y || items.length === 0) return;
    const k = this.f.factors;
    const scale = 1 / Math.sqrt(items.length);
    for (let n = 0; n < items.length; n++) {
      const offset = items[n] * k;
      for (let f = 0; f < k; f++) state[1 + f] += scale * y[offset + f];
    }
  }

  protected override foldState(
    items: Int32Array,
    ratings: Float32Array,
    _bias: number,
    previous: FoldedUser | null = null,
  ): Float64Array {
    const k = this.f.factors;
    const size = k + 1;
    const n = items.length;
    const implicit = new Float64Array(size);
    this.addImplicit(items, implicit);
    // The dual costs n²k/2 multiply-adds in the dot-product kernel (about a third of the time
    // of plain ones, measured) plus n³/6 for its Cholesky; the primal (k+1)³/6 for its Cholesky
    // plus (k+1)²/2 per item added to its Gram matrix: all n items the first time, then only the
    // changed ones while each fold-in hands the Gram to the next. A member folded in again
    // (previous given) will likely be again, so the primal is costed as after one change.
    const gramItems = previous ? 1 : n;
    const dualCost = (n * n * k) / 6 + (n * n * n) / 6;
    const primalCost = (gramItems * size * size) / 2 + (size * size * size) / 6;
    if (n > 0 && dualCost < primalCost) return this.foldDual(items, ratings, implicit);
    const gram = this.takeGram(previous, items);
    const q = this.f.itemFactors;
    // The Cholesky factor overwrites its matrix: a scratch copy, reused (fold-ins are synchronous).
    if (this.solveScratch?.length !== gram.length)
      this.solveScratch = new Float64Array(gram.length);
    const a = this.solveScratch;
    a.set(gram);
    const b = new Float64Array(size);
    for (let r = 0; r < n; r++) {
      const offset = items[r] * k;
      const target = this.residual(items[r], ratings[r], implicit);
      b[0] += target;
      for (let f = 0; f < k; f++) b[1 + f] += target * q[offset + f];
    }
    const count = Math.max(1, n);
    a[0] += (this.f.biasPenaltyPerRating ? count : 1) * this.f.biasRegularization + 1e-12;
    for (let f = 1; f < size; f++) a[f * size + f] += count * this.f.regularization + 1e-12;
    if (n === 0 || !choleskySolve(a, b, size)) b.fill(0);
    for (let f = 1; f < size; f++) b[f] += implicit[f];
    this.grams.set(b, { items, gram });
    return b;
  }

  /**
   * Lower triangle of Σ x xᵀ over the items, x = [1, q_i] (the normal equations' data part):
   * the one kept by the previous fold-in, moved to this one and updated by the items that
   * changed (rank-one updates), else built anew.
   */
  private takeGram(previous: FoldedUser | null, items: Int32Array): Float64Array {
    const kept = previous?.state;
    const earlier = kept ? this.grams.get(kept) : undefined;
    if (!kept || !earlier) {
      const gram = new Float64Array((this.f.factors + 1) ** 2);
      for (let n = 0; n < items.length; n++) this.addToGram(gram, items[n], 1);
      return gram;
    }
    this.grams.delete(kept);
    const { gram, items: before } = earlier;
    let p = 0;
    let n = 0;
    // Both lists are sorted by item index.
    while (p < before.length || n < items.length) {
      if (n === items.length || (p < before.length && before[p] < items[n]))
        this.addToGram(gram, before[p++], -1);
      else if (p === before.length || items[n] < before[p]) this.addToGram(gram, items[n++], 1);
      else {
        p++;
        n++;
      }
    }
    return gram;
  }

  /** gram += sign · x xᵀ (lower triangle) for x = [1, q_item]. */
  private addToGram(gram: Float64Array, item: number, sign: number): void {
    const k = this.f.factors;
    const size = k + 1;
    const q = this.f.itemFactors;
    const offset = item * k - 1;
    gram[0] += sign;
    for (let r = 1; r < size; r++) {
      const xr = sign * q[offset + r];
      const row = r * size;
      gram[row] += xr;
      for (let c = 1; c <= r; c++) gram[row + c] += xr * q[offset + c];
    }
  }

  /** What the member's own parameters must explain of a rating: r − μ − b_i − q_iᵀ·imp (SVD++). */
  private residual(item: number, rating: number, implicit: Float64Array): number {
    const { factors: k, itemFactors: q, itemBias, globalMean } = this.f;
    const shift = this.f.implicitFactors ? dot(q, item * k, implicit, 1, k) : 0;
    return rating - globalMean - itemBias[item] - shift;
  }

  /**
   * The same least squares through its n×n dual when the member has fewer ratings n than
   * unknowns (k + 1): with rows x = [1, q_i] and D the diagonal penalty,
   * (D + XᵀX)⁻¹Xᵀt = D⁻¹Xᵀ(I + XD⁻¹Xᵀ)⁻¹t (Woodbury), an n×n instead of a (k+1)² solve.
   */
  private foldDual(items: Int32Array, ratings: Float32Array, implicit: Float64Array): Float64Array {
    const k = this.f.factors;
    const n = items.length;
    const q = this.f.itemFactors;
    const biasPenalty = (this.f.biasPenaltyPerRating ? n : 1) * this.f.biasRegularization + 1e-12;
    const penalty = n * this.f.regularization + 1e-12;
    const g = new Float64Array(n * n);
    const t = new Float64Array(n);
    // Row r of the lower triangle (all choleskySolve reads): q_r · q_c for c ≤ r in one kernel call.
    const rows = this.itemRows();
    for (let r = 0; r < n; r++) {
      const offset = items[r] * k;
      t[r] = this.residual(items[r], ratings[r], implicit);
      const dots = rows.some(items.subarray(0, r + 1), q, offset);
      for (let c = 0; c <= r; c++) g[r * n + c] = 1 / biasPenalty + dots[c] / penalty;
      g[r * n + r] += 1;
    }
    const state = new Float64Array(k + 1);
    if (!choleskySolve(g, t, n)) t.fill(0);
    for (let r = 0; r < n; r++) {
      const offset = items[r] * k;
      state[0] += t[r] / biasPenalty;
      for (let f = 0; f < k; f++) state[1 + f] += (t[r] * q[offset + f]) / penalty;
    }
    for (let f = 1; f <= k; f++) state[f] += implicit[f];
    return state;
  }

  protected scoreOne(user: UserView, item: number): number {
    const k = this.f.factors;
    const state = user.state;
    if (!state) return this.baselineOf(user, item);
    return (
      this.f.globalMean +
      state[0] +
      this.f.itemBias[item] +
      itemDot(this.f.itemFactors, item * k, state, k)
    );
  }

  /**
   * scoreOne for every item: the dot products run in the WebAssembly kernel (rowDots.ts), which
   * sums them exactly as itemDot does, so the scores are bit-identical.
   */
  protected override scoreInto(user: UserView, out: Float64Array): void {
    const state = user.state;
    if (!state) {
      for (let i = 0; i < this.items; i++) out[i] = this.baselineOf(user, i);
      return;
    }
    const { itemBias, globalMean } = this.f;
    const base = globalMean + state[0];
    const dots = this.itemRows().all(state, 1);
    for (let i = 0; i < this.items; i++) out[i] = base + itemBias[i] + dots[i];
  }

  /** The item factors in the dot-product kernel (copied there on first use). */
  private itemRows(): RowDots {
    this.itemRowDots ??= new RowDots(this.f.itemFactors, this.items, this.f.factors);
    return this.itemRowDots;
  }

  private norms(): Float64Array {
    if (this.itemNorms) return this.itemNorms;
    const k = this.f.factors;
    const norms = new Float64Array(this.items);
    for (let i = 0; i < this.items; i++)
      norms[i] = Math.sqrt(dot(this.f.itemFactors, i * k, this.f.itemFactors, i * k, k));
    this.itemNorms = norms;
    return norms;
  }

  /** Cosine of item factor vectors. */
  protected override itemSimilarity(i: number, j: number): number {
    const k = this.f.factors;
    const norms = this.norms();
    return cosine(
      dot(this.f.itemFactors, i * k, this.f.itemFactors, j * k, k),
      norms[i] * norms[j],
    );
  }

  protected override similarityRow(i: number, out: Float64Array): void {
    const norms = this.norms();
    const dots = this.itemRows().all(this.f.itemFactors, i * this.f.factors);
    for (let j = 0; j < this.items; j++) out[j] = cosine(dots[j], norms[i] * norms[j]);
  }

  /** itemSimilarity to each of the others, in one kernel call. */
  protected override similaritiesTo(item: number, others: Int32Array): Float64Array {
    const norms = this.norms();
    const dots = this.itemRows().some(others, this.f.itemFactors, item * this.f.factors);
    const out = new Float64Array(others.length);
    for (let t = 0; t < out.length; t++) out[t] = cosine(dots[t], norms[item] * norms[others[t]]);
    return out;
  }

  protected parts(): ModelParts {
    const arrays: ModelParts['arrays'] = {
      userBias: this.f.userBias,
      itemBias: this.f.itemBias,
      userFactors: this.f.userFactors,
      itemFactors: this.f.itemFactors,
    };
    if (this.f.implicitFactors) arrays.implicitFactors = this.f.implicitFactors;
    return {
      arrays,
      fields: {
        factors: this.f.factors,
        globalMean: this.f.globalMean,
        regularization: this.f.regularization,
        biasRegularization: this.f.biasRegularization,
        biasPenaltyPerRating: this.f.biasPenaltyPerRating,
      },
    };
  }

  static restoreFactors(core: ModelCore, parts: ModelParts): FactorModel {
    const a = parts.arrays;
    return new FactorModel(core, {
      factors: Number(parts.fields.factors),
      globalMean: Number(parts.fields.globalMean),
      regularization: Number(parts.fields.regularization),
      biasRegularization: Number(parts.fields.biasRegularization),
      biasPenaltyPerRating: parts.fields.biasPenaltyPerRating === true,
      userBias: a.userBias as Float64Array,
      itemBias: a.itemBias as Float64Array,
      userFactors: a.userFactors as Float64Array,
      itemFactors: a.itemFactors as Float64Array,
      implicitFactors: (a.implicitFactors as Float64Array | undefined) ?? null,
    });
  }
}
