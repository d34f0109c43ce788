import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HALF_STARS, onScale } from '../../src/datasets/dataset.ts';
import { readMl1m } from '../../src/datasets/ml1m.ts';
import { readMlLatest } from '../../src/datasets/mlLatest.ts';
import { writeMl1m } from '../../src/datasets/ml1m.ts';
import { auditRelease } from '../../src/privacy/audit.ts';
import { classKeys, classSizes } from '../../src/privacy/demographics.ts';
import { generateReadme } from '../../src/privacy/readme.ts';
import { PRESET_NAMES, presetPolicy, validatePolicy } from '../../src/privacy/policy.ts';
import { releaseWithAudit, releaseWithAuditConcurrently } from '../../src/privacy/report.ts';
import { ReleaseError, checkReleaseTarget, writeRelease } from '../../src/services/releases.ts';
import { smallDataset } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'lenslab-release-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const folder = () => join(root, `r${++folders}`);

const source = smallDataset({ users: 240, movies: 400, perUser: [10, 70], seed: 11 });
// Passes the gate on this small data: the mechanics, not the protection, are under test here.
const lenient = validatePolicy({
  gate: { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 'all' },
  ratings: { riskTargeting: { enabled: false } },
});
const consents = (id: number) => id % 5 !== 0;
const options = {
  seed: 42,
  format: 'ml-1m' as const,
  consents,
  utility: false,
  knowledgeCurve: false,
};

function releaseTo(dir: string, seed = 42, keepMapping?: string) {
  const result = releaseWithAudit(source, lenient, { ...options, seed });
  return { result, written: writeRelease(result, { out: dir, overwrite: false, keepMapping }) };
}

test('same seed, same release; another seed, other pseudonyms', () => {
  const [a, b, c] = [folder(), folder(), folder()];
  releaseTo(a);
  releaseTo(b);
  releaseTo(c, 43);
  for (const name of [
    'ratings.dat',
    'users.dat',
    'movies.dat',
    'README',
    'movie-stats.csv',
    'privacy-report.json',
  ]) {
    assert.ok(
      readFileSync(join(a, name)).equals(readFileSync(join(b, name))),
      `${name} differs between two runs`,
    );
  }
  assert.ok(!readFileSync(join(a, 'ratings.dat')).equals(readFileSync(join(c, 'ratings.dat'))));
});

test('declining members and members below the minimum are left out; no live id appears', async () => {
  const dir = folder();
  const mappingPath = join(root, 'mapping.csv');
  const { result, written } = releaseTo(dir, 42, mappingPath);
  const released = await readMl1m(dir);
  const mapping = readFileSync(mappingPath, 'utf8').trim().split('\n');
  assert.equal(mapping[0], 'release_id,user_id');
  assert.equal(statSync(mappingPath).mode & 0o777, 0o600);
  assert.equal(written.warnings.length, 1);
  const liveOf = new Map(
    mapping.slice(1).map((line) => line.split(',').map(Number) as [number, number]),
  );
  const counts = new Map<number, number>();
  for (let r = 0; r < source.ratings.length; r++) {
    const id = source.ratings.userIds.ids[source.ratings.userIndex[r]];
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const releaseIds = [...released.ratings.userIds.ids];
  assert.deepEqual(
    releaseIds,
    Array.from({ length: releaseIds.length }, (_, i) => i + 1),
  );
  for (const releaseId of releaseIds) {
    const live = liveOf.get(releaseId);
    assert.ok(live !== undefined);
    assert.ok(consents(live), `member ${live} declined research use but was released`);
    assert.ok((counts.get(live) ?? 0) >= 20, `member ${live} has fewer than 20 ratings`);
  }
  assert.ok(
    result.report.summary!.declinedConsent > 0 && result.report.summary!.belowMinRatings > 0,
  );
  // Live ids are 1000 + 7k; release ids are 1..n < 1000: none may appear as a user id.
  const liveIds = new Set(source.ratings.userIds.ids);
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), 'latin1');
    assert.ok(!text.includes('@'), `${name} holds an e-mail-like string`);
    if (name === 'ratings.dat' || name === 'users.dat') {
      for (const line of text.trim().split('\n'))
        assert.ok(!liveIds.has(Number(line.split('::')[0])), `${name}: live id in "${line}"`);
    }
  }
  for (const user of released.users) assert.ok(!liveIds.has(user.id));
});

