import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Db } from '../../src/db/connection.ts';
import { EventLog, type ResearchEvent } from '../../src/services/events.ts';
import { ServiceError } from '../../src/services/errors.ts';
import { assignVariant, assignmentPoint } from '../../src/services/experimentAssignment.ts';
import { parseExperimentDefinition } from '../../src/services/experimentDefinitions.ts';
import { Experiments } from '../../src/services/experiments.ts';
import { testDatabases } from '../helpers/databases.ts';
import { addMembers, experimentDefinition, serviceError } from './helpers.ts';

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const DAY = 86_400_000;

const definition = (overrides: Record<string, unknown> = {}) =>
  experimentDefinition('rec-algorithm', ['knn', 'als'], {
    startsAt: new Date(T0).toISOString(),
    stopsAt: new Date(T0 + 30 * DAY).toISOString(),
    ...overrides,
  });

function definitionErrors(input: unknown): string[] {
  try {
    parseExperimentDefinition(input);
  } catch (error) {
    assert.ok(error instanceof ServiceError && error.kind === 'invalid');
    assert.equal(error.message, error.fields.map((f) => `${f.path}: ${f.message}`).join('; '));
    return error.fields.map((field) => `${field.path}: ${field.message}`);
  }
  assert.fail('the definition was accepted');
}

describe('experiment definitions', () => {
  test('a good definition parses (times in Unix seconds, names trimmed)', () => {
    const parsed = parseExperimentDefinition(definition({ name: '  rec-algorithm ' }));
    assert.equal(parsed.name, 'rec-algorithm');
    assert.equal(parsed.startsAt, T0 / 1000);
    assert.equal(parsed.stopsAt, T0 / 1000 + 30 * 86_400);
  });

  test('errors name the field', () => {
    assert.deepEqual(
      definitionErrors(
        definition({
          variants: [
            { name: 'A', weight: 0 },
            { name: 'B', weight: -2 },
            { name: 'a', weight: 1 },
          ],
        }),
      ),
      [
        'variants[0].weight: must be positive',
        'variants[1].weight: must be positive',
        'variants[2].name: "a" is used by another variant of this experiment',
      ],
    );
    assert.deepEqual(definitionErrors(definition({ variants: [{ name: 'only', weight: 1 }] })), [
      'variants: an experiment needs at least two variants',
    ]);
    assert.deepEqual(definitionErrors(definition({ stopsAt: new Date(T0 - DAY).toISOString() })), [
      'stopsAt: must be after startsAt (2026-03-01T09:00:00.000Z)',
    ]);
    assert.deepEqual(definitionErrors(definition({ population: 'everyone' })), [
      'population: must be "new-members" or "all"',
    ]);
    assert.deepEqual(definitionErrors(definition({ startsAt: 'next tuesday' })), [
      'startsAt: must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, got "next tuesday"',
    ]);
    assert.deepEqual(definitionErrors(definition({ name: '   ', hypothesis: '' })), [
      'name: must not be empty',
      'hypothesis: state the hypothesis the experiment tests',
    ]);
    assert.match(
      definitionErrors(
        definition({
          variants: [
            { name: 'x', weight: '1' },
            { name: 'y', weight: 1 },
          ],
        }),
      )[0],
      /^variants\[0\]\.weight: must be a number/,
    );
    assert.match(definitionErrors(null)[0], /^definition: /);
  });
});

