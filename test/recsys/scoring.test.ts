/** The vectorised scoring paths (scoreAll, recommend) against per-item estimates, and k-NN lists by brute force. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectRatings } from '../../src/datasets/dataset.ts';
import { fitBaseline } from '../../src/recsys/algorithms/bias.ts';
import type { BlendModel } from '../../src/recsys/algorithms/blend.ts';
import { fitAlgorithm, type BaseModel, type Params } from '../../src/recsys/index.ts';
import { RatingMatrix } from '../../src/recsys/matrix.ts';
import { syntheticRatings } from './helpers.ts';

const all = syntheticRatings(60, 40, 15, 11);
/** Every rating of this item is left out, so models know an item without training ratings. */
const DROPPED = 5;
const ratings = selectRatings(
  all,
  Array.from({ length: all.length }, (_, r) => r).filter((r) => all.itemIndex[r] !== DROPPED),
);
const QUICK: Record<string, Params> = {
  svd: { factors: 9, epochs: 5 },
  svdpp: { factors: 7, epochs: 5 },
  als: { factors: 5, iterations: 3 },
};
const RATING_MODELS = ['bias', 'item-knn', 'user-knn', 'svd', 'svdpp', 'als', 'blend'];
const fit = (name: string): BaseModel =>
  fitAlgorithm(name, ratings, QUICK[name] ?? {}, { seed: 2, threads: 1 });
const member = [
  { itemIndex: 1, rating: 5 },
  { itemIndex: 4, rating: 2 },
  { itemIndex: 9, rating: 4 },
  { itemIndex: 30, rating: 1 },
];

for (const name of RATING_MODELS) {
  test(`${name}: scoreAll equals estimate for every item (unrated items: the baseline)`, () => {
    const model = fit(name);
    // Factor models and bias sum in the same order on both paths; the k-NN paths add the same
    // terms in another order.
    const exact = !['item-knn', 'user-knn', 'blend'].includes(name);
    for (const user of [0, 7, 33, 59, model.foldIn(member)]) {
      const view = model.view(user);
      const scores = model.scoreAll(user);
      for (let i = 0; i < model.items; i++) {
        const expected = model.estimate(view, i);
        if (exact) assert.equal(scores[i], expected, `${name} user ${String(user)} item ${i}`);
        else assert.ok(Math.abs(scores[i] - expected) < 1e-12, `${name} item ${i}`);
      }
      assert.equal(scores[DROPPED], model.baselineOf(view, DROPPED));
    }
  });
}

test('blend: recommend is the exact top-N of w_0 + Σ w_m · member prediction', () => {
  const model = fit('blend') as BlendModel;
  assert.deepEqual(
    model.members.map((m) => m.algorithm),
    ['item-knn', 'svd', 'svdpp', 'als'],
  );
  const folded = model.foldIn(member);
  for (const user of [0, 12, 47, folded]) {
    const view = model.view(user);
    const memberViews = model.members.map((m, k) =>
      typeof user === 'number' ? m.view(user) : m.view(folded.members[k]),
    );
    const rated = new Set(view.items);
    const exclude = [3, 17];
    const candidates: number[] = [];
    for (let i = 0; i < model.items; i++) {
      if (rated.has(i) || exclude.includes(i)) continue;
      candidates.push(i);
    }
    const blended = (i: number): number =>
      model.members.reduce(
        (sum, m, k) => sum + model.weights[k + 1] * m.clip(m.estimate(memberViews[k], i)),
        model.weights[0],
      );
    const brute = candidates
      .map((i) => ({ item: i, score: i === DROPPED ? model.baselineOf(view, i) : blended(i) }))
      .sort((a, b) => b.score - a.score || a.item - b.item);
    const top = model.recommend(user, 12, { exclude });
    assert.deepEqual(
      top.map((s) => s.item),
      brute.slice(0, 12).map((s) => s.item),
    );
    top.forEach((s, k) => assert.ok(Math.abs(s.score - brute[k].score) < 1e-12));
    // Only some candidates: their best, in order.
    const some = candidates.filter((i) => i % 3 === 0);
    assert.deepEqual(
      model.recommend(user, 4, { candidates: some }).map((s) => s.item),
      brute
        .filter((s) => s.item % 3 === 0)
        .slice(0, 4)
        .map((s) => s.item),
    );
    // Predictions are the clipped blended score.
    for (const i of [0, 8, 21])
      assert.ok(Math.abs(model.predict(user, i) - model.clip(blended(i))) < 1e-12);
  }
});

