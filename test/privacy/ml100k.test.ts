import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { readMl100k } from '../../src/datasets/ml100k.ts';
import { auditRelease } from '../../src/privacy/audit.ts';
import { classKeys, classSizes } from '../../src/privacy/demographics.ts';
import { presetPolicy } from '../../src/privacy/policy.ts';
import { releaseWithAudit } from '../../src/privacy/report.ts';
import { ML100K_DIR } from './helpers.ts';

const skip = existsSync(ML100K_DIR) ? false : `ML-100K not found at ${ML100K_DIR}`;
const load = (() => {
  let cached: ReturnType<typeof readMl100k> | null = null;
  return () => (cached ??= readMl100k(ML100K_DIR));
})();

test(
  'the attack is strong: ML-100K audited as a release of itself (all 943 users as targets)',
  { skip },
  async () => {
    const dataset = await load();
    const audit = auditRelease({
      truth: dataset,
      release: dataset,
      targets: 'all',
      knowledgeCurve: false,
    });
    assert.equal(audit.targets, 943);
    const share = (name: string) => audit.scoreboard.find((o) => o.name === name)!.reidentified;
    assert.ok(share('m=8, w=2, D=14') >= 0.6, `(m=8, w=2, D=14): ${share('m=8, w=2, D=14')}`);
    assert.ok(share('m=6, w=0, D=14') >= 0.8, `(m=6, w=0, D=14): ${share('m=6, w=0, D=14')}`);
    // An independent implementation of the protocol measures 68%, 87%, 79%, 38% and 50%.
    const reference: Record<string, number> = {
      'm=8, w=2, D=14': 0.68,
      'm=6, w=0, D=14': 0.87,
      'm=4, w=0, D=3': 0.79,
      'm=2, w=0, D=3': 0.38,
      'm=8, w=2, no dates': 0.5,
    };
    for (const [name, expected] of Object.entries(reference)) {
      assert.ok(
        Math.abs(share(name) - expected) <= 0.06,
        `${name}: ${share(name)} vs reference ${expected}`,
      );
    }
    // Quasi-identifier risk of the release as published, from the users table directly.
    const qi = audit.quasiIdentifiers!;
    const classes = new Map<string, number>();
    for (const user of dataset.users) {
      const key = [user.gender, user.age, user.occupation, user.zip].join('|');
      classes.set(key, (classes.get(key) ?? 0) + 1);
    }
    const uniqueUsers = [...classes.values()].filter((size) => size === 1).length;
    assert.equal(qi.users, 943);
    assert.equal(qi.uniqueGenderAgeOccupationZip, uniqueUsers / 943);
    assert.equal(qi.classes, classes.size);
    // The class histogram is over the same four quasi-identifiers: its size-1 share is the same.
    assert.equal(qi.histogram.size1, uniqueUsers / 943);
  },
);

test(
  'the default preset passes the gate on ML-100K, k-anonymous and without unique users',
  { skip },
  async () => {
    const dataset = await load();
    const { report, published } = releaseWithAudit(dataset, presetPolicy('default'), {
      seed: 1,
      format: 'ml-1m',
      utility: false,
      knowledgeCurve: false,
    });
    assert.ok(report.gate.passed, `gate failures: ${report.gate.failures.join('; ')}`);
    for (const outcome of report.audit.scoreboard)
      assert.ok(outcome.reidentified <= 0.05, `${outcome.name}: ${outcome.reidentified}`);
    // … and against the stronger adversaries (m = 12, m = 20, policy-aware), at ≤ 10%.
    assert.deepEqual(
      report.audit.strongerAdversaries.map((outcome) => outcome.name),
      ['m=12, w=0, D=14', 'm=20, w=0, D=14', 'm=12, w=0, no dates, policy-aware'],
    );
    for (const outcome of report.audit.strongerAdversaries)
      assert.ok(outcome.reidentified <= 0.1, `${outcome.name}: ${outcome.reidentified}`);
    // A confident wrong match is not the target's record moved elsewhere: it holds about as much
    // of the target's ratings as a record drawn at random (6% on seed 1; the target's own
    // swapped record holds about a third).
    const { heldByChance } = report.audit;
    assert.ok(heldByChance > 0.02 && heldByChance < 0.15, `by chance ${heldByChance}`);
    const outcomes = [...report.audit.scoreboard, ...report.audit.strongerAdversaries];
    // (Where there are enough wrong matches to average: the policy-aware adversary makes 5.)
    for (const outcome of outcomes.filter((o) => o.wrongMatch * o.targets >= 20))
      assert.ok(
        outcome.wrongMatchHeld < 2 * heldByChance,
        `${outcome.name}: a wrong match holds ${outcome.wrongMatchHeld}`,
      );
    const sizes = classSizes(classKeys(published.users, ['gender', 'age', 'occupation', 'zip']));
    assert.ok(sizes.every((size) => size >= 5));
    assert.equal(report.audit.quasiIdentifiers!.uniqueGenderAgeOccupationZip, 0);
    // Honest utility: nearly everything is released (10% is held back for the utility measure).
    assert.ok(
      report.summary!.releasedUsers >= 0.99 * 943,
      `released users ${report.summary!.releasedUsers}`,
    );
    assert.ok(
      report.summary!.releasedRatings >= 85000,
      `released ratings ${report.summary!.releasedRatings}`,
    );
  },
);