test('README counts equal the files; users.dat is k-anonymous', async () => {
  const dir = folder();
  releaseTo(dir);
  const readme = readFileSync(join(dir, 'README'), 'utf8');
  const match = /Counts: ratings: (\d+); users: (\d+); movies: (\d+)\./.exec(readme);
  assert.ok(match, 'README states its counts');
  const lines = (name: string) => readFileSync(join(dir, name), 'latin1').trim().split('\n').length;
  assert.equal(Number(match[1]), lines('ratings.dat'));
  assert.equal(Number(match[2]), lines('users.dat'));
  assert.equal(Number(match[3]), lines('movies.dat'));
  assert.match(readme, /ANONYMIZATION POLICY/);
  assert.match(readme, /demographics\.k: 5/);
  // What a wrong match holds of the target, beside what a random record holds.
  assert.match(readme, /against \d+% for a record drawn at random/);
  assert.match(
    readme,
    /m=8, w=2, D=14 +re-identified [\d.]+%, wrong match [\d.]+% \(holding \d+%\)/,
  );
  const released = await readMl1m(dir);
  const sizes = classSizes(classKeys(released.users, ['gender', 'age', 'occupation', 'zip']));
  assert.ok(
    sizes.every((size) => size >= 5),
    `smallest class ${Math.min(...sizes)}`,
  );
});

test("the attack on the written files gives the report's figures", async () => {
  const dir = folder();
  const mappingPath = join(root, 'mapping2.csv');
  const { result } = releaseTo(dir, 42, mappingPath);
  const released = await readMl1m(dir);
  const liveOf = new Map(
    readFileSync(mappingPath, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').map(Number) as [number, number]),
  );
  const audit = auditRelease({
    truth: source,
    release: released,
    originalIdOf: (id) => liveOf.get(id),
    targets: 'all',
    knowledgeCurve: false,
  });
  const shares = (outcomes: typeof audit.scoreboard) =>
    outcomes.map((o) => [o.name, o.targets, o.reidentified, o.wrongMatch, o.noMatch]);
  assert.deepEqual(shares(audit.scoreboard), shares(result.report.audit.scoreboard));
  audit.scoreboard.forEach((o, i) =>
    assert.ok(
      Math.abs(o.meanEntropyBits - result.report.audit.scoreboard[i].meanEntropyBits) < 1e-9,
    ),
  );
});

test('half-star data: ratings.dat holds half stars on the 0.5 grid (ML-10M layout), perturbed or not', async () => {
  const rating = source.ratings.rating.map((r, k) => (k % 3 === 0 ? r - 0.5 : r));
  const halfStars = {
    ...source,
    ratings: { ...source.ratings, rating },
    scale: HALF_STARS,
  };
  const perturbing = validatePolicy({
    gate: { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 'all' },
    ratings: {
      riskTargeting: { enabled: false },
      perturbation: { probability: 0.5, method: 'step' },
    },
  });
  const dir = folder();
  const result = releaseWithAudit(halfStars, perturbing, options);
  writeRelease(result, { out: dir, overwrite: false });
  const released = await readMl1m(dir);
  assert.deepEqual(released.scale, HALF_STARS);
  assert.ok(released.ratings.rating.every((r) => onScale(r, HALF_STARS)));
  assert.ok(released.ratings.rating.some((r) => r === 0.5 || r === 4.5));
  assert.match(
    readFileSync(join(dir, 'README'), 'utf8'),
    /0\.5-5 star scale, with half-star increments[\s\S]*moved one half star up or down/,
  );
});

test('a refused release writes only the report', () => {
  const dir = folder();
  const strictGate = validatePolicy({
    extends: 'naive',
    gate: { maxReidentified: 0.05, targets: 'all' },
  });
  const result = releaseWithAudit(source, strictGate, options);
  assert.equal(result.report.gate.passed, false);
  assert.ok(
    result.report.gate.failures.some((failure) => /scoreboard \(m=6, w=0, D=14\)/.test(failure)),
  );
  assert.equal(result.report.frontier.length, PRESET_NAMES.length);
  writeRelease(result, { out: dir, overwrite: false });
  assert.deepEqual(readdirSync(dir).sort(), ['privacy-report.html', 'privacy-report.json']);
  assert.match(readFileSync(join(dir, 'privacy-report.html'), 'utf8'), /<svg/);
});

test('ml-latest format writes CSV files without demographics', async () => {
  const dir = folder();
  const result = releaseWithAudit(source, lenient, { ...options, format: 'ml-latest' });
  writeRelease(result, { out: dir, overwrite: false });
  assert.deepEqual(readdirSync(dir).sort(), [
    'README',
    'movie-stats.csv',
    'movies.csv',
    'privacy-report.html',
    'privacy-report.json',
    'ratings.csv',
  ]);
  const released = await readMlLatest(dir);
  assert.equal(released.ratings.length, result.report.summary!.releasedRatings);
  assert.equal(result.report.audit.quasiIdentifiers, null);
});

test('a folder that is not empty is refused unless --overwrite; the mapping may not go inside it', () => {
  const dir = folder();
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.txt'), 'x');
  assert.throws(() => checkReleaseTarget(dir, false), ReleaseError);
  assert.doesNotThrow(() => checkReleaseTarget(dir, true));
  assert.throws(
    () => checkReleaseTarget(folder(), false, join(root, `r${folders}`, 'mapping.csv')),
    /inside the release folder/,
  );
  assert.doesNotThrow(() => checkReleaseTarget(folder(), false, join(root, 'elsewhere.csv')));
});

const bin = new URL('../../bin/lenslab', import.meta.url).pathname;
function cli(args: string[]) {
  return spawnSync(bin, args, { encoding: 'utf8' });
}
/** `lenslab release` of the ML-1M folder `data` into `out`, with more arguments. */
function releaseCli(data: string, out: string, ...more: string[]) {
  return cli(['release', '--from', data, '--from-format', 'ml-1m', '--out', out, ...more]);
}

test('CLI: a bad policy is refused with the key named, and nothing is written', () => {
  const data = folder();
  writeMl1m(source, data);
  const policyPath = join(root, 'bad.yaml');
  writeFileSync(policyPath, 'demographics:\n  k: 0\n');
  const out = folder();
  const result = releaseCli(data, out, '--policy', policyPath);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /bad\.yaml: demographics\.k/);
  assert.throws(() => readdirSync(out));
  const unknown = releaseCli(data, out, '--preset', 'lax');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown preset "lax"/);
});