/** Neighbour lists of every row by the definition: shrunk pearson-baseline over co-raters. */
function bruteLists(itemBased: boolean, shrinkage: number, size: number): number[][] {
  const matrix = RatingMatrix.fromRatings(ratings);
  const b = fitBaseline(matrix);
  const rows = itemBased ? matrix.items : matrix.users;
  const residual = new Map<string, number>();
  for (let u = 0; u < matrix.users; u++) {
    for (let p = matrix.userPtr[u]; p < matrix.userPtr[u + 1]; p++) {
      const i = matrix.userItems[p];
      const r = matrix.userRatings[p] - b.globalMean - b.userBias[u] - b.itemBias[i];
      residual.set(itemBased ? `${i},${u}` : `${u},${i}`, r);
    }
  }
  const others = itemBased ? matrix.users : matrix.items;
  return Array.from({ length: rows }, (_, a) => {
    const scored: Array<[number, number]> = [];
    for (let c = 0; c < rows; c++) {
      if (c === a) continue;
      let xy = 0;
      let xx = 0;
      let yy = 0;
      let n = 0;
      for (let o = 0; o < others; o++) {
        const x = residual.get(`${a},${o}`);
        const y = residual.get(`${c},${o}`);
        if (x === undefined || y === undefined) continue;
        xy += x * y;
        xx += x * x;
        yy += y * y;
        n++;
      }
      if (n === 0 || xx * yy === 0) continue;
      const s = (xy / Math.sqrt(xx * yy)) * ((n - 1) / (n - 1 + shrinkage));
      if (s > 0) scored.push([c, s]);
    }
    scored.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    return scored.slice(0, size).map(([c]) => c);
  });
}

for (const name of ['item-knn', 'user-knn']) {
  test(`${name}: neighbour lists (each pair computed once) are the best shrunk similarities`, () => {
    const model = fitAlgorithm(name, ratings, { shrinkage: 3, modelSize: 6 }) as BaseModel & {
      neighbours: { ptr: Int32Array; index: Int32Array; similarity: Float32Array };
    };
    const { ptr, index } = model.neighbours;
    const expected = bruteLists(name === 'item-knn', 3, 6);
    let nonEmpty = 0;
    expected.forEach((list, a) => {
      assert.deepEqual(Array.from(index.subarray(ptr[a], ptr[a + 1])), list, `${name} row ${a}`);
      if (list.length > 0) nonEmpty++;
    });
    assert.ok(nonEmpty > expected.length / 2);
  });
}

test('item-knn: scoreAll scatters for a light user and walks every list for a heavy one', () => {
  // With k = 2 the light user (4 ratings) still has more than k rated neighbours for most items.
  const model = fitAlgorithm('item-knn', ratings, { neighbours: 2 }) as BaseModel & {
    scatter: (...args: unknown[]) => void;
  };
  const scatter = model.scatter.bind(model);
  let scattered = 0;
  model.scatter = (...args) => {
    scattered++;
    scatter(...args);
  };
  const everyItem = Array.from({ length: model.items }, (_, i) => ({
    itemIndex: i,
    rating: 1 + (i % 5),
  }));
  for (const [user, expectScatter] of [
    [model.foldIn(member), true],
    [model.foldIn(everyItem), false],
  ] as const) {
    const before = scattered;
    const scores = model.scoreAll(user);
    assert.equal(scattered > before, expectScatter);
    const view = model.view(user);
    for (let i = 0; i < model.items; i++)
      assert.ok(Math.abs(scores[i] - model.estimate(view, i)) < 1e-12, `item ${i}`);
  }
});

for (const name of ['item-knn', 'user-knn']) {
  test(`${name}: scoreAll equals estimate when k is small and minNeighbours > 1`, () => {
    // Most items have more than k rated neighbours (item-knn walks them; user-knn gates them).
    const model = fitAlgorithm(name, ratings, { neighbours: 3, minNeighbours: 2 });
    let differsFromBaseline = 0;
    for (const user of [0, 7, 33, 59, model.foldIn(member)]) {
      const view = model.view(user);
      const scores = model.scoreAll(user);
      for (let i = 0; i < model.items; i++) {
        const expected = model.estimate(view, i);
        assert.ok(Math.abs(scores[i] - expected) < 1e-12, `${name} item ${i}`);
        if (expected !== model.baselineOf(view, i)) differsFromBaseline++;
      }
    }
    assert.ok(differsFromBaseline > 0);
  });
}

