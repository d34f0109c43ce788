import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  averagePrecision,
  catalogCoverage,
  hitRateAt,
  mae,
  ndcgAt,
  novelty,
  precisionAt,
  recallAt,
  reciprocalRank,
  rmse,
  standardDeviation,
} from '../../src/recsys/index.ts';

const close = (actual: number, expected: number, tolerance = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);

test('RMSE and MAE by hand', () => {
  // errors 1, −2, 0, 1 → squared 1, 4, 0, 1
  close(rmse([4, 1, 3, 5], [3, 3, 3, 4]), Math.sqrt(6 / 4));
  close(mae([4, 1, 3, 5], [3, 3, 3, 4]), 4 / 4);
  assert.throws(() => rmse([1], [1, 2]));
});

// Ranked list 5, 3, 9, 1, 7 (best first); relevant {3, 7, 8}.
const ranked = [5, 3, 9, 1, 7];
const relevant = new Set([3, 7, 8]);

test('precision, recall and hit rate at k by hand', () => {
  close(precisionAt(ranked, relevant, 2), 1 / 2);
  close(precisionAt(ranked, relevant, 5), 2 / 5);
  // Recall divides by min(k, #relevant): k=2 → 1/2; k=5 → 2/3.
  close(recallAt(ranked, relevant, 2), 1 / 2);
  close(recallAt(ranked, relevant, 5), 2 / 3);
  close(recallAt(ranked, new Set(), 5), 0);
  assert.equal(hitRateAt(ranked, relevant, 1), 0);
  assert.equal(hitRateAt(ranked, relevant, 2), 1);
});

test('nDCG at k by hand (binary gains, ideal over min(k, #relevant))', () => {
  // hits at positions 2 and 5: DCG = 1/log2(3) + 1/log2(6); IDCG@5 = 1 + 1/log2(3) + 1/log2(4)
  close(
    ndcgAt(ranked, relevant, 5),
    (1 / Math.log2(3) + 1 / Math.log2(6)) / (1 + 1 / Math.log2(3) + 0.5),
  );
  // k = 2: DCG = 1/log2(3); IDCG = 1 + 1/log2(3)
  close(ndcgAt(ranked, relevant, 2), 1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
  close(ndcgAt([3, 7, 8], relevant, 3), 1);
});

test('average precision and reciprocal rank by hand', () => {
  // hits at ranks 2 and 5: (1/2 + 2/5) / min(5, 3)
  close(averagePrecision(ranked, relevant), (1 / 2 + 2 / 5) / 3);
  close(averagePrecision(ranked, relevant, 2), 1 / 2 / 2);
  close(reciprocalRank(ranked, relevant), 1 / 2);
  close(reciprocalRank(ranked, relevant, 1), 0);
});

test('catalog coverage and novelty by hand', () => {
  close(
    catalogCoverage(
      [
        [0, 1],
        [1, 2],
        [2, 0],
      ],
      10,
    ),
    3 / 10,
  );
  close(
    catalogCoverage(
      [
        [0, 1],
        [4, 5],
      ],
      10,
      1,
    ),
    2 / 10,
  );
  // popularity of items 0, 1 = 8 and 2 of 8 users: −log2(1) and −log2(1/4)
  close(novelty([[0, 1]], [8, 2], 8), (0 + 2) / 2);
  close(standardDeviation([1, 2, 3, 4]), Math.sqrt(5 / 3));
});
