/**
 * The WebAssembly SGD kernel (src/recsys/wasm/sgdSteps.ts) against the equations of sgd.ts
 * written out in plain loops: svd and SVD++, user order and shuffled order, factor counts that
 * fill the kernel's 32-byte rows and that leave padding (#14).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitAlgorithm, RatingMatrix } from '../../src/recsys/index.ts';
import type { FactorModel } from '../../src/recsys/algorithms/factors.ts';
import { Random } from '../../src/util/random.ts';
import { syntheticRatings } from './helpers.ts';

interface Settings {
  factors: number;
  epochs: number;
  learningRate: number;
  regularization: number;
  biasLearningRate: number;
  biasRegularization: number;
  initStd: number;
  order: 'user' | 'shuffle';
}

/** sgd.ts's training, one rating (or one user, SVD++) at a time in scalar loops. */
function reference(matrix: RatingMatrix, s: Settings, seed: number, implicit: boolean) {
  const k = s.factors;
  const [lr, reg, lrB, regB] = [
    s.learningRate,
    s.regularization,
    s.biasLearningRate,
    s.biasRegularization,
  ];
  const random = new Random(seed);
  const { users, items, userPtr, userItems, userRatings } = matrix;
  const mu = matrix.globalMean;
  const normals = (n: number) =>
    Float64Array.from({ length: n }, () => random.normal(0, s.initStd));
  const pu = normals(users * k);
  const qi = normals(items * k);
  const y = implicit ? normals(items * k) : new Float64Array(0);
  const bu = new Float64Array(users);
  const bi = new Float64Array(items);
  const step = (
    u: number,
    p: number,
    z: Float64Array | null,
    g: Float64Array | null,
    scale = 0,
  ) => {
    const i = userItems[p];
    let dot = 0;
    for (let f = 0; f < k; f++) dot += (pu[u * k + f] + (z ? z[f] : 0)) * qi[i * k + f];
    const e = userRatings[p] - (mu + bu[u] + bi[i] + dot);
    bu[u] += lrB * (e - regB * bu[u]);
    bi[i] += lrB * (e - regB * bi[i]);
    for (let f = 0; f < k; f++) {
      const [pf, qf] = [pu[u * k + f], qi[i * k + f]];
      if (g) g[f] += e * scale * qf;
      pu[u * k + f] = pf + lr * (e * qf - reg * pf);
      qi[i * k + f] = qf + lr * (e * (pf + (z ? z[f] : 0)) - reg * qf);
    }
  };
  const userOf = new Int32Array(matrix.length);
  for (let u = 0; u < users; u++) userOf.fill(u, userPtr[u], userPtr[u + 1]);
  const order = Int32Array.from({ length: implicit ? users : matrix.length }, (_, x) => x);
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    if (s.order === 'shuffle') random.shuffle(order);
    if (!implicit) {
      if (s.order === 'shuffle') for (const p of order) step(userOf[p], p, null, null);
      else for (let p = 0; p < matrix.length; p++) step(userOf[p], p, null, null);
      continue;
    }
    for (const u of s.order === 'shuffle' ? order : order.keys()) {
      const [from, to] = [userPtr[u], userPtr[u + 1]];
      if (from === to) continue;
      const scale = 1 / Math.sqrt(to - from);
      const z = new Float64Array(k);
      const g = new Float64Array(k);
      for (let p = from; p < to; p++) for (let f = 0; f < k; f++) z[f] += y[userItems[p] * k + f];
      for (let f = 0; f < k; f++) z[f] *= scale;
      for (let p = from; p < to; p++) step(u, p, z, g, scale);
      const penalty = reg * (to - from);
      for (let p = from; p < to; p++)
        for (let f = 0; f < k; f++) {
          const at = userItems[p] * k + f;
          y[at] += lr * (g[f] - penalty * y[at]);
        }
    }
  }
  return { pu, qi, y, bu, bi };
}

function assertClose(actual: Float64Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let worst = 0;
  for (let x = 0; x < actual.length; x++)
    worst = Math.max(worst, Math.abs(actual[x] - expected[x]));
  // The kernel adds a dot product's terms in another order: rounding, not a different method.
  assert.ok(worst < 1e-9, `${what}: differs by ${worst}`);
}

for (const algorithm of ['svd', 'svdpp'] as const)
  for (const order of ['user', 'shuffle'] as const)
    for (const factors of [4, 5, 12]) {
      test(`${algorithm} (${order} order, ${factors} factors): the kernel computes sgd.ts's equations`, () => {
        // A sparse user in the data: SVD++'s |N(u)|^-1/2 and penalty at their extremes.
        const ratings = syntheticRatings(40, 30, 9);
        const settings: Settings = {
          factors,
          epochs: 6,
          learningRate: 0.03,
          regularization: 0.05,
          biasLearningRate: 0.02,
          biasRegularization: 0.1,
          initStd: 0.2,
          order,
        };
        const model = fitAlgorithm(
          algorithm,
          ratings,
          { ...settings },
          { seed: 11 },
        ) as FactorModel;
        const expected = reference(
          RatingMatrix.fromRatings(ratings),
          settings,
          11,
          algorithm === 'svdpp',
        );
        assertClose(model.f.userFactors, expected.pu, 'p');
        assertClose(model.f.itemFactors, expected.qi, 'q');
        assertClose(model.f.userBias, expected.bu, 'b_u');
        assertClose(model.f.itemBias, expected.bi, 'b_i');
        if (algorithm === 'svdpp') assertClose(model.f.implicitFactors!, expected.y, 'y');
        // Learning happened: the factors moved away from their initial draws.
        const initial = new Random(11);
        assert.notEqual(model.f.userFactors[0], initial.normal(0, 0.2));
      });
    }
