import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { classKeys, classSizes } from '../../src/privacy/demographics.ts';
import { presetPolicy } from '../../src/privacy/policy.ts';
import { evaluatePolicy, releaseWithAudit } from '../../src/privacy/report.ts';

// synthetic-1m as BENCHMARKS.md defines it. Slow-ish (tens of seconds): one file, one dataset.
const dataset = generateSynthetic({ users: 6040, movies: 3900, ratings: 1000209, seed: 1 });
const options = { seed: 1, format: 'ml-1m' as const, utility: false, knowledgeCurve: false };

test('synthetic-1m: movielens reports ML-1M-like uniqueness; default passes the gate and does not release it', () => {
  const movielens = evaluatePolicy(dataset, presetPolicy('movielens'), options, false, false);
  const qi = movielens.audit.quasiIdentifiers!;
  assert.ok(movielens.failures.length > 0, 'the movielens preset is refused');
  assert.ok(
    qi.uniqueGenderAgeOccupationZip > 0.5,
    `unique on (g, a, o, zip): ${qi.uniqueGenderAgeOccupationZip}`,
  );
  assert.ok(qi.histogram.size1 > 0.5);

  const { report, published } = releaseWithAudit(dataset, presetPolicy('default'), options);
  assert.ok(report.gate.passed, `gate failures: ${report.gate.failures.join('; ')}`);
  const sizes = classSizes(classKeys(published.users, ['gender', 'age', 'occupation', 'zip']));
  assert.ok(sizes.every((size) => size >= 5));
  assert.equal(report.audit.quasiIdentifiers!.uniqueGenderAgeOccupationZip, 0);
  assert.equal(report.audit.quasiIdentifiers!.uniqueGenderAgeZip, 0);
});