describe('deterministic assignment', () => {
  test('stable for the same experiment and member, different across experiments', () => {
    const variants = [
      { name: 'A', weight: 1 },
      { name: 'B', weight: 1 },
    ];
    for (let id = 1; id <= 100; id++) {
      assert.equal(assignVariant(7, id, variants), assignVariant(7, id, variants));
    }
    const points = new Set([assignmentPoint(1, 5), assignmentPoint(2, 5), assignmentPoint(1, 6)]);
    assert.equal(points.size, 3);
    for (const point of points) assert.ok(point >= 0 && point < 1);
    let same = 0;
    for (let id = 1; id <= 1000; id++)
      if (assignVariant(1, id, variants) === assignVariant(2, id, variants)) same++;
    assert.ok(same > 400 && same < 600, `experiments should be independent, ${same}/1000 agree`);
  });

  test('over 10,000 members the shares are within 2 points of the weights', () => {
    const variants = [
      { name: 'control', weight: 1 },
      { name: 'big', weight: 2 },
      { name: 'small', weight: 0.5 },
      { name: 'other', weight: 0.5 },
    ];
    const counts = new Map<string, number>();
    for (let id = 1; id <= 10_000; id++) {
      const variant = assignVariant(3, id * 7919, variants);
      counts.set(variant, (counts.get(variant) ?? 0) + 1);
    }
    const expected = { control: 0.25, big: 0.5, small: 0.125, other: 0.125 };
    for (const [name, share] of Object.entries(expected)) {
      const observed = (counts.get(name) ?? 0) / 10_000;
      assert.ok(Math.abs(observed - share) < 0.02, `${name}: ${observed} vs ${share}`);
    }
  });
});

/** Member ids that land in each variant of experiment `experimentId`. */
function membersByVariant(
  experimentId: number,
  variants: Array<{ name: string; weight: number }>,
  perVariant: number,
) {
  const found = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let id = 1000; [...found.values()].some((ids) => ids.length < perVariant); id++) {
    const ids = found.get(assignVariant(experimentId, id, variants))!;
    if (ids.length < perVariant) ids.push(id);
  }
  return found;
}

