import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Z_95,
  compareEstimates,
  meanInterval,
  readMetric,
  wilsonInterval,
  type Estimate,
} from '../../src/services/experimentStats.ts';

const close = (actual: number | null, expected: number, tolerance = 1e-4) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} ≉ ${expected}`);

describe('experiment statistics', () => {
  test('Wald interval of a mean, by hand', () => {
    // mean 3, s = √2.5 = 1.58114, s/√5 = 0.70711, × 1.95996 = 1.38590
    const estimate = meanInterval([1, 2, 3, 4, 5]);
    assert.equal(estimate.n, 5);
    close(estimate.value, 3);
    close(estimate.low, 1.6141);
    close(estimate.high, 4.3859);
  });

  test('a mean of one value has no interval; of none, no value', () => {
    assert.deepEqual(meanInterval([4]), { n: 1, value: 4, low: null, high: null });
    assert.deepEqual(meanInterval([]), { n: 0, value: null, low: null, high: null });
    assert.deepEqual(meanInterval([2, 2, 2]), { n: 3, value: 2, low: 2, high: 2 });
  });

  test('Wilson interval, by hand', () => {
    // 8/10: centre (0.8 + 1.92073/10)/1.38415 = 0.71672, half 0.22657
    const estimate = wilsonInterval(8, 10);
    close(estimate.value, 0.8);
    close(estimate.low, 0.4902);
    close(estimate.high, 0.9433);
    // 0/20 stays inside [0, 1]: upper = z²/n / (1 + z²/n) = 0.19208 / 1.19208
    const none = wilsonInterval(0, 20);
    assert.equal(none.low, 0);
    close(none.high, 0.16113);
    const all = wilsonInterval(3, 3);
    close(all.low, 0.4385);
    assert.equal(all.high, 1);
    assert.deepEqual(wilsonInterval(0, 0), { n: 0, value: null, low: null, high: null });
    assert.throws(() => wilsonInterval(4, 3), RangeError);
  });

  test('the z value is the 97.5% normal quantile', () => {
    close(Z_95, 1.96, 1e-3);
  });

  test('comparison calls a difference only when the intervals do not overlap', () => {
    const a: Estimate = { n: 100, value: 0.3, low: 0.25, high: 0.35 };
    const b: Estimate = { n: 100, value: 0.1, low: 0.05, high: 0.15 };
    const c: Estimate = { n: 100, value: 0.2, low: 0.14, high: 0.26 };
    assert.equal(compareEstimates(a, b), 'higher');
    assert.equal(compareEstimates(b, a), 'lower');
    assert.equal(compareEstimates(a, c), 'no-clear-difference');
    assert.equal(compareEstimates(a, { n: 1, value: 1, low: null, high: null }), 'not-enough-data');
  });

  test('plain-language readings', () => {
    const control = wilsonInterval(80, 1000);
    const treatment = wilsonInterval(120, 1000);
    const reading = readMetric({ label: 'click-through', better: 'higher', format: 'percent' }, [
      { name: 'A', estimate: control },
      { name: 'B', estimate: treatment },
    ]);
    assert.equal(
      reading,
      "B's click-through (12.0%, 95% CI 10.1%–14.2%) is higher (better) than A's (8.0%, 6.5%–9.8%); the 95% intervals do not overlap.",
    );
    const error = readMetric({ label: 'mean absolute error', better: 'lower', format: 'number' }, [
      { name: 'knn', estimate: { n: 50, value: 0.7, low: 0.6, high: 0.8 } },
      { name: 'als', estimate: { n: 50, value: 1.0, low: 0.9, high: 1.1 } },
      { name: 'pop', estimate: { n: 50, value: 0.75, low: 0.65, high: 0.85 } },
      { name: 'new', estimate: { n: 0, value: null, low: null, high: null } },
    ]);
    assert.equal(
      error,
      "als's mean absolute error (1.00, 95% CI 0.90–1.10) is higher (worse) than knn's (0.70, 0.60–0.80); the 95% intervals do not overlap. " +
        'No clear difference in mean absolute error between pop (0.75, 95% CI 0.65–0.85) and knn (0.70, 0.60–0.80): the 95% intervals overlap. ' +
        "Not enough data yet to compare new's mean absolute error with knn's.",
    );
  });
});