test('CLI: the gate refuses a naive release with a non-zero exit, naming the failed measures and a preset', () => {
  const data = folder();
  writeMl1m(source, data);
  const out = folder();
  const result = releaseCli(data, out, '--preset', 'naive', '--seed', '3');
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /release refused by the privacy gate/);
  assert.match(result.stderr, /scoreboard \(m=8, w=2, D=14\)/);
  assert.match(result.stderr, /preset/);
  assert.deepEqual(readdirSync(out).sort(), ['privacy-report.html', 'privacy-report.json']);
});

test('CLI: audit of a written release with its mapping, as JSON', () => {
  const data = folder();
  writeMl1m(source, data);
  const out = folder();
  const mappingPath = join(root, 'cli-mapping.csv');
  const released = releaseCli(
    data,
    out,
    '--preset',
    'naive',
    '--keep-mapping',
    mappingPath,
    '--seed',
    '5',
  );
  assert.notEqual(released.status, 0); // naive is refused: only the report is written …
  const lenient = join(root, 'lenient.json');
  writeFileSync(
    lenient,
    JSON.stringify({
      extends: 'naive',
      gate: { maxReidentified: 1, maxReidentifiedStronger: 1 },
      utility: { holdout: 0 },
    }),
  );
  const out2 = folder();
  const ok = releaseCli(data, out2, '--policy', lenient, '--keep-mapping', mappingPath, '--json');
  assert.equal(ok.status, 0, ok.stderr);
  // Without held-back ratings there is no utility measure; with them, an untransformed release
  // ranks the algorithms as the true data does, and says so.
  assert.equal(JSON.parse(ok.stdout).researchUtility, null);
  const measured = join(root, 'lenient-measured.json');
  writeFileSync(
    measured,
    JSON.stringify({ extends: 'naive', gate: { maxReidentified: 1, maxReidentifiedStronger: 1 } }),
  );
  const told = releaseCli(data, folder(), '--policy', measured, '--no-frontier');
  assert.equal(told.status, 0, told.stderr);
  assert.match(
    told.stdout,
    /leaderboard τ RMSE 1\.00, nDCG@10 1\.00; every pair in the true order/,
  );
  assert.doesNotMatch(told.stdout, /taste model/); // naive does not swap
  const swapped = join(root, 'lenient-default.json');
  writeFileSync(
    swapped,
    JSON.stringify({ gate: { maxReidentified: 1, maxReidentifiedStronger: 1 } }),
  );
  const dealt = releaseCli(data, folder(), '--policy', swapped, '--no-frontier');
  assert.equal(dealt.status, 0, dealt.stderr);
  assert.match(
    dealt.stdout,
    /swap's taste model: (ALS|item-kNN) \(held-out RMSE \d\.\d{4}; (ALS|item-kNN) \d\.\d{4}\)/,
  );
  const auditOf = (mapping: string, ...more: string[]) =>
    cli([
      'audit',
      '--original',
      data,
      '--format',
      'ml-1m',
      '--release',
      out2,
      '--mapping',
      mapping,
      ...more,
    ]);
  const audit = auditOf(mappingPath, '--targets', 'all', '--json');
  assert.equal(audit.status, 0, audit.stderr);
  const report = JSON.parse(audit.stdout);
  assert.equal(report.audit.scoreboard.length, 5);
  // A naive release (no holdout) is re-identified as easily as the original.
  assert.ok(report.audit.scoreboard[1].reidentified > 0.5);
  // On a terminal the leaderboard's order is told as `lenslab release` tells it: the same data on
  // both sides, so every pair in the true order.
  const told2 = auditOf(mappingPath, '--targets', '50');
  assert.equal(told2.status, 0, told2.stderr);
  assert.match(
    told2.stdout,
    /research utility \(leaderboard on \d+ members; τ 1 = the algorithms rank as on the original\): τ RMSE 1\.00, nDCG@10 1\.00; every pair in the true order/,
  );
  const badMapping = join(root, 'bad-mapping.csv');
  writeFileSync(badMapping, 'release,user\n1,2\n');
  const bad = auditOf(badMapping);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /bad-mapping\.csv:1: expected the header "release_id,user_id"/);
});

