/** Hand-computed first steps of every algorithm on tiny data. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitAlgorithm, RatingMatrix, type BaseModel } from '../../src/recsys/index.ts';
import type { FactorModel } from '../../src/recsys/algorithms/factors.ts';
import { Random, shuffledIndices } from '../../src/util/random.ts';
import { selectRatings } from '../../src/datasets/dataset.ts';
import { Accumulator, fitKnn } from '../../src/recsys/algorithms/neighbours.ts';
import { ratingsOf, syntheticRatings } from './helpers.ts';

const close = (actual: number, expected: number, tolerance = 1e-9, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} is not ${expected}`);

// u0: i0=5, i1=3; u1: i0=4, i2=2; u2: i1=1, i2=3 (users 1..3, movies 11..13); μ = 3
const tiny = ratingsOf('1:11:5 1:12:3 2:11:4 2:13:2 3:12:1 3:13:3');

test('bias: one pass of damped means', () => {
  const model = fitAlgorithm('bias', tiny, { itemDamping: 1, userDamping: 2, iterations: 1 });
  const b = model.core.baseline;
  close(b.globalMean, 3);
  // b_i = Σ(r − μ) / (n_i + 1)
  close(b.itemBias[0], 3 / 3);
  close(b.itemBias[1], -2 / 3);
  close(b.itemBias[2], -1 / 3);
  // b_u = Σ(r − μ − b_i) / (n_u + 2)
  close(b.userBias[0], (1 + 2 / 3) / 4);
  close(b.userBias[1], (0 - 2 / 3) / 4);
  close(b.userBias[2], (-4 / 3 + 1 / 3) / 4);
  close(model.predict(0, 2), 3 + 5 / 12 - 1 / 3);
  // Unknown user: μ + b_i; unknown item: μ + b_u.
  close(model.predict(-1, 0), 4);
  close(model.predict(model.userIndexOf(99), model.itemIndexOf(13)), 3 - 1 / 3);
  close(model.predict(0, -1), 3 + 5 / 12);
});

/** One SGD epoch from zero factors: only the biases move, so the first epoch can be worked by hand. */
const FIRST_EPOCH_FROM_ZERO = {
  factors: 2,
  epochs: 1,
  learningRate: 0.1,
  regularization: 0.5,
  biasLearningRate: 0.1,
  biasRegularization: 0.5,
  initStd: 0,
};

test('svd: the first epoch of SGD from zero factors (biases only move)', () => {
  const model = fitAlgorithm('svd', tiny, FIRST_EPOCH_FROM_ZERO) as FactorModel;
  // Ratings user by user: (u0,i0,5) (u0,i1,3) (u1,i0,4) (u1,i2,2) (u2,i1,1) (u2,i2,3), worked by hand.
  close(model.f.userBias[0], 0.17, 1e-12, 'b_u0');
  close(model.f.userBias[1], -0.032, 1e-12, 'b_u1');
  close(model.f.userBias[2], -0.1575, 1e-12, 'b_u2');
  close(model.f.itemBias[0], 0.27, 1e-12, 'b_i0');
  close(model.f.itemBias[1], -0.217, 1e-12, 'b_i1');
  close(model.f.itemBias[2], -0.072, 1e-12, 'b_i2');
  close(model.predict(0, 2), 3 + 0.17 - 0.072, 1e-12);
});

test('svd: one SGD step on one rating moves the factors by the gradient', () => {
  const one = ratingsOf([[1, 11, 5]]);
  const lr = 0.05;
  const reg = 0.1;
  const model = fitAlgorithm(
    'svd',
    one,
    {
      factors: 1,
      epochs: 1,
      learningRate: lr,
      regularization: reg,
      biasLearningRate: lr,
      biasRegularization: reg,
      initStd: 0.3,
    },
    { seed: 9 },
  ) as FactorModel;
  const random = new Random(9); // the initial factors: users first, then items
  // The factors are single precision (sgdSteps.ts): within a single's rounding of the doubles.
  const p0 = random.normal(0, 0.3);
  const q0 = random.normal(0, 0.3);
  const error = 5 - (5 + p0 * q0); // μ = 5
  close(model.f.userBias[0], lr * error, 1e-8);
  close(model.f.userFactors[0], p0 + lr * (error * q0 - reg * p0), 1e-7);
  close(model.f.itemFactors[0], q0 + lr * (error * p0 - reg * q0), 1e-7);
});

