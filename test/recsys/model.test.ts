/** The Model contract for every algorithm: reproducible, in range, saved = loaded, fold-in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ALGORITHM_NAMES,
  DEFAULT_ALGORITHM,
  fitAlgorithm,
  loadModel,
  ModelFileError,
  ParameterError,
  shareTrainingData,
  type BaseModel,
  type Params,
} from '../../src/recsys/index.ts';
import type { BlendModel } from '../../src/recsys/algorithms/blend.ts';
import type { FactorModel } from '../../src/recsys/algorithms/factors.ts';
import { RatingMatrix } from '../../src/recsys/matrix.ts';
import { serializeModel } from '../../src/recsys/serialize.ts';
import { syntheticRatings } from './helpers.ts';

const ratings = syntheticRatings();
/** Small, fast settings for the expensive algorithms. */
const QUICK: Record<string, Params> = {
  svd: { factors: 8, epochs: 5 },
  svdpp: { factors: 8, epochs: 5 },
  als: { factors: 6, iterations: 4 },
  ials: { factors: 6, iterations: 4 },
  ease: { lambda: 20 },
  'top-picks': { factors: 8, iterations: 5 },
  blend: { members: 'item-knn,svd' },
};
const fit = (name: string, seed = 3, extra: Params = {}): BaseModel =>
  fitAlgorithm(name, ratings, { ...QUICK[name], ...extra }, { seed, threads: 1 });

test('the registry has every algorithm the issue names', () => {
  assert.deepEqual([...ALGORITHM_NAMES].sort(), [
    'als',
    'bias',
    'blend',
    'ease',
    'ials',
    'item-knn',
    'popular',
    'svd',
    'svdpp',
    'top-picks',
    'user-knn',
  ]);
  assert.ok(ALGORITHM_NAMES.includes(DEFAULT_ALGORITHM));
  assert.throws(() => fitAlgorithm('nope', ratings), ParameterError);
  assert.throws(() => fitAlgorithm('svd', ratings, { factorz: 3 }), /unknown parameter "factorz"/);
  assert.throws(() => fitAlgorithm('svd', ratings, { factors: 0 }), /factors must be ≥ 1/);
  assert.throws(
    () => fitAlgorithm('item-knn', ratings, { similarity: 'jaccard' }),
    /similarity must be one of/,
  );
});

test('predictMany in shuffled order: the same as predict pair by pair, one view per user', () => {
  const model = fit('svdpp');
  const matrix = RatingMatrix.fromRatings(ratings);
  // Every user (and two unknown ones) with four items each, in a scrambled order.
  const n = (matrix.users + 2) * 4;
  const users = Int32Array.from({ length: n }, (_, k) => ((k * 7919) % (matrix.users + 2)) - 1);
  const items = Int32Array.from({ length: n }, (_, k) => (k * 31) % matrix.items);
  const views: number[] = [];
  const view = model.view.bind(model);
  model.view = (user) => (views.push(user as number), view(user));
  const many = model.predictMany(users, items);
  assert.equal(views.length, matrix.users + 2, 'one view per distinct user');
  assert.deepEqual(
    [...views].sort((a, b) => a - b),
    [-1, ...Array.from({ length: matrix.users + 1 }, (_, u) => u)],
  );
  for (let k = 0; k < n; k++) assert.equal(many[k], Math.fround(model.predict(users[k], items[k])));
});