for (const target of testDatabases) {
  describe(`experiments on ${target.name}`, { skip: target.skip }, () => {
    let db: Db;
    let clock = T0;
    const now = () => clock;
    before(async () => {
      db = await target.open();
      await addMembers(
        db,
        Array.from({ length: 400 }, (_, i) => 1000 + i),
        T0 / 1000 - 86_400,
      );
    });
    after(async () => {
      if (db) await target.cleanup(db);
    });
    beforeEach(async () => {
      clock = T0;
      await db.kysely.deleteFrom('events').execute();
      await db.kysely.deleteFrom('experiments').execute();
    });

    test('create, list, start, stop; names unique; states checked', async () => {
      const experiments = new Experiments(db, { now });
      const created = await experiments.create(definition(), { createdBy: 1000 });
      assert.equal(created.status, 'draft');
      assert.equal(created.state, 'draft');
      assert.deepEqual(
        created.variants.map((v) => [v.name, v.share]),
        [
          ['knn', 0.5],
          ['als', 0.5],
        ],
      );
      await assert.rejects(
        experiments.create(definition()),
        serviceError('invalid', 'name: an experiment named "rec-algorithm" already exists'),
      );
      await assert.rejects(
        experiments.stop('rec-algorithm'),
        serviceError(
          'conflict',
          'experiment "rec-algorithm" is draft: only a running one can stop',
        ),
      );
      clock = T0 - DAY;
      const started = await experiments.start(created.id);
      assert.equal(started.state, 'scheduled');
      assert.deepEqual(started.startedAt, new Date(T0 - DAY));
      clock = T0 + DAY;
      assert.equal((await experiments.get('rec-algorithm')).state, 'running');
      await assert.rejects(
        experiments.start('rec-algorithm'),
        serviceError('conflict', 'experiment "rec-algorithm" is running: only a draft can start'),
      );
      const stopped = await experiments.stop(String(created.id));
      assert.equal(stopped.status, 'stopped');
      // The clock is injected: the stop is stamped with its time, to the second.
      assert.deepEqual(stopped.stoppedAt, new Date(T0 + DAY));
      assert.deepEqual(
        (await experiments.list()).map((e) => e.name),
        ['rec-algorithm'],
      );
      await assert.rejects(
        experiments.get('nope'),
        serviceError('not-found', 'experiment "nope" does not exist'),
      );
    });

    test('variantFor: deterministic, recorded on first exposure, only while running', async () => {
      const experiments = new Experiments(db, { now });
      const created = await experiments.create(definition());
      assert.equal(
        await experiments.variantFor('rec-algorithm', 1001),
        null,
        'a draft assigns nobody',
      );
      await experiments.start('rec-algorithm');
      clock = T0 + 1000;
      const variant = await experiments.variantFor('rec-algorithm', 1001);
      assert.equal(variant, assignVariant(created.id, 1001, created.variants));
      clock = T0 + 5000;
      assert.equal(await experiments.variantFor('rec-algorithm', 1001), variant);
      // Another process (a fresh cache) gives the same answer and keeps the first exposure time.
      const elsewhere = new Experiments(db, { now });
      assert.equal(await elsewhere.variantFor(created.id, 1001), variant);
      const rows = await db.kysely.selectFrom('experiment_assignments').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].variant, variant);
      assert.equal(Number(rows[0].exposed_at_ms), T0 + 1000);
      assert.equal(await experiments.variantFor('no-such-experiment', 1001), null);

      // Members see different variants, in proportion.
      const seen = new Map<string, number>();
      for (let id = 1000; id < 1100; id++) {
        const v = (await experiments.variantFor('rec-algorithm', id))!;
        seen.set(v, (seen.get(v) ?? 0) + 1);
      }
      assert.ok(seen.get('knn')! > 30 && seen.get('als')! > 30, JSON.stringify([...seen]));

      clock = T0 + 31 * DAY;
      assert.equal(await experiments.variantFor('rec-algorithm', 1001), null, 'after the window');
      clock = T0 + DAY;
      await experiments.stop('rec-algorithm');
      assert.equal(await experiments.variantFor('rec-algorithm', 1001), null, 'after stop');
    });

    test("population 'new-members': only members who joined after the start", async () => {
      const experiments = new Experiments(db, { now });
      await experiments.create(
        definition({ name: 'onboarding-picker', population: 'new-members' }),
      );
      await experiments.start('onboarding-picker');
      clock = T0 + 10_000;
      assert.equal(
        await experiments.variantFor('onboarding-picker', 1002),
        null,
        'joined the day before',
      );
      assert.notEqual(
        await experiments.variantFor('onboarding-picker', 1003, { memberCreatedAt: T0 / 1000 + 5 }),
        null,
      );
      await addMembers(db, [5000], T0 / 1000 + 60);
      assert.notEqual(
        await experiments.variantFor('onboarding-picker', 5000),
        null,
        'looked up in users',
      );
      const rows = await db.kysely
        .selectFrom('experiment_assignments')
        .select('user_id')
        .orderBy('user_id')
        .execute();
      assert.deepEqual(
        rows.map((r) => r.user_id),
        [1003, 5000],
      );
      await db.kysely.deleteFrom('users').where('id', '=', 5000).execute();
    });

    test('results: exposure, ratings per member, click-through, MAE, readings', async () => {
      const experiments = new Experiments(db, { now });
      const created = await experiments.create(definition({ name: 'stars' }));
      await experiments.start('stars');
      const groups = membersByVariant(created.id, created.variants, 2);
      const [a1, a2] = groups.get('knn')!;
      const [b1, b2] = groups.get('als')!;
      const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
      // A rating before exposure does not count.
      log.record({
        kind: 'rating',
        memberId: a2,
        movieId: 99,
        rating: 3,
        previousRating: null,
        at: T0 + 500,
      });
      clock = T0 + 1000;
      for (const id of [a1, a2, b1, b2]) assert.ok(await experiments.variantFor('stars', id));
      const shown = (
        memberId: number,
        context: 'recommendations' | 'movie',
        movieIds: number[],
        predicted: number[],
        at: number,
      ): ResearchEvent => ({
        kind: 'predictions_shown',
        memberId,
        context,
        movieIds,
        predictedRatings: predicted,
        modelId: 'test',
        modelVersion: 1,
        at,
      });
      const t = T0 + 2000;
      // knn: a1 shown 3, clicks 1, rates 2 of them (errors 1 and 0.5); a2 shown 2, rates another movie.
      log.record(shown(a1, 'recommendations', [10, 11, 12], [4, 3.5, 2], t));
      log.record({
        kind: 'recommendation_click',
        memberId: a1,
        movieId: 10,
        position: 1,
        at: t + 1,
      });
      log.record({
        kind: 'rating',
        memberId: a1,
        movieId: 10,
        rating: 5,
        previousRating: null,
        at: t + 2,
      });
      log.record({
        kind: 'rating',
        memberId: a1,
        movieId: 11,
        rating: 3,
        previousRating: null,
        at: t + 3,
      });
      log.record(shown(a2, 'recommendations', [10, 13], [3, 4], t));
      log.record({
        kind: 'rating',
        memberId: a2,
        movieId: 20,
        rating: 4,
        previousRating: null,
        at: t + 4,
      });
      // als: b1 shown 2, clicks both, re-rates one (error 0, not a new rating);
      // b2 shown 1, clicks it twice (counted once), rates a movie predicted on its page (error 0.5).
      log.record(shown(b1, 'recommendations', [10, 11], [4, 4], t));
      log.record({ kind: 'recommendation_click', memberId: b1, movieId: 10, at: t + 1 });
      log.record({ kind: 'recommendation_click', memberId: b1, movieId: 11, at: t + 2 });
      log.record({
        kind: 'rating',
        memberId: b1,
        movieId: 10,
        rating: 4,
        previousRating: 3,
        at: t + 3,
      });
      log.record(shown(b2, 'recommendations', [12], [3], t));
      log.record({ kind: 'recommendation_click', memberId: b2, movieId: 12, at: t + 1 });
      log.record({ kind: 'recommendation_click', memberId: b2, movieId: 12, at: t + 2 });
      log.record(shown(b2, 'movie', [30], [2.5], t + 3));
      log.record({
        kind: 'rating',
        memberId: b2,
        movieId: 30,
        rating: 3,
        previousRating: null,
        at: t + 4,
      });
      // A member outside the experiment, and events after the stop, are not counted.
      log.record({
        kind: 'rating',
        memberId: 1399,
        movieId: 10,
        rating: 1,
        previousRating: null,
        at: t,
      });
      await log.close();
      clock = T0 + DAY;
      await experiments.stop('stars');
      const late = new EventLog(db, { flushIntervalMs: 3_600_000 });
      late.record({
        kind: 'rating',
        memberId: a1,
        movieId: 12,
        rating: 2,
        previousRating: null,
        at: T0 + 2 * DAY,
      });
      await late.close();
      clock = T0 + 3 * DAY;

      const results = await experiments.results('stars');
      const [knn, als] = results.variants;
      assert.equal(knn.variant, 'knn');
      assert.equal(knn.exposed, 2);
      assert.equal(als.exposed, 2);
      assert.equal(knn.ratingsPerMember.value, 1.5);
      assert.ok(
        Math.abs(knn.ratingsPerMember.low! - (1.5 - (1.959964 * Math.SQRT1_2) / Math.SQRT2)) < 1e-5,
      );
      assert.equal(als.ratingsPerMember.value, 0.5);
      assert.deepEqual([knn.clickThrough.clicks, knn.clickThrough.impressions], [1, 5]);
      assert.equal(knn.clickThrough.value, 0.2);
      assert.deepEqual([als.clickThrough.clicks, als.clickThrough.impressions], [3, 3]);
      assert.ok(Math.abs(als.clickThrough.low! - 0.4385) < 1e-4);
      assert.equal(knn.meanAbsoluteError.n, 2);
      assert.equal(knn.meanAbsoluteError.value, 0.75);
      assert.equal(als.meanAbsoluteError.n, 2);
      assert.equal(als.meanAbsoluteError.value, 0.25);
      assert.match(
        results.readings.clickThrough,
        /^No clear difference in click-through on recommendations between als \(100\.0%/,
      );
      assert.deepEqual(
        results.charts.map((chart) => [chart.metric, chart.points.map((p) => p.variant)]),
        [
          ['ratingsPerMember', ['knn', 'als']],
          ['clickThrough', ['knn', 'als']],
          ['meanAbsoluteError', ['knn', 'als']],
        ],
      );
    });

    test('results of an experiment nobody saw yet', async () => {
      const experiments = new Experiments(db, { now });
      await experiments.create(definition({ name: 'empty' }));
      const results = await experiments.results('empty');
      assert.deepEqual(
        results.variants.map((v) => [v.exposed, v.ratingsPerMember.value, v.clickThrough.value]),
        [
          [0, null, null],
          [0, null, null],
        ],
      );
      assert.match(results.readings.meanAbsoluteError, /^Not enough data yet/);
    });
  });
}