test('svdpp: first epoch from zero factors matches biased SGD', () => {
  const model = fitAlgorithm('svdpp', tiny, FIRST_EPOCH_FROM_ZERO) as FactorModel;
  close(model.f.userBias[0], 0.17, 1e-12);
  close(model.f.itemBias[2], -0.072, 1e-12);
  // y_j's gradient is a multiple of q_i, which is zero here: one y per item and factor, still 0.
  assert.deepEqual(model.f.implicitFactors, new Float64Array(3 * 2));
});

// u0: i0=5, i1=4, i2=1; u1: i0=4, i1=5; u2: i0=1, i1=2, i2=5
const knnData = ratingsOf('1:11:5 1:12:4 1:13:1 2:11:4 2:12:5 3:11:1 3:12:2 3:13:5');

test('item-knn: cosine similarities over co-raters and the prediction by hand', () => {
  const model = fitAlgorithm('item-knn', knnData, { similarity: 'cosine', shrinkage: 0 });
  const s01 = 42 / Math.sqrt(42 * 45);
  const s02 = 10 / 26;
  const s12 = 14 / Math.sqrt(20 * 26);
  const similar = model.similarItems(0, 5);
  assert.deepEqual(
    similar.map((s) => s.movieId),
    [12, 13],
  );
  close(similar[0].score, s01, 1e-6);
  close(similar[1].score, s02, 1e-6);
  // r̂(u1, i2) = b(u1,i2) + [s02 (4 − b(u1,i0)) + s12 (5 − b(u1,i1))] / (s02 + s12)
  const b = model.core.baseline;
  const base = (u: number, i: number): number => b.globalMean + b.userBias[u] + b.itemBias[i];
  const expected = base(1, 2) + (s02 * (4 - base(1, 0)) + s12 * (5 - base(1, 1))) / (s02 + s12);
  close(model.predict(1, 2), Math.min(5, Math.max(1, expected)), 1e-6);
  // With one neighbour only the most similar rated item counts.
  const one = fitAlgorithm('item-knn', knnData, {
    similarity: 'cosine',
    shrinkage: 0,
    neighbours: 1,
  });
  close(one.predict(1, 2), Math.min(5, Math.max(1, base(1, 2) + (5 - base(1, 1)))), 1e-6);
  // The explanation of i2 for u1 names the rated items that pushed the prediction up.
  const explanation = model.explain(1, 2);
  for (const e of explanation) assert.ok([11, 12].includes(e.movieId) && e.score > 0);
});

test('item-knn: shrinkage and pearson-baseline similarity', () => {
  const model = fitAlgorithm('item-knn', knnData, { similarity: 'pearson-baseline', shrinkage: 2 });
  const b = model.core.baseline;
  const residual = (u: number, i: number, r: number): number =>
    r - b.globalMean - b.userBias[u] - b.itemBias[i];
  // items 0 and 1, co-rated by all three users
  const x = [residual(0, 0, 5), residual(1, 0, 4), residual(2, 0, 1)];
  const y = [residual(0, 1, 4), residual(1, 1, 5), residual(2, 1, 2)];
  const dotProduct = x.reduce((s, v, k) => s + v * y[k], 0);
  const raw =
    dotProduct / Math.sqrt(x.reduce((s, v) => s + v * v, 0) * y.reduce((s, v) => s + v * v, 0));
  const shrunk = (raw * (3 - 1)) / (3 - 1 + 2);
  const found = model.similarItems(0, 5).find((s) => s.movieId === 12);
  if (shrunk > 0) close(found?.score ?? NaN, shrunk, 1e-6);
  else assert.equal(found, undefined);
});

test('user-knn: cosine similarity and the prediction by hand', () => {
  const model = fitAlgorithm('user-knn', knnData, { similarity: 'cosine', shrinkage: 0 });
  // u1 did not rate i2; its neighbours who did: u0 (s = 40/41) and u2 (s = (4+10)/sqrt(41·5)).
  const s10 = 40 / 41;
  const s12 = (4 * 1 + 5 * 2) / Math.sqrt((16 + 25) * (1 + 4));
  const b = model.core.baseline;
  const base = (u: number, i: number): number => b.globalMean + b.userBias[u] + b.itemBias[i];
  const expected = base(1, 2) + (s10 * (1 - base(0, 2)) + s12 * (5 - base(2, 2))) / (s10 + s12);
  close(model.predict(1, 2), Math.min(5, Math.max(1, expected)), 1e-6);
});