test(
  'the default preset keeps the research value on ML-100K: RMSE within 5%, nDCG@10 at ≥ 70%, the top-N leaderboard in order',
  { skip },
  async () => {
    const dataset = await load();
    const { report } = releaseWithAudit(dataset, presetPolicy('default'), {
      seed: 1,
      format: 'ml-1m',
      utility: true,
      knowledgeCurve: false,
    });
    const { released, untransformed } = report.utility!;
    assert.ok(
      released.rmse <= 1.05 * untransformed.rmse,
      `RMSE ${released.rmse} vs ${untransformed.rmse}`,
    );
    assert.ok(
      released.ndcgAt10 >= 0.7 * untransformed.ndcgAt10,
      `nDCG@10 ${released.ndcgAt10} vs ${untransformed.ndcgAt10}`,
    );
    assert.ok(
      report.researchUtility!.tau.ndcgAt10 >= 0.8,
      `τ ${report.researchUtility!.tau.ndcgAt10}`,
    );
    // The swap keeps every movie's ratings: each movie's count in the release is its count in
    // the source less the held-back and withheld ratings only (none dropped by suppression).
    assert.equal(report.summary!.suppressedMovies, 0);
  },
);

test(
  'the movielens preset reports its demographic uniqueness and is refused; default is the nearest preset that passes',
  { skip },
  async () => {
    const dataset = await load();
    const { report } = releaseWithAudit(dataset, presetPolicy('movielens'), {
      seed: 1,
      format: 'ml-1m',
      utility: false,
      knowledgeCurve: false,
    });
    assert.equal(report.gate.passed, false);
    const qi = report.audit.quasiIdentifiers!;
    assert.ok(
      qi.uniqueGenderAgeOccupationZip > 0.9,
      `unique on (g, a, o, zip): ${qi.uniqueGenderAgeOccupationZip}`,
    );
    assert.ok(qi.uniqueGenderAgeZip3 !== null && qi.uniqueGenderAgeZip3 > 0.3);
    assert.ok(report.gate.failures.some((failure) => failure.startsWith('scoreboard')));
    assert.equal(report.gate.nearestPassingPreset, 'default');
  },
);

test(
  'the stronger adversaries alone refuse the naive preset on ML-100K, even with the five settings let through',
  { skip },
  async () => {
    const dataset = await load();
    const policy = presetPolicy('naive');
    policy.gate.maxReidentified = 1;
    const { report } = releaseWithAudit(dataset, policy, {
      seed: 1,
      format: 'ml-1m',
      utility: false,
      knowledgeCurve: false,
    });
    assert.equal(report.gate.passed, false);
    const stronger = report.gate.failures.filter((f) => f.startsWith('stronger adversary'));
    assert.equal(stronger.length, 3, report.gate.failures.join('; '));
    assert.match(
      stronger[1],
      /^stronger adversary \(m=20, w=0, D=14\): \d+\.\d% of targets re-identified, above 10\.0%$/,
    );
    assert.ok(!report.gate.failures.some((f) => f.startsWith('scoreboard')));
    // More knowledge re-identifies more; the policy-aware adversary needs no dates.
    const [m12, m20, aware] = report.audit.strongerAdversaries.map((o) => o.reidentified);
    assert.ok(m20 >= m12 && m12 > 0.5, `m=12 ${m12}, m=20 ${m20}`);
    assert.ok(aware > 0.5, `policy-aware ${aware}`);
    // The same release passes when the stronger adversaries are let through too (the limit decides).
    policy.gate.maxReidentifiedStronger = 1;
    const lenient = releaseWithAudit(dataset, policy, {
      seed: 1,
      format: 'ml-1m',
      utility: false,
      knowledgeCurve: false,
    });
    assert.ok(lenient.report.gate.passed, lenient.report.gate.failures.join('; '));
  },
);

test(
  'the knowledge curve runs to m = 20 and agrees with the stronger adversaries at m = 12 and 20 (other draws)',
  { skip },
  async () => {
    const dataset = await load();
    const audit = auditRelease({ truth: dataset, release: dataset, targets: 200 });
    assert.deepEqual(
      audit.knowledgeCurve.map((point) => point.m),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20],
    );
    const at = (m: number) => audit.knowledgeCurve.find((point) => point.m === m)!;
    // The curve reads every m from one draw per target; the stronger adversaries draw their own:
    // the same measure, within the sampling noise of 200 targets.
    assert.ok(Math.abs(at(12).withDates - audit.strongerAdversaries[0].reidentified) <= 0.06);
    assert.ok(Math.abs(at(20).withDates - audit.strongerAdversaries[1].reidentified) <= 0.06);
    assert.ok(at(20).withDates >= at(4).withDates);
    assert.ok(at(20).withoutDates > at(2).withoutDates);
  },
);