test('calibration takes the lightest step whose estimated re-identification is under its target', () => {
  const calibrated = (target: number) =>
    releaseWithAudit(
      source,
      validatePolicy({
        extends: 'suppress',
        gate: { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 'all' },
        ratings: {
          riskTargeting: { enabled: false },
          calibration: { enabled: true, target, steps: 4, sample: 100 },
        },
      }),
      options,
    ).report.summary!;
  const lenient = calibrated(1);
  assert.equal(lenient.calibration.length, 1);
  assert.ok(lenient.appliedSampleFraction > 0.8);
  const impossible = calibrated(0);
  assert.equal(impossible.calibration.length, 4);
  assert.equal(impossible.appliedSampleFraction, presetPolicy('suppress').ratings.sampleFraction);
  assert.equal(
    impossible.appliedPerturbation,
    presetPolicy('suppress').ratings.perturbation.probability,
  );
});

test('an empty release (nobody consents) is refused', () => {
  const result = releaseWithAudit(source, lenient, { ...options, consents: () => false });
  assert.equal(result.report.gate.passed, false);
  assert.match(result.report.gate.failures[0], /no members/);
  assert.equal(result.report.summary!.declinedConsent, 240);
});

test('the concurrent pipeline (utility fits on worker threads) gives the same report as the sequential one', async () => {
  const withUtility = { ...options, utility: true, knowledgeCurve: true, frontier: true };
  const sequential = releaseWithAudit(source, lenient, withUtility).report;
  const reports: Array<[string, number]> = [];
  const result = await releaseWithAuditConcurrently(source, lenient, {
    ...withUtility,
    onProgress: (stage, fraction) => reports.push([stage, fraction]),
  });
  const concurrent = result.report;
  // One fraction for the whole run, though the stages of six policies overlap (the audits on the
  // auditor's thread): it never goes back and ends at 1, and every policy's audit reported.
  const fractions = reports.map(([, fraction]) => fraction);
  assert.ok(fractions.every((fraction, k) => k === 0 || fraction >= fractions[k - 1]));
  assert.equal(fractions.at(-1), 1);
  assert.ok(fractions.some((fraction) => fraction > 0 && fraction < 0.5));
  for (const name of [lenient.name, ...PRESET_NAMES.filter((name) => name !== lenient.name)])
    assert.ok(
      reports.some(([stage]) => stage === `audit (${name})`),
      `audit (${name}) reported`,
    );
  assert.ok(sequential.utility, 'utility measured');
  assert.equal(sequential.utility.algorithm, 'svd');
  assert.ok(sequential.utility.testRatings > 0 && sequential.utility.rankingUsers > 0);
  assert.ok(Number.isFinite(sequential.utility.released.rmse));
  assert.deepEqual(concurrent, sequential);
  assert.equal(concurrent.frontier.length, PRESET_NAMES.length);
  assert.ok(concurrent.frontier.every((point) => point.rmse !== null));
  // The release's README names the utility model and its figures.
  const readme = generateReadme(result.published, concurrent, 'ml-1m');
  assert.match(readme, /Utility: model svd \(default parameters\)/);
  assert.ok(readme.includes(`RMSE ${concurrent.utility!.released.rmse.toFixed(4)}`));
});