test('als: after one iteration every item solves its weighted-λ least squares exactly (bias penalty not weighted)', () => {
  const ratings = syntheticRatings(30, 20, 8);
  const reg = 0.1;
  const biasReg = 0.5;
  const model = fitAlgorithm(
    'als',
    ratings,
    {
      factors: 3,
      iterations: 1,
      regularization: reg,
      biasRegularization: biasReg,
      solver: 'cholesky',
    },
    { threads: 1 },
  ) as FactorModel;
  const matrix = RatingMatrix.fromRatings(ratings);
  const { userFactors: p, itemFactors: q, userBias, itemBias, globalMean } = model.f;
  for (let i = 0; i < matrix.items; i++) {
    const n = matrix.itemCount(i);
    const gradient = [0, 0, 0, 0];
    for (let e = matrix.itemPtr[i]; e < matrix.itemPtr[i + 1]; e++) {
      const u = matrix.itemUsers[e];
      let prediction = globalMean + userBias[u] + itemBias[i];
      for (let f = 0; f < 3; f++) prediction += p[u * 3 + f] * q[i * 3 + f];
      const error = matrix.itemRatings[e] - prediction;
      for (let f = 0; f < 3; f++) gradient[f] += error * p[u * 3 + f];
      gradient[3] += error;
    }
    for (let f = 0; f < 3; f++)
      close(gradient[f] - reg * n * q[i * 3 + f], 0, 1e-8, `item ${i} factor ${f}`);
    close(gradient[3] - biasReg * itemBias[i], 0, 1e-8, `item ${i} bias`);
  }
});

test('ials: with enough CG steps the item rows solve the implicit normal equations', () => {
  const ratings = syntheticRatings(25, 15, 6);
  const reg = 0.5;
  const alpha = 3;
  const model = fitAlgorithm(
    'ials',
    ratings,
    { factors: 2, iterations: 1, regularization: reg, alpha, cgSteps: 20 },
    { threads: 1 },
  ) as FactorModel;
  const matrix = RatingMatrix.fromRatings(ratings);
  const { userFactors: x, itemFactors: y } = model.f;
  for (let i = 0; i < matrix.items; i++) {
    // Σ_u c_ui (p_ui − x_uᵀy_i) x_u − λ y_i = 0, c = 1 + α for rated (p = 1), 1 otherwise (p = 0)
    const rated = new Set(
      Array.from(matrix.itemUsers.subarray(matrix.itemPtr[i], matrix.itemPtr[i + 1])),
    );
    const gradient = [0, 0];
    for (let u = 0; u < matrix.users; u++) {
      const score = x[u * 2] * y[i * 2] + x[u * 2 + 1] * y[i * 2 + 1];
      const c = rated.has(u) ? 1 + alpha : 1;
      const preference = rated.has(u) ? 1 : 0;
      for (let f = 0; f < 2; f++) gradient[f] += c * (preference - score) * x[u * 2 + f];
    }
    for (let f = 0; f < 2; f++) close(gradient[f] - reg * y[i * 2 + f], 0, 1e-6, `item ${i}`);
  }
});

test('ease: B from the inverse of XᵀX + λI, by hand', () => {
  // X: u0 {i0,i1}, u1 {i1,i2}, u2 {i0,i1,i2}; λ = 1 → P = [[.5,−.25,0],[−.25,.5,−.25],[0,−.25,.5]]
  const data = ratingsOf('1:11:4 1:12:4 2:12:3 2:13:5 3:11:2 3:12:1 3:13:5');
  const model = fitAlgorithm('ease', data, { lambda: 1 }) as BaseModel & { weights: Float32Array };
  const expected = [0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0];
  for (let k = 0; k < 9; k++) close(model.weights[k], expected[k], 1e-6, `B[${k}]`);
  const me = model.foldIn([{ movieId: 11, rating: 5 }]);
  assert.deepEqual(
    model.recommend(me, 1).map((s) => s.movieId),
    [12],
  );
  close(model.scoreAll(0)[2], 0.5, 1e-6);
  assert.equal(model.kind, 'ranking');
});

