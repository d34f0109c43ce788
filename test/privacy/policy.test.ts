import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PRESET_NAMES,
  PolicyError,
  describePolicy,
  parsePolicy,
  presetPolicy,
  ratingsCandidates,
  validatePolicy,
} from '../../src/privacy/policy.ts';

function refusal(document: unknown): PolicyError {
  try {
    validatePolicy(document, 'policy.json');
  } catch (error) {
    assert.ok(error instanceof PolicyError, `expected a PolicyError, got ${String(error)}`);
    return error;
  }
  assert.fail('the policy was accepted');
}

test('every preset is a valid policy', () => {
  for (const name of PRESET_NAMES) {
    const policy = presetPolicy(name);
    assert.equal(policy.name, name);
    assert.deepEqual(validatePolicy({ ...policy, extends: name }), policy);
  }
});

test('presets differ as documented', () => {
  assert.equal(presetPolicy('movielens').demographics.zip, 'full');
  assert.equal(presetPolicy('movielens').time.granularity, 'second');
  assert.equal(presetPolicy('naive').ratings.sampleFraction, 1);
  assert.equal(presetPolicy('default').demographics.k, 5);
  // Every preset gates the stronger adversaries at 10% (issue #13).
  for (const name of PRESET_NAMES)
    assert.equal(presetPolicy(name).gate.maxReidentifiedStronger, 0.1);
  assert.equal(presetPolicy('strict').time.shiftDays, 730);
});

test('a partial policy extends the default preset; YAML and JSON both parse', () => {
  const yaml = parsePolicy('demographics:\n  k: 7\ntime:\n  granularity: week\n', 'p.yaml');
  assert.equal(yaml.demographics.k, 7);
  assert.equal(yaml.time.granularity, 'week');
  assert.equal(yaml.ratings.sampleFraction, presetPolicy('default').ratings.sampleFraction);
  const json = parsePolicy('{"extends": "strict", "dp": {"epsilon": 2}}', 'p.json');
  assert.equal(json.dp.epsilon, 2);
  assert.equal(json.demographics.zip, 'region');
});

test('unknown keys are refused with the key named', () => {
  const top = refusal({ colour: 'blue' });
  assert.equal(top.key, 'colour');
  assert.match(top.message, /policy\.json: colour: unknown key/);
  const nested = refusal({ demographics: { kk: 5 } });
  assert.equal(nested.key, 'demographics.kk');
  assert.equal(refusal({ extends: 'paranoid' }).key, 'extends');
});

test('impossible values are refused with the key named', () => {
  assert.equal(refusal({ demographics: { k: 0 } }).key, 'demographics.k');
  assert.equal(refusal({ demographics: { k: 2.5 } }).key, 'demographics.k');
  assert.equal(refusal({ dp: { epsilon: 0 } }).key, 'dp.epsilon');
  assert.equal(refusal({ dp: { epsilon: -1 } }).key, 'dp.epsilon');
  assert.equal(refusal({ ratings: { sampleFraction: 0 } }).key, 'ratings.sampleFraction');
  assert.equal(
    refusal({ ratings: { perturbation: { probability: 1.5 } } }).key,
    'ratings.perturbation.probability',
  );
  assert.equal(refusal({ demographics: { zip: '4-digit' } }).key, 'demographics.zip');
  assert.equal(refusal({ minRatings: 0 }).key, 'minRatings');
  assert.equal(
    refusal({ ratings: { swap: { plausibility: 'svd' } } }).key,
    'ratings.swap.plausibility',
  );
  assert.equal(
    validatePolicy({ ratings: { swap: { plausibility: 'item-knn' }, alternatives: [] } }).ratings
      .swap.plausibility,
    'item-knn',
  );
  assert.equal(
    refusal({ gate: { maxReidentifiedStronger: 1.5 } }).key,
    'gate.maxReidentifiedStronger',
  );
});

