/**
 * The WebAssembly SGD kernel (src/recsys/wasm/sgdSteps.ts) against the equations of sgd.ts
 * written out in plain loops, in the kernel's precision (factors single, biases and the error
 * double; Math.fround after each single operation): svd and SVD++, user order and shuffled
 * order, factor counts that fill the kernel's 32-byte rows and that leave padding (#14).
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

const fr = Math.fround;

/** sgd.ts's training, one rating (or one user, SVD++) at a time in scalar loops. */
function reference(matrix: RatingMatrix, s: Settings, seed: number, implicit: boolean) {
  const k = s.factors;
  const [lr, reg, lrB, regB] = [
    fr(s.learningRate),
    fr(s.regularization),
    s.biasLearningRate,
    s.biasRegularization,
  ];
  const random = new Random(seed);
  const { users, items, userPtr, userItems, userRatings } = matrix;
  const mu = matrix.globalMean;
  const normals = (n: number) =>
    Float32Array.from({ length: n }, () => random.normal(0, s.initStd));
  const pu = normals(users * k);
  const qi = normals(items * k);
  const y = implicit ? normals(items * k) : new Float32Array(0);
  const bu = new Float64Array(users);
  const bi = new Float64Array(items);
  const step = (
    u: number,
    p: number,
    z: Float32Array | null,
    g: Float32Array | null,
    scale = 0,
  ) => {
    const i = userItems[p];
    // Two chains of four lanes: factor f in chain ⌊(f mod 8) / 4⌋, lane f mod 4.
    const chains = [new Float32Array(4), new Float32Array(4)];
    for (let f = 0; f < k; f++) {
      const zf = z ? fr(pu[u * k + f] + z[f]) : pu[u * k + f];
      const chain = chains[(f % 8) >> 2];
      chain[f % 4] = fr(chain[f % 4] + fr(zf * qi[i * k + f]));
    }
    const l = chains[0].map((value, lane) => fr(value + chains[1][lane]));
    const e = userRatings[p] - (mu + bu[u] + bi[i] + (l[0] + l[1] + (l[2] + l[3])));
    bu[u] += lrB * (e - regB * bu[u]);
    bi[i] += lrB * (e - regB * bi[i]);
    const [e32, es32] = [fr(e), fr(e * scale)];
    for (let f = 0; f < k; f++) {
      const [pf, qf] = [pu[u * k + f], qi[i * k + f]];
      if (g) g[f] = fr(g[f] + fr(es32 * qf));
      const zf = z ? fr(pf + z[f]) : pf;
      pu[u * k + f] = fr(pf + fr(lr * fr(fr(e32 * qf) - fr(reg * pf))));
      qi[i * k + f] = fr(qf + fr(lr * fr(fr(e32 * zf) - fr(reg * qf))));
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
      const z = new Float32Array(k);
      const g = new Float32Array(k);
      for (let p = from; p < to; p++) for (let f = 0; f < k; f++) z[f] += y[userItems[p] * k + f];
      for (let f = 0; f < k; f++) z[f] *= fr(scale);
      for (let p = from; p < to; p++) step(u, p, z, g, scale);
      const penalty = fr(s.regularization * (to - from));
      for (let p = from; p < to; p++)
        for (let f = 0; f < k; f++) {
          const at = userItems[p] * k + f;
          y[at] = fr(y[at] + fr(lr * fr(g[f] - fr(penalty * y[at]))));
        }
    }
  }
  return { pu, qi, y, bu, bi };
}

/** The same numbers: the reference makes every rounding the kernel makes, in the same order. */
function assertSame(
  actual: Float64Array,
  expected: Float32Array | Float64Array,
  what: string,
): void {
  assert.equal(actual.length, expected.length, what);
  let worst = 0;
  for (let x = 0; x < actual.length; x++)
    worst = Math.max(worst, Math.abs(actual[x] - expected[x]));
  assert.equal(worst, 0, `${what}: differs by ${worst}`);
}

for (const algorithm of ['svd', 'svdpp'] as const)
  for (const order of ['user', 'shuffle'] as const)
    for (const factors of [5, 8, 12]) {
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
        assertSame(model.f.userFactors, expected.pu, 'p');
        assertSame(model.f.itemFactors, expected.qi, 'q');
        assertSame(model.f.userBias, expected.bu, 'b_u');
        assertSame(model.f.itemBias, expected.bi, 'b_i');
        if (algorithm === 'svdpp') assertSame(model.f.implicitFactors!, expected.y, 'y');
        // Learning happened: the factors moved away from their initial draws.
        const initial = new Random(11);
        assert.notEqual(model.f.userFactors[0], initial.normal(0, 0.2));
      });
    }