test('popular: counts of ratings, optionally at or above a threshold', () => {
  const model = fitAlgorithm('popular', knnData, {});
  assert.deepEqual([...model.scoreAll(-1)].slice(0), [3, 3, 2]);
  const liked = fitAlgorithm('popular', knnData, { minRating: 4 });
  assert.deepEqual([...liked.scoreAll(0)], [2, 2, 1]);
  assert.deepEqual(
    liked.recommend(-1, 3).map((s) => s.movieId),
    [11, 12, 13],
  );
});

test('blend: with one member the weights are the least-squares line through its held-out predictions', () => {
  const ratings = syntheticRatings(40, 30, 12);
  const model = fitAlgorithm(
    'blend',
    ratings,
    { members: 'bias', ridge: 0, validationShare: 0.2 },
    { seed: 5 },
  ) as BaseModel & { weights: Float64Array; members: BaseModel[] };
  // Recreate the split and the member fitted without the held-out ratings.
  const order = shuffledIndices(ratings.length, new Random(5 + 7919));
  const held = Math.floor(ratings.length * 0.2);
  const validation = selectRatings(ratings, order.subarray(0, held));
  const member = fitAlgorithm(
    'bias',
    selectRatings(ratings, order.subarray(held)),
    {},
    { seed: 5 },
  );
  const x = Array.from(member.predictMany(validation.userIndex, validation.itemIndex));
  const y = Array.from(validation.rating);
  const meanX = x.reduce((s, v) => s + v, 0) / x.length;
  const meanY = y.reduce((s, v) => s + v, 0) / y.length;
  const slope =
    x.reduce((s, v, k) => s + (v - meanX) * (y[k] - meanY), 0) /
    x.reduce((s, v) => s + (v - meanX) ** 2, 0);
  close(model.weights[1], slope, 1e-6, 'slope');
  close(model.weights[0], meanY - slope * meanX, 1e-6, 'intercept');
  // The final member is refitted on all ratings.
  close(
    model.predict(0, 0),
    Math.min(5, Math.max(1, model.weights[0] + model.weights[1] * model.members[0].predict(0, 0))),
    1e-9,
  );
});

test('item-knn: scoring all items at once equals predicting each item', () => {
  const ratings = syntheticRatings(50, 40, 20);
  for (const neighbours of [3, 40]) {
    const model = fitAlgorithm('item-knn', ratings, { neighbours, modelSize: 15 });
    for (const u of [0, 7, 33]) {
      const all = model.scoreAll(u);
      const view = model.view(u);
      for (let i = 0; i < 40; i++)
        close(all[i], model.estimate(view, i), 1e-9, `u${u} i${i} k${neighbours}`);
    }
  }
});

