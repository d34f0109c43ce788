/** Fold-in from a member's previous fold-in (the site after each rating) equals a fresh fold-in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitAlgorithm, type FoldedUser, type RatingInput } from '../../src/recsys/index.ts';
import type { BlendModel } from '../../src/recsys/algorithms/blend.ts';
import type { FactorModel } from '../../src/recsys/algorithms/factors.ts';
import { syntheticRatings } from './helpers.ts';

const ratings = syntheticRatings();
const SETTINGS = {
  svd: { factors: 8, epochs: 5 },
  svdpp: { factors: 8, epochs: 5 },
  als: { factors: 6, iterations: 4 },
};

function assertSameState(actual: FoldedUser, expected: FoldedUser, step: string): void {
  const a = actual.state as Float64Array;
  const b = expected.state as Float64Array;
  assert.equal(a.length, b.length);
  for (let f = 0; f < a.length; f++)
    assert.ok(Math.abs(a[f] - b[f]) < 1e-9, `${step}: state[${f}] ${a[f]} vs ${b[f]}`);
  assert.deepEqual(actual.items, expected.items);
}

for (const [name, params] of Object.entries(SETTINGS)) {
  test(`${name}: folding in from the previous fold-in after each change equals folding in anew`, () => {
    const model = fitAlgorithm(name, ratings, params, { seed: 3, threads: 1 }) as FactorModel;
    // Enough ratings for the primal (Gram matrix) path: more than the factors.
    const member = new Map<number, number>();
    for (let i = 0; i < 14; i++) member.set(i * 2, 1 + (i % 5));
    const inputs = (): RatingInput[] =>
      [...member].map(([itemIndex, rating]) => ({ itemIndex, rating }));
    let folded = model.foldIn(inputs());
    const changes: Array<[string, () => void]> = [
      ['a new rating', () => member.set(31, 5)],
      ['a changed rating', () => member.set(4, 1)],
      ['a removed rating', () => member.delete(10)],
      ['several new ratings', () => [1, 3, 5, 37].forEach((i) => member.set(i, 4))],
      ['a new rating and a removed one', () => (member.set(39, 2), member.delete(0))],
    ];
    for (const [step, change] of changes) {
      change();
      const previous = folded;
      folded = model.foldIn(inputs(), previous);
      assertSameState(folded, model.foldIn(inputs()), step);
      // The Gram matrix moved on to the new fold-in (the previous one keeps none).
      assert.ok(model['grams'].has(folded.state as Float64Array), `${step}: Gram kept`);
      assert.ok(!model['grams'].has(previous.state as Float64Array), `${step}: Gram moved`);
      // Folding in again from the same previous one still gives the right answer.
      assertSameState(model.foldIn(inputs(), previous), folded, `${step}, again`);
    }
  });
}

test('a fold-in from another model is not reused', () => {
  const first = fitAlgorithm('svd', ratings, SETTINGS.svd, { seed: 3 }) as FactorModel;
  const second = fitAlgorithm('svd', ratings, SETTINGS.svd, { seed: 4 }) as FactorModel;
  const member = Array.from({ length: 14 }, (_, i) => ({ itemIndex: i * 2, rating: 1 + (i % 4) }));
  const elsewhere = first.foldIn(member);
  assertSameState(second.foldIn(member, elsewhere), second.foldIn(member), 'other model');
});

test('blend: folding in from the previous fold-in hands each member its own previous one', () => {
  const model = fitAlgorithm(
    'blend',
    ratings,
    { members: 'item-knn,als' },
    { seed: 3, threads: 1 },
  ) as BlendModel;
  const als = model.members[1] as FactorModel;
  // Every item: als (50 factors) then takes the primal path, whose Gram matrix is handed on.
  const member = (bump: number) =>
    Array.from({ length: model.itemIds.size }, (_, i) => ({
      itemIndex: i,
      rating: 1 + ((i + bump) % 5),
    }));
  const first = model.foldIn(member(0), model.foldIn(member(0)));
  assert.ok(als['grams'].has(first.members[1].state as Float64Array), 'als kept its Gram');
  const again = model.foldIn(member(1), first);
  assert.ok(als['grams'].has(again.members[1].state as Float64Array), 'the Gram moved on');
  assert.ok(!als['grams'].has(first.members[1].state as Float64Array), 'the Gram moved on');
  const fresh = model.foldIn(member(1));
  assertSameState(again.members[1], fresh.members[1], 'als');
  for (let i = 0; i < model.itemIds.size; i++)
    assert.ok(Math.abs(model.predict(again, i) - model.predict(fresh, i)) < 1e-9, `item ${i}`);
});