for (const name of ALGORITHM_NAMES) {
  test(`${name}: same seed → same model bytes; predictions in the scale, never missing`, () => {
    const a = fit(name);
    const b = fit(name);
    assert.deepEqual(a.toBytes(), b.toBytes());
    const matrix = RatingMatrix.fromRatings(ratings);
    for (let u = -1; u <= matrix.users; u++) {
      for (let i = -1; i <= matrix.items; i++) {
        const value = a.predict(u, i);
        assert.ok(value >= 1 && value <= 5, `${name} predict(${u}, ${i}) = ${value}`);
      }
    }
  });

  test(`${name}: a saved and loaded model predicts, ranks and explains identically`, () => {
    const model = fit(name);
    const bytes = model.toBytes();
    const loaded = loadModel(Buffer.from(bytes));
    assert.equal(loaded.algorithm, name);
    assert.deepEqual(loaded.params, model.params);
    assert.deepEqual(loaded.toBytes(), bytes);
    const users = Int32Array.from({ length: 200 }, (_, k) => k % 60);
    const items = Int32Array.from({ length: 200 }, (_, k) => (k * 7) % 40);
    assert.deepEqual(loaded.predictMany(users, items), model.predictMany(users, items));
    for (const u of [0, 17, 59]) {
      assert.deepEqual(loaded.recommend(u, 10), model.recommend(u, 10));
      const top = model.recommend(u, 1)[0];
      assert.deepEqual(loaded.explain(u, top.item), model.explain(u, top.item));
    }
    assert.deepEqual(loaded.similarItems(3, 5), model.similarItems(3, 5));
    const me = [
      { movieId: 1001, rating: 5 },
      { movieId: 1005, rating: 2 },
      { movieId: 1010, rating: 4 },
    ];
    assert.deepEqual(loaded.recommend(loaded.foldIn(me), 5), model.recommend(model.foldIn(me), 5));
  });

  test(`${name}: recommend excludes rated items and honours exclude and candidates`, () => {
    const model = fit(name);
    const rated = new Set(model.view(5).items);
    const top = model.recommend(5, 10);
    assert.equal(top.length, 10);
    for (const s of top) {
      assert.ok(!rated.has(s.item));
      assert.equal(s.movieId, model.itemIds.ids[s.item]);
    }
    for (let k = 1; k < top.length; k++) assert.ok(top[k - 1].score >= top[k].score);
    const without = model.recommend(5, 10, { exclude: [top[0].item] });
    assert.ok(!without.some((s) => s.item === top[0].item));
    const candidates = [top[3].item, top[1].item, [...rated][0]];
    assert.deepEqual(
      model.recommend(5, 5, { candidates }).map((s) => s.item),
      [top[1].item, top[3].item],
    );
    const similar = model.similarItems(2, 5);
    assert.ok(!similar.some((s) => s.item === 2));
    for (const e of model.explain(5, top[0].item)) assert.ok(rated.has(e.item) && e.score > 0);
  });
}

test('different seeds give different SGD models', () => {
  assert.notDeepEqual(fit('svd', 1).toBytes(), fit('svd', 2).toBytes());
  assert.notDeepEqual(fit('svd', 1).toBytes(), fit('svd', 1, { order: 'shuffle' }).toBytes());
});

test('ALS, iALS and EASE give the same bytes on 1 and 2 threads (worker_threads)', () => {
  for (const name of ['als', 'ials', 'ease']) {
    const one = fitAlgorithm(name, ratings, QUICK[name], { seed: 4, threads: 1 });
    const two = fitAlgorithm(name, ratings, QUICK[name], { seed: 4, threads: 2 });
    assert.deepEqual(two.toBytes(), one.toBytes(), name);
  }
});

/** Gradient of the fold-in objective of a biased MF model at the folded solution. */
function foldGradient(
  model: FactorModel,
  items: number[],
  values: number[],
  state: Float64Array,
  implicit: Float64Array,
): number[] {
  const {
    factors: k,
    itemFactors: q,
    itemBias,
    globalMean,
    regularization,
    biasRegularization,
    biasPenaltyPerRating,
  } = model.f;
  const n = items.length;
  const gradient = new Array(k + 1).fill(0);
  const p = Array.from({ length: k }, (_, f) => state[1 + f] - implicit[f]);
  items.forEach((i, t) => {
    let prediction = globalMean + itemBias[i] + state[0];
    for (let f = 0; f < k; f++) prediction += q[i * k + f] * state[1 + f];
    const error = values[t] - prediction;
    gradient[0] += error;
    for (let f = 0; f < k; f++) gradient[1 + f] += error * q[i * k + f];
  });
  gradient[0] -= (biasPenaltyPerRating ? n : 1) * biasRegularization * state[0];
  for (let f = 0; f < k; f++) gradient[1 + f] -= n * regularization * p[f];
  return gradient;
}