test('k-NN neighbour lists are exactly the definition, pair by pair (#14)', () => {
  const matrix = RatingMatrix.fromRatings(syntheticRatings(120, 80, 25));
  for (const itemBased of [true, false]) {
    for (const [similarity, shrinkage] of [
      ['pearson-baseline', 100],
      ['cosine', 0],
    ] as const) {
      const modelSize = 15;
      const params = { similarity, shrinkage, modelSize, neighbours: 10, minNeighbours: 1 };
      const { baseline, neighbours } = fitKnn(matrix, params, itemBased);
      // Each row's residual vector over the other axis (ascending), as the definition reads it.
      const rows = itemBased ? matrix.items : matrix.users;
      const vectors: Array<Map<number, number>> = Array.from({ length: rows }, () => new Map());
      for (let u = 0; u < matrix.users; u++) {
        for (let p = matrix.userPtr[u]; p < matrix.userPtr[u + 1]; p++) {
          const i = matrix.userItems[p];
          const r = matrix.userRatings[p];
          const x =
            similarity === 'cosine'
              ? r
              : r - baseline.globalMean - baseline.userBias[u] - baseline.itemBias[i];
          if (itemBased) vectors[i].set(u, x);
          else vectors[u].set(i, x);
        }
      }
      const what = `${itemBased ? 'item' : 'user'}-knn ${similarity}`;
      let listed = 0;
      for (let a = 0; a < rows; a++) {
        const scored: Array<{ c: number; s: number }> = [];
        for (let c = 0; c < rows; c++) {
          if (c === a) continue;
          const [low, high] = a < c ? [vectors[a], vectors[c]] : [vectors[c], vectors[a]];
          let xy = 0;
          let xx = 0;
          let yy = 0;
          let n = 0;
          for (const [b, x] of [...low].sort((p, q) => p[0] - q[0])) {
            const y = high.get(b);
            if (y === undefined) continue;
            xy += x * y;
            xx += x * x;
            yy += y * y;
            n++;
          }
          if (n === 0) continue;
          const denominator = Math.sqrt(xx * yy);
          const s =
            (denominator > 0 ? xy / denominator : 0) *
            (shrinkage > 0 ? (n - 1) / (n - 1 + shrinkage) : 1);
          if (s > 0) scored.push({ c, s });
        }
        scored.sort((p, q) => q.s - p.s || p.c - q.c);
        const expected = scored.slice(0, modelSize);
        const from = neighbours.ptr[a];
        const to = neighbours.ptr[a + 1];
        assert.deepEqual(
          Array.from(neighbours.index.subarray(from, to)),
          expected.map((e) => e.c),
          `${what}: row ${a}`,
        );
        assert.deepEqual(
          neighbours.similarity.subarray(from, to),
          Float32Array.from(expected, (e) => e.s),
          `${what}: row ${a}`,
        );
        listed += to - from;
      }
      // Rows were cut at modelSize: the selection, not only the similarities, was checked.
      assert.ok(listed > 0 && listed <= rows * modelSize, what);
      assert.ok(
        Array.from({ length: rows }, (_, a) => neighbours.ptr[a + 1] - neighbours.ptr[a]).some(
          (length) => length === modelSize,
        ),
        what,
      );
    }
  }
});

test('a fold-in’s best neighbours skip the candidates that cannot enter, and equal scoring all (#14)', () => {
  const random = new Random(5);
  const others = 3000;
  // Lists of co-raters as a popular catalog gives them: many entities share one or two entries.
  const lists = Array.from({ length: 40 }, () => {
    const size = 50 + Math.floor(random.next() * 1500);
    const members = [
      ...new Set(Array.from({ length: size }, () => Math.floor(random.next() * others))),
    ];
    members.sort((a, b) => a - b);
    return {
      other: Int32Array.from(members),
      y: Float64Array.from(members, () => Math.round((random.next() * 4 - 2) * 2) / 2),
      x: Math.round((random.next() * 4 - 2) * 2) / 2,
    };
  });
  const accumulator = new Accumulator(others);
  for (const shrinkage of [0, 10, 100]) {
    for (const modelSize of [1, 7, 60, 5000]) {
      // By the definition: every co-rater scored, the best modelSize kept (ties: lower index).
      const sums = new Map<number, { xy: number; xx: number; yy: number; n: number }>();
      for (const { other, y, x } of lists) {
        other.forEach((b, q) => {
          const sum = sums.get(b) ?? { xy: 0, xx: 0, yy: 0, n: 0 };
          sum.xy += x * y[q];
          sum.xx += x * x;
          sum.yy += y[q] * y[q];
          sum.n++;
          sums.set(b, sum);
        });
      }
      const scored = [...sums]
        .map(([b, { xy, xx, yy, n }]) => ({
          b,
          s:
            (xx * yy > 0 ? xy / Math.sqrt(xx * yy) : 0) *
            (shrinkage > 0 ? (n - 1) / (n - 1 + shrinkage) : 1),
        }))
        .filter(({ s }) => s > 0)
        .sort((p, q) => q.s - p.s || p.b - q.b)
        .slice(0, modelSize);
      for (const { other, y, x } of lists) accumulator.add(x, 0, other.length, other, y);
      const { index, similarity } = accumulator.take(shrinkage, modelSize);
      const what = `shrinkage ${shrinkage}, ${modelSize} kept`;
      assert.deepEqual(
        [...index],
        scored.map(({ b }) => b),
        what,
      );
      scored.forEach(({ s }, n) => assert.ok(Math.abs(similarity[n] - s) < 1e-12, what));
      assert.ok(
        accumulator.count.every((n) => n === 0),
        `${what}: reset`,
      );
    }
  }
});