for (const name of ['svd', 'svdpp', 'als']) {
  test(`${name}: explanations weigh each rated movie's similarity (as similarItems gives it) by its rating`, () => {
    const model = fit(name);
    const folded = model.foldIn(member);
    const floor = model.scale.min - model.scale.step;
    for (const item of [0, 12, 39]) {
      const similarity = new Map(
        model.similarItems(item, model.itemIds.size).map((s) => [s.item, s.score]),
      );
      const expected = member
        .map((m) => ({
          item: m.itemIndex,
          score: (similarity.get(m.itemIndex) ?? 0) * (m.rating - floor),
        }))
        .filter((e) => e.score > 0 && e.item !== item)
        .sort((a, b) => b.score - a.score)
        .slice(0, 3);
      const explained = model.explain(folded, item, 3);
      assert.deepEqual(
        explained.map((e) => e.item),
        expected.map((e) => e.item),
      );
      explained.forEach((e, t) => assert.equal(e.score, expected[t].score, `item ${item}`));
    }
  });
}

test('user-knn: a prediction uses the first k neighbours who rated the item, however they are found', () => {
  // With 3 neighbours kept, items with more than 24 raters are found by a binary search of each
  // neighbour's ratings, the others by reading the item's raters: both must give this sum.
  for (const modelSize of [3, 40]) {
    const model = fitAlgorithm('user-knn', ratings, { modelSize, neighbours: 2 }) as BaseModel & {
      k: number;
      ratingResiduals: () => Float64Array;
    };
    const { userPtr, userItems } = model.core;
    const residuals = model.ratingResiduals();
    const raters = new Int32Array(model.items);
    for (const item of userItems) raters[item]++;
    let searched = 0;
    for (const user of [0, 7, 33, model.foldIn(member)]) {
      const view = model.view(user);
      const state = view.state!;
      for (let i = 0; i < model.items; i++) {
        if (raters[i] === 0) continue;
        if (raters[i] > 8 * (state.length / 2)) searched++;
        let numerator = 0;
        let denominator = 0;
        let used = 0;
        for (let n = 0; n < state.length && used < model.k; n += 2) {
          const v = state[n];
          const row = Array.from(userItems.subarray(userPtr[v], userPtr[v + 1]));
          if (!row.includes(i)) continue;
          numerator += state[n + 1] * residuals[userPtr[v] + row.indexOf(i)];
          denominator += state[n + 1];
          used++;
        }
        const base = model.baselineOf(view, i);
        const expected = used >= 1 && denominator > 0 ? base + numerator / denominator : base;
        assert.equal(model.estimate(view, i), expected, `modelSize ${modelSize} item ${i}`);
      }
    }
    assert.equal(searched > 0, modelSize === 3, `modelSize ${modelSize}: ${searched} searched`);
  }
});

test('predictions for members asked in turn equal those asked member by member (cached views)', () => {
  for (const name of ['item-knn', 'user-knn', 'blend']) {
    const model = fit(name);
    const others = [
      { itemIndex: 2, rating: 1 },
      { itemIndex: 9, rating: 5 },
      { itemIndex: 20, rating: 3 },
    ];
    const members = [model.foldIn(member), model.foldIn(others), 4, model.foldIn(member)];
    const alone = members.map((user) =>
      Array.from({ length: model.items }, (_, i) => model.predict(user, i)),
    );
    for (let i = 0; i < model.items; i++)
      members.forEach((user, m) => assert.equal(model.predict(user, i), alone[m][i], name));
  }
});

test('blend: folding in resolves the ratings once, and each member gets its own fold-in', () => {
  const model = fit('blend') as BlendModel;
  const movieInputs = member.map((m) => ({
    movieId: model.itemIds.ids[m.itemIndex],
    rating: m.rating,
  }));
  const folded = model.foldIn([...movieInputs, { movieId: 987654, rating: 3 }]);
  const again = model.foldIn(movieInputs, folded);
  model.members.forEach((m, k) => {
    const own = m.foldIn(member);
    for (const blended of [folded.members[k], again.members[k]]) {
      assert.deepEqual(blended.items, own.items);
      assert.equal(blended.bias, own.bias);
      assert.deepEqual(blended.state, own.state, m.algorithm);
    }
  });
});