for (const name of ['svd', 'svdpp', 'als']) {
  test(`${name}: fold-in equals refitting the user's factors with the items fixed`, () => {
    const model = fit(name) as FactorModel;
    const items = [0, 3, 4, 9, 12, 20, 21, 30];
    const values = [5, 4, 1, 3, 5, 2, 4, 4];
    const folded = model.foldIn(items.map((itemIndex, t) => ({ itemIndex, rating: values[t] })));
    const state = folded.state as Float64Array;
    const k = model.f.factors;
    const implicit = new Float64Array(k);
    if (model.f.implicitFactors) {
      for (const i of items)
        for (let f = 0; f < k; f++)
          implicit[f] += model.f.implicitFactors[i * k + f] / Math.sqrt(items.length);
    }
    for (const g of foldGradient(model, items, values, state, implicit))
      assert.ok(Math.abs(g) < 1e-9, `gradient ${g}`);
    // Predictions of the folded member use exactly that solution.
    let expected = model.f.globalMean + model.f.itemBias[7] + state[0];
    for (let f = 0; f < k; f++) expected += model.f.itemFactors[7 * k + f] * state[1 + f];
    assert.ok(Math.abs(model.predict(folded, 7) - Math.min(5, Math.max(1, expected))) < 1e-12);
  });
}

test('ials: fold-in solves the implicit least squares of the member exactly', () => {
  const model = fit('ials') as FactorModel;
  const items = [1, 2, 8, 15];
  const folded = model.foldIn(items.map((itemIndex) => ({ itemIndex, rating: 4 })));
  const x = (folded.state as Float64Array).subarray(1);
  const { factors: k, itemFactors: y } = model.f;
  const alpha = Number(model.params.alpha);
  const reg = Number(model.params.regularization);
  const gradient = new Array(k).fill(0);
  for (let i = 0; i < model.itemIds.size; i++) {
    const rated = items.includes(i);
    const c = rated ? 1 + alpha : 1;
    let score = 0;
    for (let f = 0; f < k; f++) score += x[f] * y[i * k + f];
    for (let f = 0; f < k; f++) gradient[f] += c * ((rated ? 1 : 0) - score) * y[i * k + f];
  }
  for (let f = 0; f < k; f++) assert.ok(Math.abs(gradient[f] - reg * x[f]) < 1e-9);
});

test('knn and bias: folding in a training user reproduces that user', () => {
  for (const name of ['item-knn', 'bias']) {
    const model = fit(name);
    const view = model.view(11);
    const folded = model.foldIn(
      Array.from(view.items, (itemIndex, t) => ({ itemIndex, rating: view.ratings[t] })),
    );
    assert.ok(Math.abs(folded.bias - view.bias) < 1e-12);
    for (let i = 0; i < 40; i++)
      assert.ok(
        Math.abs(model.predict(folded, i) - model.predict(11, i)) < 1e-9,
        `${name} item ${i}`,
      );
  }
  const userKnn = fit('user-knn');
  const newcomer = userKnn.foldIn([
    { movieId: 1001, rating: 5 },
    { movieId: 1002, rating: 1 },
    { movieId: 1003, rating: 4 },
  ]);
  // The newcomer's neighbours, computed here from the definition: the cosine of baseline
  // residuals over the co-rated movies, shrunk by (n − 1) / (n − 1 + shrinkage), positive only.
  const { globalMean, userBias, itemBias } = userKnn.core.baseline;
  const shrinkage = Number(userKnn.params.shrinkage);
  const expected: Array<[number, number]> = [];
  for (let v = 0; v < userKnn.users; v++) {
    const other = userKnn.view(v);
    let xy = 0;
    let xx = 0;
    let yy = 0;
    let n = 0;
    for (let t = 0; t < newcomer.items.length; t++) {
      const i = newcomer.items[t];
      const position = other.items.indexOf(i);
      if (position < 0) continue;
      const x = newcomer.ratings[t] - globalMean - newcomer.bias - itemBias[i];
      const y = other.ratings[position] - globalMean - userBias[v] - itemBias[i];
      xy += x * y;
      xx += x * x;
      yy += y * y;
      n++;
    }
    const similarity =
      xx * yy > 0 ? (xy / Math.sqrt(xx * yy)) * ((n - 1) / (n - 1 + shrinkage)) : 0;
    if (similarity > 0) expected.push([v, similarity]);
  }
  expected.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  expected.length = Math.min(expected.length, Number(userKnn.params.modelSize));
  assert.ok(expected.length > 0);
  const state = newcomer.state as Float64Array;
  assert.equal(state.length, 2 * expected.length);
  expected.forEach(([v, similarity], n) => {
    assert.equal(state[2 * n], v);
    assert.ok(Math.abs(state[2 * n + 1] - similarity) < 1e-12, `neighbour ${n}`);
  });
  assert.equal(userKnn.recommend(newcomer, 5).length, 5);
});