test('contradictions are refused with the key named', () => {
  assert.equal(
    refusal({ time: { drop: true, shiftDays: 30, granularity: 'second' } }).key,
    'time.shiftDays',
  );
  assert.equal(
    refusal({ time: { drop: true, shiftDays: 0, granularity: 'month' } }).key,
    'time.granularity',
  );
  assert.equal(refusal({ ratings: { minPerUser: 10, maxPerUser: 5 } }).key, 'ratings.maxPerUser');
  assert.equal(refusal({ minRatings: 5, ratings: { minPerUser: 10 } }).key, 'ratings.minPerUser');
  assert.equal(
    refusal({ demographics: { quasiIdentifiers: ['zip', 'zip'] } }).key,
    'demographics.quasiIdentifiers',
  );
  assert.equal(refusal({ utility: { algorithm: 'magic' } }).key, 'utility.algorithm');
});

test('the default swaps by ALS or by item-kNN, each candidate complete', () => {
  const [own, alternative] = ratingsCandidates(presetPolicy('default').ratings);
  assert.equal(own.swap.plausibility, 'als');
  assert.equal(own.swap.popularShare, 0.2);
  assert.equal(own.calibration.steps, 4);
  // The alternative changes its taste model, its deals and its ladder, and keeps the rest.
  assert.equal(alternative.swap.plausibility, 'item-knn');
  assert.equal(alternative.swap.sigma, 0.7);
  assert.equal(alternative.swap.popularShare, 0.25);
  assert.equal(alternative.calibration.steps, 5);
  assert.equal(alternative.calibration.target, own.calibration.target);
  assert.equal(alternative.swap.groupSize, own.swap.groupSize);
  assert.ok(!('alternatives' in alternative));
  assert.equal(ratingsCandidates(presetPolicy('suppress').ratings).length, 1);
  assert.ok(describePolicy(presetPolicy('suppress')).includes('ratings.alternatives: none'));
  assert.ok(
    describePolicy(presetPolicy('default')).includes(
      'ratings.alternatives.0.swap.plausibility: item-knn',
    ),
  );
});

test('alternatives are refused with the key named: unknown keys, one model twice, turning the swap, too many, contradictions', () => {
  assert.equal(
    refusal({ ratings: { alternatives: [{ colour: 'blue' }] } }).key,
    'ratings.alternatives.0.colour',
  );
  assert.equal(
    refusal({ ratings: { alternatives: [{ swap: { sigma: 9 } }] } }).key,
    'ratings.alternatives.0.swap.sigma',
  );
  const twice = refusal({ ratings: { swap: { plausibility: 'item-knn' } } });
  assert.equal(twice.key, 'ratings.alternatives.0.swap.plausibility');
  assert.match(twice.message, /already the taste model of ratings\.swap/);
  assert.match(twice.message, /set ratings\.alternatives: \[\]/);
  // Without a swap there is no taste model to choose: the alternatives stand aside.
  const unswapped = validatePolicy({ ratings: { swap: { enabled: false } } });
  assert.equal(ratingsCandidates(unswapped.ratings).length, 1);
  assert.equal(
    refusal({ ratings: { alternatives: [{ swap: { enabled: false, plausibility: 'item-knn' } }] } })
      .key,
    'ratings.alternatives.0.swap.enabled',
  );
  assert.equal(
    refusal({
      ratings: {
        alternatives: [{ swap: { plausibility: 'item-knn' } }, { swap: { plausibility: 'als' } }],
      },
    }).key,
    'ratings.alternatives',
  );
  assert.equal(
    refusal({
      ratings: {
        alternatives: [{ minPerUser: 10, maxPerUser: 5, swap: { plausibility: 'item-knn' } }],
      },
    }).key,
    'ratings.alternatives.0.maxPerUser',
  );
});

test('text that is not JSON/YAML is refused', () => {
  assert.throws(
    () => parsePolicy('demographics: [k: 5', 'bad.yaml'),
    /bad\.yaml: not valid JSON\/YAML/,
  );
  assert.throws(() => parsePolicy('42', 'n.json'), /must be a JSON\/YAML object/);
});