test('fold-in ignores unknown movies and duplicates; an empty member gets the baseline', () => {
  const model = fit('svd');
  const folded = model.foldIn([
    { movieId: 999999, rating: 5 },
    { movieId: 1001, rating: 4 },
    { itemIndex: 0, rating: 2 },
  ]);
  assert.deepEqual([...folded.items], [0]);
  const empty = model.foldIn([]);
  const b = model.core.baseline;
  assert.ok(
    Math.abs(model.predict(empty, 3) - Math.min(5, Math.max(1, b.globalMean + b.itemBias[3]))) <
      0.5,
  );
});

test('model files: wrong magic and unsupported versions are refused', () => {
  const bytes = fit('bias').toBytes();
  assert.throws(() => loadModel(new Uint8Array(10)), ModelFileError);
  const future = bytes.slice();
  new DataView(future.buffer).setUint32(8, 99, true);
  assert.throws(() => loadModel(future), /version 99/);
  assert.throws(() => loadModel(bytes.subarray(0, bytes.length - 8)), /truncated/);
});

test('a loaded blend keeps one copy of the training ratings for itself and its members', () => {
  const blend = fit('blend', 3, { members: 'item-knn,user-knn,svd' }) as BlendModel;
  const loaded = loadModel(Buffer.from(blend.toBytes())) as BlendModel;
  for (const member of loaded.members) {
    for (const field of ['userIds', 'itemIds', 'userPtr', 'userItems', 'userRatings'] as const)
      assert.equal(member.core[field], loaded.core[field], `${member.algorithm} ${field}`);
  }
  const folded = blend.foldIn([
    { itemIndex: 2, rating: 4 },
    { itemIndex: 7, rating: 1 },
  ]);
  const foldedLoaded = loaded.foldIn([
    { itemIndex: 2, rating: 4 },
    { itemIndex: 7, rating: 1 },
  ]);
  for (let i = 0; i < blend.items; i++) {
    assert.equal(loaded.predict(5, i), blend.predict(5, i));
    assert.equal(loaded.predict(foldedLoaded, i), blend.predict(folded, i));
  }
});

test("a blend's file holds the training data once; files with a copy per member still load", () => {
  const blend = fit('blend', 3, { members: 'item-knn,user-knn,svd' }) as BlendModel;
  const member = blend.members[1];
  // A member saved without its training data cannot be read alone.
  assert.throws(
    () => loadModel(member.toBytes({ withoutTrainingData: true })),
    /lacks array core\.userIds/,
  );
  const trainingBytes = ['userPtr', 'userItems', 'userRatings'] as const;
  const copy = trainingBytes.reduce((sum, field) => sum + blend.core[field].byteLength, 0);
  // The file as written before: each member with its own copy of the training data.
  const arrays: Record<string, Int32Array | Float64Array> = { weights: blend.weights };
  const fields: Record<string, number> = { members: blend.members.length };
  blend.members.forEach((m, k) => {
    const bytes = m.toBytes();
    const packed = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
    packed.set(bytes);
    arrays[`member${k}`] = new Int32Array(packed.buffer);
    fields[`member${k}Bytes`] = bytes.length;
  });
  const before = serializeModel(blend.core, { arrays, fields });
  const now = blend.toBytes();
  assert.ok(
    before.length - now.length >= blend.members.length * copy,
    `${before.length} → ${now.length}`,
  );
  const old = loadModel(before) as BlendModel;
  const loaded = loadModel(now) as BlendModel;
  for (const model of [old, loaded]) {
    for (const m of model.members) assert.equal(m.core.userItems, model.core.userItems);
    for (let i = 0; i < blend.items; i++) assert.equal(model.predict(4, i), blend.predict(4, i));
  }
});

test('shareTrainingData shares only what holds the same values', () => {
  const first = fit('svd');
  const second = fit('item-knn');
  const other = fitAlgorithm('svd', syntheticRatings(30, 20, 8, 5), QUICK.svd, { seed: 3 });
  const before = { ...second.core };
  shareTrainingData(second.core, first.core);
  assert.equal(second.core.userItems, first.core.userItems);
  assert.equal(second.core.itemIds, first.core.itemIds);
  assert.notEqual(before.userItems, first.core.userItems);
  shareTrainingData(other.core, first.core);
  for (const field of ['userIds', 'itemIds', 'userPtr', 'userItems', 'userRatings'] as const)
    assert.notEqual(other.core[field], first.core[field], field);
});
