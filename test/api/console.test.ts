import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readEvents } from '../../src/services/events.ts';
import type { ReleaseOutcome } from '../../src/services/releases.ts';
import { grantRole } from '../../src/services/roles.ts';
import { testDatabases } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';
import { experimentDefinition } from '../research/helpers.ts';
import { Client, PASSWORD, member, popularMovieIds, startApi, type Api } from './harness.ts';

type Method = 'GET' | 'POST';
interface Route {
  method: Method;
  url: string;
  body?: unknown;
  admin?: boolean;
}

for (const database of testDatabases) {
  describe(`researcher console API (${database.name})`, { skip: database.skip }, () => {
    let api: Api;
    let researcher: Awaited<ReturnType<typeof member>>;
    let admin: Awaited<ReturnType<typeof member>>;
    let plain: Awaited<ReturnType<typeof member>>;

    let releasesDir: string;

    before(async () => {
      // The releases folder of this server (read when the server builds its research services).
      releasesDir = tempDir('lenslab-releases-');
      process.env.LENSLAB_RELEASES_DIR = releasesDir;
      // The operator offers one policy of their own beside the presets.
      const policiesDir = tempDir('lenslab-policies-');
      writeFileSync(
        join(policiesDir, 'compare-algorithms.yaml'),
        'ratings:\n  alternatives: []\n  calibration: { steps: 5 }\n  swap: { popularShare: 0.25, sigma: 0.7, popularSigma: 0.7, plausibility: item-knn }\n',
      );
      process.env.LENSLAB_POLICIES_DIR = policiesDir;
      api = await startApi(database);
      researcher = await member(api);
      admin = await member(api);
      plain = await member(api);
      await grantRole(api.db, researcher.id, 'researcher');
      await grantRole(api.db, admin.id, 'admin');
    });
    after(async () => api?.close());

    const routes = (): Route[] => [
      { method: 'GET', url: '/api/console/overview' },
      { method: 'GET', url: '/api/console/metrics' },
      { method: 'GET', url: '/api/console/experiments' },
      {
        method: 'POST',
        url: '/api/console/experiments',
        body: experimentDefinition('x', []),
      },
      { method: 'GET', url: '/api/console/experiments/1' },
      { method: 'POST', url: '/api/console/experiments/1/start' },
      { method: 'POST', url: '/api/console/experiments/1/stop' },
      { method: 'GET', url: '/api/console/experiments/1/results' },
      { method: 'GET', url: '/api/console/events/export?format=csv' },
      { method: 'GET', url: '/api/console/runs' },
      { method: 'POST', url: '/api/console/runs', body: { kind: 'evaluate', algorithm: 'nope' } },
      { method: 'GET', url: '/api/console/runs/1' },
      { method: 'POST', url: '/api/console/runs/1/cancel' },
      { method: 'GET', url: '/api/console/releases' },
      {
        method: 'POST',
        url: '/api/console/releases',
        body: { preset: 'nope', format: 'ml-1m' },
      },
      { method: 'GET', url: '/api/console/releases/20260101T000000Z-default-ml-1m' },
      { method: 'POST', url: '/api/console/releases/20260101T000000Z-default-ml-1m/cancel' },
      {
        method: 'GET',
        url: '/api/console/releases/20260101T000000Z-default-ml-1m/privacy-report.html',
      },
      { method: 'GET', url: '/api/console/releases/20260101T000000Z-default-ml-1m/files' },
      {
        method: 'GET',
        url: '/api/console/releases/20260101T000000Z-default-ml-1m/files/ratings.dat',
      },
      { method: 'GET', url: '/api/console/admin/roles', admin: true },
      {
        method: 'POST',
        url: '/api/console/admin/roles/grant',
        body: { memberId: 1, role: 'researcher' },
        admin: true,
      },
      {
        method: 'POST',
        url: '/api/console/admin/roles/revoke',
        body: { memberId: 1, role: 'researcher' },
        admin: true,
      },
      { method: 'GET', url: '/api/console/admin/audit', admin: true },
      {
        method: 'POST',
        url: '/api/console/admin/identity',
        body: { memberId: 1, reason: 'a court order, case 12' },
        admin: true,
      },
    ];

    test('every console route: visitor 401, member 403, researcher 403 on admin routes (problem+json)', async () => {
      const visitor = new Client(api.app);
      for (const route of routes()) {
        const label = `${route.method} ${route.url}`;
        const anonymous = await visitor.request(route.method, route.url, route.body);
        assert.equal(anonymous.status, 401, label);
        assert.match(String(anonymous.headers['content-type']), /problem\+json/, label);
        const forbidden = await plain.client.request(route.method, route.url, route.body);
        assert.equal(forbidden.status, 403, label);
        assert.match(String(forbidden.headers['content-type']), /problem\+json/, label);
        const asResearcher = await researcher.client.request(route.method, route.url, route.body);
        if (route.admin) assert.equal(asResearcher.status, 403, label);
        else assert.notEqual(asResearcher.status, 403, label);
        assert.notEqual(asResearcher.status, 401, label);
      }
      // Nothing was changed by the refused requests.
      const roles = await admin.client.get('/api/console/admin/roles');
      assert.equal(roles.status, 200);
      assert.deepEqual(
        (roles.json as { items: Array<{ memberId: number; role: string }> }).items
          .map((grant) => `${grant.memberId}:${grant.role}`)
          .sort(),
        [`${researcher.id}:researcher`, `${admin.id}:admin`].sort(),
      );
    });

    test('overview counts members, movies and ratings, per day and per star', async () => {
      const response = await researcher.client.get('/api/console/overview');
      assert.equal(response.status, 200);
      const overview = response.json as {
        members: number;
        movies: number;
        ratings: number;
        ratingsPerDay: Array<{ day: string; ratings: number }>;
        ratingDistribution: Array<{ rating: number; ratings: number }>;
      };
      assert.equal(overview.movies, 200);
      assert.ok(overview.members >= 60);
      assert.ok(overview.ratings > 0);
      assert.equal(
        overview.ratingDistribution.reduce((sum, row) => sum + row.ratings, 0),
        overview.ratings,
      );
      // Calendar time: every day of the last 365 up to the day of the newest rating, oldest
      // first, the days without ratings as 0 — exactly the counts in the table.
      const ratedAt = (await api.db.kysely.selectFrom('ratings').select('rated_at').execute()).map(
        (row) => Number(row.rated_at),
      );
      const perDay = new Map<number, number>();
      for (const at of ratedAt) {
        const day = Math.floor(at / 86_400);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
      const label = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
      const expected = (days: number) => {
        const last = Math.max(...perDay.keys());
        return Array.from({ length: days }, (_, i) => last - days + 1 + i).map((day) => ({
          day: label(day),
          ratings: perDay.get(day) ?? 0,
        }));
      };
      assert.equal(overview.ratingsPerDay.length, 365);
      assert.deepEqual(overview.ratingsPerDay, expected(365));
      assert.equal(overview.ratingsPerDay.at(-1)!.day, label(Math.max(...perDay.keys())));
      assert.ok(overview.ratingsPerDay.at(-1)!.ratings > 0);
      for (let i = 1; i < overview.ratingsPerDay.length; i++) {
        const gap =
          Date.parse(overview.ratingsPerDay[i].day) - Date.parse(overview.ratingsPerDay[i - 1].day);
        assert.equal(gap, 86_400_000, 'one row per calendar day, no gaps');
      }
      const three = (await researcher.client.get('/api/console/overview?days=3')).json as {
        ratingsPerDay: Array<{ day: string; ratings: number }>;
      };
      assert.deepEqual(three.ratingsPerDay, expected(3));
      const all = (await researcher.client.get('/api/console/overview?days=3650')).json as {
        ratingsPerDay: Array<{ day: string; ratings: number }>;
      };
      assert.deepEqual(all.ratingsPerDay, expected(3650));
      // The zeros are there: the days without ratings in the window.
      const window = new Set(expected(3650).map((row) => row.day));
      assert.equal(
        all.ratingsPerDay.filter((row) => row.ratings === 0).length,
        3650 - [...perDay.keys()].filter((day) => window.has(label(day))).length,
      );
      assert.equal((await researcher.client.get('/api/console/overview?days=0')).status, 400);
    });

    test('experiments: validation names the field; create, start, members get variants, results, stop', async () => {
      const bad = await researcher.client.request(
        'POST',
        '/api/console/experiments',
        experimentDefinition('predicted-stars', ['shown', 'hidden'], {
          variants: [
            { name: 'shown', weight: 1 },
            { name: 'hidden', weight: -1 },
          ],
        }),
      );
      assert.equal(bad.status, 400);
      const problem = bad.json as { detail: string; errors: Array<{ path: string }> };
      assert.match(problem.detail, /variants\[1\]\.weight/);
      assert.ok(problem.errors.some((error) => error.path === 'variants[1].weight'));

      const created = await researcher.client.request(
        'POST',
        '/api/console/experiments',
        experimentDefinition('predicted-stars', ['shown', 'hidden']),
      );
      assert.equal(created.status, 201, created.body);
      const experiment = created.json as { id: number; status: string; name: string };
      assert.equal(experiment.status, 'draft');
      const duplicate = await researcher.client.request(
        'POST',
        '/api/console/experiments',
        experimentDefinition('predicted-stars', ['a', 'b']),
      );
      assert.equal(duplicate.status, 400);
      assert.ok(
        (duplicate.json as { errors: Array<{ path: string }> }).errors.some(
          (error) => error.path === 'name',
        ),
      );
      const stopDraft = await researcher.client.request(
        'POST',
        `/api/console/experiments/${experiment.id}/stop`,
      );
      assert.equal(stopDraft.status, 409);

      // Before the start, members are in no experiment.
      assert.deepEqual((await plain.client.get('/api/me/experiments')).json, {});
      const started = await researcher.client.request(
        'POST',
        `/api/console/experiments/${experiment.id}/start`,
      );
      assert.equal(started.status, 200);
      assert.equal((started.json as { state: string }).state, 'running');

      const seen = new Set<string>();
      const members = [plain];
      for (let i = 0; i < 11; i++) members.push(await member(api));
      for (const { client } of members) {
        const first = (await client.get('/api/me/experiments')).json as Record<string, string>;
        const again = (await client.get('/api/me/experiments')).json as Record<string, string>;
        assert.deepEqual(first, again);
        assert.ok(['shown', 'hidden'].includes(first['predicted-stars']));
        seen.add(first['predicted-stars']);
      }
      assert.deepEqual([...seen].sort(), ['hidden', 'shown']);
      assert.equal((await new Client(api.app).get('/api/me/experiments')).status, 401);

      const results = await researcher.client.get(
        `/api/console/experiments/${experiment.id}/results`,
      );
      assert.equal(results.status, 200, results.body);
      const body = results.json as {
        variants: Array<{ variant: string; exposed: number }>;
        readings: Record<string, string>;
        charts: unknown[];
      };
      assert.equal(
        body.variants.reduce((sum, variant) => sum + variant.exposed, 0),
        members.length,
      );
      assert.equal(Object.keys(body.readings).length, 3);
      assert.equal(body.charts.length, 3);

      const stopped = await researcher.client.request(
        'POST',
        `/api/console/experiments/${experiment.id}/stop`,
      );
      assert.equal(stopped.status, 200);
      assert.deepEqual((await plain.client.get('/api/me/experiments')).json, {});
      const list = (await researcher.client.get('/api/console/experiments')).json as {
        items: Array<{ name: string; status: string }>;
      };
      assert.ok(
        list.items.some((item) => item.name === 'predicted-stars' && item.status === 'stopped'),
      );
      assert.equal((await researcher.client.get('/api/console/experiments/99999')).status, 404);
    });

    test('event export: CSV with a header, JSON Lines, empty range, no e-mail or password', async () => {
      // Whatever the log holds, e-mail addresses and passwords are never in it.
      const { client, email } = await member(api);
      for (const movieId of await popularMovieIds(client, 2))
        await client.request('PUT', `/api/ratings/${movieId}`, { rating: 5 });
      await new Client(api.app).login(email, 'a wrong password!!');
      await new Client(api.app).login(email, PASSWORD);
      await api.app.services.research.events.flush();
      for (const format of ['csv', 'jsonl'] as const) {
        // Raw: the harness client would parse application/x-ndjson as one JSON document.
        const raw = await api.app.inject({
          method: 'GET',
          url: `/api/console/events/export?format=${format}`,
          headers: { cookie: researcher.client.cookie! },
        });
        const response = { status: raw.statusCode, headers: raw.headers, body: raw.body };
        assert.equal(response.status, 200);
        assert.ok(response.body.split('\n').length > 2, `${format}: no events exported`);
        if (format === 'jsonl') {
          for (const line of response.body.trim().split('\n')) JSON.parse(line);
        }
        assert.match(String(response.headers['content-disposition']), /attachment/);
        assert.ok(!response.body.includes(email), `${format} holds an e-mail`);
        assert.ok(!response.body.includes('@'), `${format} holds something like an e-mail`);
        assert.ok(!response.body.includes(PASSWORD), `${format} holds a password`);
        if (format === 'csv') assert.match(response.body, /^id,occurred_at,kind,member_id/);
      }
      const empty = await researcher.client.get(
        '/api/console/events/export?format=csv&since=1990-01-01&until=1990-01-02',
      );
      assert.equal(empty.status, 200);
      assert.equal(empty.body.trim().split('\n').length, 1);
      const emptyJsonl = await api.app.inject({
        method: 'GET',
        url: '/api/console/events/export?format=jsonl&since=1990-01-01&until=1990-01-02',
        headers: { cookie: researcher.client.cookie! },
      });
      assert.equal(emptyJsonl.statusCode, 200);
      assert.equal(emptyJsonl.body, '');
      const reversed = await researcher.client.get(
        '/api/console/events/export?since=2026-02-01&until=2026-01-01',
      );
      assert.equal(reversed.status, 400);
      assert.match(
        (reversed.json as { detail: string }).detail,
        /^until \(2026-01-01\) must be after since/,
      );
      const badDate = await researcher.client.get('/api/console/events/export?since=yesterday');
      assert.equal(badDate.status, 400);
      // Refused requests are not recorded as exports (the audit counts what left).
      const audited = await api.db.kysely
        .selectFrom('access_audit_log')
        .select('detail')
        .where('action', '=', 'events_exported')
        .execute();
      assert.ok(audited.every((row) => !String(row.detail).includes('2026-02-01')));
      assert.ok(audited.some((row) => String(row.detail).includes('"via":"console"')));
    });

    test('model runs: one at a time, progress, results; bad requests name the field', async () => {
      const unknown = await researcher.client.request('POST', '/api/console/runs', {
        kind: 'evaluate',
        algorithm: 'nope',
      });
      assert.equal(unknown.status, 400);
      assert.match((unknown.json as { detail: string }).detail, /^algorithm: /);
      const started = await researcher.client.request('POST', '/api/console/runs', {
        kind: 'evaluate',
        algorithm: 'bias',
        protocol: 'split90',
      });
      assert.equal(started.status, 202, started.body);
      const run = started.json as { id: number; status: string };
      assert.equal(run.status, 'running');
      const second = await researcher.client.request('POST', '/api/console/runs', {
        kind: 'train',
        algorithm: 'bias',
      });
      assert.equal(second.status, 409);
      let current = started.json as {
        status: string;
        progress: number;
        metrics: Record<string, number>;
      };
      for (let i = 0; i < 400 && current.status === 'running'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        current = (await researcher.client.get(`/api/console/runs/${run.id}`))
          .json as typeof current;
      }
      assert.equal(current.status, 'done', JSON.stringify(current));
      assert.equal(current.progress, 1);
      assert.ok(current.metrics.rmse > 0 && current.metrics.rmse < 3);
      const list = (await researcher.client.get('/api/console/runs')).json as {
        items: Array<{ id: number }>;
        busy: boolean;
      };
      assert.equal(list.items[0].id, run.id);
      assert.equal(list.busy, false);
      assert.equal((await researcher.client.get('/api/console/runs/9999')).status, 404);
    });

    test('model runs work on a worker thread: requests are answered while a run is in progress; cancelling ends it', async () => {
      const started = await researcher.client.request('POST', '/api/console/runs', {
        kind: 'train',
        algorithm: 'item-knn',
      });
      assert.equal(started.status, 202, started.body);
      const run = started.json as { id: number };
      // The server answers other requests while the run is still going.
      const movies = await plain.client.get('/api/movies?sort=popularity&pageSize=5');
      assert.equal(movies.status, 200);
      const during = (await researcher.client.get(`/api/console/runs/${run.id}`)).json as {
        status: string;
      };
      assert.equal(during.status, 'running');
      const cancelled = await researcher.client.request(
        'POST',
        `/api/console/runs/${run.id}/cancel`,
      );
      assert.equal(cancelled.status, 200, cancelled.body);
      assert.equal((cancelled.json as { status: string }).status, 'cancelled');
      const list = (await researcher.client.get('/api/console/runs')).json as {
        items: Array<{ id: number; status: string; finishedAt: string | null; metrics: object }>;
        busy: boolean;
      };
      assert.equal(list.busy, false);
      const after = list.items.find((item) => item.id === run.id)!;
      assert.equal(after.status, 'cancelled');
      assert.ok(after.finishedAt);
      assert.deepEqual(after.metrics, {});
      const again = await researcher.client.request('POST', `/api/console/runs/${run.id}/cancel`);
      assert.equal(again.status, 409);
      // The next run starts and finishes normally.
      const next = await researcher.client.request('POST', '/api/console/runs', {
        kind: 'evaluate',
        algorithm: 'bias',
      });
      assert.equal(next.status, 202, next.body);
      await api.app.services.research.modelRuns.idle();
      const done = (
        await researcher.client.get(`/api/console/runs/${(next.json as { id: number }).id}`)
      ).json as { status: string; metrics: Record<string, number> };
      assert.equal(done.status, 'done', JSON.stringify(done));
      assert.ok(done.metrics.rmse > 0);
    });

    test('releases: a preset release runs in the background, writes its files and lists its gate outcome', async () => {
      const withMapping = await researcher.client.request('POST', '/api/console/releases', {
        preset: 'default',
        format: 'ml-1m',
        keepMapping: '/tmp/mapping.csv',
      });
      assert.equal(withMapping.status, 400, 'the console never writes a mapping to live ids');
      const badPreset = await researcher.client.request('POST', '/api/console/releases', {
        preset: 'loose',
      });
      assert.equal(badPreset.status, 400);
      assert.deepEqual(readdirSync(releasesDir), []);

      const started = await researcher.client.request('POST', '/api/console/releases', {
        preset: 'naive',
        format: 'ml-1m',
        seed: 3,
      });
      assert.equal(started.status, 202, started.body);
      const release = started.json as { id: string; status: string };
      assert.equal(release.status, 'running');
      assert.match(release.id, /^\d{8}T\d{6}Z-naive-ml-1m$/);
      const second = await researcher.client.request('POST', '/api/console/releases', {
        preset: 'strict',
      });
      assert.equal(second.status, 409);
      await api.app.services.research.releases.idle();

      type Listed = {
        id: string;
        status: string;
        preset: string;
        seed: number;
        outcome: {
          passed: boolean;
          failures: string[];
          adversaries: Array<{ setting: string; reidentified: number; limit: number | null }>;
          utility: ReleaseOutcome['utility'];
          files: string[];
        } | null;
        reportUrl: string | null;
        error: string | null;
      };
      const list = (await researcher.client.get('/api/console/releases')).json as {
        items: Listed[];
        busy: boolean;
        presets: string[];
      };
      assert.equal(list.busy, false);
      assert.deepEqual(list.presets, ['naive', 'movielens', 'default', 'suppress', 'strict']);
      const listed = list.items.find((item) => item.id === release.id)!;
      assert.ok(listed, JSON.stringify(list.items));
      assert.equal(listed.error, null);
      // The listed outcome is the one in the files the release wrote.
      const folder = join(releasesDir, release.id);
      const report = JSON.parse(readFileSync(join(folder, 'privacy-report.json'), 'utf8')) as {
        gate: {
          passed: boolean;
          failures: string[];
          thresholds: { maxReidentified: number; maxReidentifiedStronger: number };
        };
        audit: {
          scoreboard: Array<{ name: string; reidentified: number }>;
          publicKnowledge: { name: string; reidentified: number } | null;
          strongerAdversaries: Array<{ name: string; reidentified: number }>;
        };
        utility: {
          released: { rmse: number; ndcgAt10: number };
          untransformed: { rmse: number; ndcgAt10: number };
        };
        researchUtility: { tau: { rmse: number; ndcgAt10: number } };
      };
      assert.ok(listed.outcome);
      // Pseudonyms alone (naive) do not protect anyone: the scoreboard attack re-identifies the
      // members, and the gate refuses the release.
      assert.equal(report.gate.passed, false);
      assert.equal(listed.status, 'refused');
      assert.equal(listed.outcome.passed, false);
      assert.deepEqual(listed.outcome.failures, report.gate.failures);
      // Every adversary the gate judges is listed with its limit: the five settings and public
      // knowledge at the gate's limit, the stronger adversaries at theirs.
      const { maxReidentified, maxReidentifiedStronger } = report.gate.thresholds;
      assert.deepEqual(
        listed.outcome.adversaries.map((o) => [o.setting, o.reidentified, o.limit]),
        [
          ...report.audit.scoreboard.map((o) => [o.name, o.reidentified, maxReidentified]),
          ...(report.audit.publicKnowledge
            ? [
                [
                  report.audit.publicKnowledge.name,
                  report.audit.publicKnowledge.reidentified,
                  maxReidentified,
                ],
              ]
            : []),
          ...report.audit.strongerAdversaries.map((o) => [
            o.name,
            o.reidentified,
            maxReidentifiedStronger,
          ]),
        ],
      );
      assert.equal(report.audit.strongerAdversaries.length, 3);
      assert.ok(maxReidentifiedStronger > maxReidentified);
      // What it keeps for research, from the same report: pseudonyms alone change no rating, so
      // the leaderboard keeps its order and no pair is named.
      const utility = listed.outcome.utility;
      assert.ok(utility);
      assert.equal(
        utility.rmseChange,
        report.utility.released.rmse / report.utility.untransformed.rmse - 1,
      );
      assert.equal(
        utility.ndcgKept,
        report.utility.released.ndcgAt10 / report.utility.untransformed.ndcgAt10,
      );
      assert.deepEqual(utility.tau, report.researchUtility.tau);
      assert.equal(utility.tau?.rmse, 1);
      assert.deepEqual(utility.reordered, []);
      assert.equal(listed.seed, 3);
      assert.deepEqual([...listed.outcome.files].sort(), readdirSync(folder).sort());
      // A refused release keeps only its report, and says which measures failed.
      assert.ok(listed.outcome.failures.length > 0);
      assert.deepEqual(readdirSync(folder).sort(), ['privacy-report.html', 'privacy-report.json']);
      // No mapping to live ids and no half-written folder are left anywhere.
      assert.deepEqual(readdirSync(releasesDir), [release.id]);
      assert.ok(!readdirSync(folder).some((name) => /mapping/i.test(name)));

      assert.equal(listed.reportUrl, `/api/console/releases/${release.id}/privacy-report.html`);
      const html = await researcher.client.get(listed.reportUrl);
      assert.equal(html.status, 200);
      assert.match(String(html.headers['content-type']), /text\/html/);
      assert.match(html.body, /<html/i);
      assert.equal(
        (await researcher.client.get(`/api/console/releases/${release.id}`)).status,
        200,
      );
      assert.equal(
        (await researcher.client.get('/api/console/releases/20200101T000000Z-naive-ml-1m')).status,
        404,
      );
      assert.equal(
        (await researcher.client.get('/api/console/releases/..%2F..%2Fetc')).status,
        400,
      );

      // The release's files: listed with their sizes and links, downloaded as attachments with
      // the bytes on disk, for researchers and admins only.
      const files = await researcher.client.get(`/api/console/releases/${release.id}/files`);
      assert.equal(files.status, 200, files.body);
      const items = (files.json as { items: Array<{ name: string; bytes: number; url: string }> })
        .items;
      assert.deepEqual(
        items.map((file) => file.name),
        readdirSync(folder).sort(),
      );
      for (const file of items) {
        assert.equal(
          file.url,
          `/api/console/releases/${release.id}/files/${encodeURIComponent(file.name)}`,
        );
        const onDisk = readFileSync(join(folder, file.name));
        assert.equal(file.bytes, onDisk.length);
        for (const who of [researcher, admin]) {
          const download = await api.app.inject({
            method: 'GET',
            url: file.url,
            headers: { cookie: who.client.cookie! },
          });
          assert.equal(download.statusCode, 200, file.name);
          assert.equal(
            download.headers['content-disposition'],
            `attachment; filename="${file.name}"`,
          );
          assert.ok(download.rawPayload.equals(onDisk), `${file.name}: the bytes on disk`);
        }
        const visitor = await new Client(api.app).get(file.url);
        assert.equal(visitor.status, 401);
        assert.notEqual(visitor.body, onDisk.toString('utf8'));
        const forbidden = await plain.client.get(file.url);
        assert.equal(forbidden.status, 403);
        assert.notEqual(forbidden.body, onDisk.toString('utf8'));
      }
      // Never a path from the request: a file beside the release (or anywhere else) is refused
      // however its name is spelled, and so is a name the release does not hold.
      writeFileSync(join(releasesDir, 'secret.txt'), 'not part of any release');
      const base = `/api/console/releases/${release.id}/files`;
      for (const name of [
        '..%2Fsecret.txt',
        '..%2f..%2fetc%2fpasswd',
        '%2e%2e%2fsecret.txt',
        '..',
        '%2e%2e',
        '.',
        '..%5Csecret.txt',
        '%2Fetc%2Fpasswd',
        'privacy-report.json%2F..%2F..%2Fsecret.txt',
        'privacy-report.json%00',
        'secret.txt',
        'ratings.dat',
        'ratings.dat%20',
      ]) {
        const attack = await researcher.client.get(`${base}/${name}`);
        assert.ok([400, 404].includes(attack.status), `${name}: ${attack.status}`);
        assert.doesNotMatch(attack.body, /not part of any release|root:/, name);
        assert.equal(attack.headers['content-disposition'], undefined, name);
      }
      for (const url of [
        `${base}/../../secret.txt`,
        `${base}/../secret.txt`,
        `/api/console/releases/..%2F${release.id}/files/privacy-report.json`,
        `/api/console/releases/20200101T000000Z-naive-ml-1m/files`,
        `/api/console/releases/20200101T000000Z-naive-ml-1m/files/privacy-report.json`,
      ]) {
        const attack = await researcher.client.get(url);
        assert.ok([400, 404].includes(attack.status), `${url}: ${attack.status}`);
        assert.doesNotMatch(attack.body, /not part of any release/, url);
      }
      rmSync(join(releasesDir, 'secret.txt'));
      // Starting a release is in the audit log.
      const audit = (await admin.client.get('/api/console/admin/audit?limit=50')).json as {
        items: Array<{ action: string; actorId: number; detail: Record<string, unknown> | null }>;
      };
      assert.ok(
        audit.items.some(
          (entry) =>
            entry.action === 'release_started' &&
            entry.actorId === researcher.id &&
            entry.detail?.release === release.id,
        ),
      );
    });

    test('a release can be cancelled: nothing of it is kept', async () => {
      const started = await researcher.client.request('POST', '/api/console/releases', {
        preset: 'default',
        format: 'ml-latest',
      });
      assert.equal(started.status, 202, started.body);
      const { id } = started.json as { id: string };
      const cancelled = await researcher.client.request(
        'POST',
        `/api/console/releases/${id}/cancel`,
      );
      assert.equal(cancelled.status, 200, cancelled.body);
      assert.equal((cancelled.json as { status: string }).status, 'cancelled');
      assert.ok(!existsSync(join(releasesDir, id)));
      assert.ok(!readdirSync(releasesDir).some((name) => name.includes(id)));
      const list = (await researcher.client.get('/api/console/releases')).json as {
        items: Array<{ id: string; status: string }>;
        busy: boolean;
      };
      assert.equal(list.busy, false);
      assert.equal(list.items.find((item) => item.id === id)?.status, 'cancelled');
    });

    test("releases under the operator's own policy: offered by name, nothing else accepted", async () => {
      const list = (await researcher.client.get('/api/console/releases')).json as {
        presets: string[];
        policies: string[];
      };
      assert.deepEqual(list.policies, ['compare-algorithms']);
      // A name is all a researcher sends: no path, no policy document, no unknown name.
      for (const preset of ['../compare-algorithms', 'compare-algorithms.yaml', 'nope']) {
        const refused = await researcher.client.request('POST', '/api/console/releases', {
          preset,
        });
        assert.equal(refused.status, 400, preset);
        assert.match(refused.body, /preset/, refused.body);
      }
      const asDocument = await researcher.client.request('POST', '/api/console/releases', {
        preset: 'default',
        policy: { gate: { maxReidentified: 1 } },
      });
      assert.equal(asDocument.status, 400);
      const unknown = await researcher.client.request('POST', '/api/console/releases', {
        preset: 'nope',
      });
      assert.match(unknown.body, /compare-algorithms/, 'the error lists the names offered');

      const started = await researcher.client.request('POST', '/api/console/releases', {
        preset: 'compare-algorithms',
        format: 'ml-latest',
      });
      assert.equal(started.status, 202, started.body);
      const { id } = started.json as { id: string };
      assert.match(id, /^\d{8}T\d{6}Z-compare-algorithms-ml-latest$/);
      await api.app.services.research.releases.idle();
      const listed = (
        (await researcher.client.get('/api/console/releases')).json as {
          items: Array<{ id: string; preset: string; status: string; outcome: ReleaseOutcome }>;
        }
      ).items.find((item) => item.id === id)!;
      assert.ok(['passed', 'refused'].includes(listed.status), listed.status);
      assert.equal(listed.preset, 'compare-algorithms');
      assert.equal(listed.outcome.policy, 'compare-algorithms');
      // One taste model, named by the policy: no choice to show.
      assert.equal(listed.outcome.tasteModel, null);
      // The report carries the policy as the release applied it.
      const report = JSON.parse(readFileSync(join(releasesDir, id, 'privacy-report.json'), 'utf8'));
      assert.equal(report.policy.ratings.swap.plausibility, 'item-knn');
      assert.equal(report.policy.ratings.swap.popularShare, 0.25);
      assert.equal(report.policy.gate.maxReidentifiedStronger, 0.1);
    });

    test("a researcher's refused identity lookup is in the audit log", async () => {
      const target = await member(api);
      const denied = await researcher.client.request('POST', '/api/console/admin/identity', {
        memberId: target.id,
        reason: 'I would like to know who this is',
      });
      assert.equal(denied.status, 403);
      const byMember = await plain.client.request('POST', '/api/console/admin/identity', {
        memberId: target.id,
        reason: 'curious',
      });
      assert.equal(byMember.status, 403);
      const audit = (await admin.client.get('/api/console/admin/audit?limit=20')).json as {
        items: Array<{
          action: string;
          actorId: number;
          targetMemberId: number | null;
          reason: string | null;
          occurredAt: string;
        }>;
      };
      const attempts = audit.items.filter(
        (entry) => entry.action === 'identity_lookup_denied' && entry.targetMemberId === target.id,
      );
      assert.deepEqual(
        attempts.map((entry) => [entry.actorId, entry.reason]),
        [
          [plain.id, 'curious'],
          [researcher.id, 'I would like to know who this is'],
        ],
      );
      assert.ok(attempts.every((entry) => Date.now() - Date.parse(entry.occurredAt) < 60_000));
      // Nobody learnt anything: the answers hold no e-mail.
      assert.ok(!denied.body.includes('@') && !byMember.body.includes('@'));
    });

    test('admin: grant and revoke roles, identity lookup needs a reason and is audited first', async () => {
      const target = await member(api);
      const grant = await admin.client.request('POST', '/api/console/admin/roles/grant', {
        memberId: target.id,
        role: 'researcher',
      });
      assert.deepEqual(grant.json, { changed: true });
      assert.equal((await target.client.get('/api/console/overview')).status, 200);
      const revoke = await admin.client.request('POST', '/api/console/admin/roles/revoke', {
        memberId: target.id,
        role: 'researcher',
      });
      assert.deepEqual(revoke.json, { changed: true });
      assert.equal((await target.client.get('/api/console/overview')).status, 403);

      const noReason = await admin.client.request('POST', '/api/console/admin/identity', {
        memberId: target.id,
        reason: 'because',
      });
      assert.equal(noReason.status, 400);
      assert.ok(
        (noReason.json as { errors: Array<{ path: string }> }).errors.some(
          (error) => error.path === 'reason',
        ),
      );
      const lookup = await admin.client.request('POST', '/api/console/admin/identity', {
        memberId: target.id,
        reason: 'Abuse report 42 on the message boards',
      });
      assert.equal(lookup.status, 200, lookup.body);
      assert.equal((lookup.json as { email: string }).email, target.email);
      const audit = (await admin.client.get('/api/console/admin/audit?limit=10')).json as {
        items: Array<{ action: string; targetMemberId: number; reason: string | null }>;
      };
      assert.equal(audit.items[0].action, 'identity_lookup');
      assert.equal(audit.items[0].targetMemberId, target.id);
      assert.equal(audit.items[0].reason, 'Abuse report 42 on the message boards');
      assert.ok(audit.items.some((entry) => entry.action === 'role_granted'));
      // The researcher's export was audited too; no e-mail appears in the log apart from none.
      assert.ok(!JSON.stringify(audit).includes('@'));
    });

    test('a click on a recommendation is logged under the member id; bad clicks are refused', async () => {
      const { client, id } = await member(api);
      const [movieId] = await popularMovieIds(client, 1);
      const click = await client.request('POST', '/api/events/click', { movieId, position: 3 });
      assert.equal(click.status, 204);
      assert.equal(
        (await client.request('POST', '/api/events/click', { movieId: 'x' })).status,
        400,
      );
      await api.app.services.research.events.flush();
      const clicks = [];
      for await (const event of readEvents(api.db, {
        memberId: id,
        kinds: ['recommendation_click'],
      }))
        clicks.push(event);
      assert.equal(clicks.length, 1);
      assert.deepEqual(clicks[0].data, { movieId, position: 3, context: 'recommendations' });
    });

    test('a recommender experiment serves each member from their variant algorithm', async () => {
      const created = await researcher.client.request(
        'POST',
        '/api/console/experiments',
        experimentDefinition('recommender-knn-vs-bias', ['bias', 'popular']),
      );
      assert.equal(created.status, 201, created.body);
      const { id } = created.json as { id: number };
      assert.equal(
        (await researcher.client.request('POST', `/api/console/experiments/${id}/start`)).status,
        200,
      );
      const services = api.app.services;
      const { variants: variantRecommenders } = services.research;
      for (let i = 0; i < 4; i++) {
        const viewer = await member(api);
        const variants = (await viewer.client.get('/api/me/experiments')).json as Record<
          string,
          string
        >;
        const variant = variants['recommender-knn-vs-bias'];
        const recommender = await variantRecommenders.recommenderFor(viewer.id, { wait: true });
        assert.equal(recommender.modelInfo.algorithm, variant);
      }
      assert.equal(
        (await researcher.client.request('POST', `/api/console/experiments/${id}/stop`)).status,
        200,
      );
      assert.equal(await variantRecommenders.recommenderFor(plain.id), services.recommender);
    });

    test('the event log records each action under pseudonymous ids; deletion removes them', async () => {
      const events = api.app.services.research.events;
      // An anonymous visitor gets a random cookie id, and a failed login is logged without the e-mail.
      const visitor = new Client(api.app);
      const first = await api.app.inject({ method: 'GET', url: '/api/movies?q=the' });
      const setCookie = String(first.headers['set-cookie'] ?? '');
      const visitorId = /lenslab_visitor=(v_[A-Za-z0-9_-]{22})/.exec(setCookie)?.[1];
      assert.ok(visitorId, setCookie);
      assert.match(setCookie, /HttpOnly/i);
      const { client, id, email } = await member(api);
      assert.equal((await visitor.login(email, 'not the password at all')).status, 401);
      await new Client(api.app).login(email, PASSWORD);
      const [movieA, movieB] = await popularMovieIds(client, 2);
      await client.request('PUT', `/api/ratings/${movieA}`, { rating: 3 });
      await client.request('PUT', `/api/ratings/${movieA}`, { rating: 5 });
      await client.request('DELETE', `/api/ratings/${movieA}`);
      await client.get('/api/movies?q=story');
      await client.get(`/api/movies/${movieB}`);
      const list = (await client.get('/api/recommendations?n=5')).json as {
        items: Array<{ id: number }>;
        model: { algorithm: string; version: string };
      };
      await client.request('POST', '/api/events/click', { movieId: list.items[0].id, position: 1 });
      await new Promise((resolve) => setTimeout(resolve, 50)); // predictions are logged after the answer
      await events.flush();

      const mine = [];
      for await (const event of readEvents(api.db, { memberId: id })) mine.push(event);
      const kinds = new Set(mine.map((event) => event.kind));
      for (const kind of [
        'login',
        'page',
        'rating',
        'predictions_shown',
        'search',
        'recommendation_click',
      ])
        assert.ok(kinds.has(kind as never), `no ${kind} event in ${[...kinds].join(', ')}`);
      const ratings = mine.filter((event) => event.kind === 'rating').map((event) => event.data);
      assert.deepEqual(
        ratings.map((data) => [data.rating, data.previousRating]),
        [
          [3, null],
          [5, 3],
          [null, 5],
        ],
      );
      const shown = mine.find(
        (event) => event.kind === 'predictions_shown' && event.data.context === 'recommendations',
      );
      assert.ok(shown);
      assert.equal(shown.data.modelId, list.model.algorithm);
      assert.equal(shown.data.modelVersion, list.model.version);
      assert.deepEqual(
        shown.data.movieIds,
        list.items.map((item) => item.id),
      );
      const search = mine.find((event) => event.kind === 'search');
      assert.equal(search?.data.query, 'story');
      assert.equal(typeof search?.data.resultCount, 'number');
      const pages = mine.filter((event) => event.kind === 'page').map((event) => event.data.route);
      assert.ok(pages.includes('/api/movies/:id'), pages.join(', '));
      assert.ok(!pages.some((route) => String(route).includes('?')));
      const anonymous = [];
      for await (const event of readEvents(api.db, {})) {
        if (event.visitorId === visitorId) anonymous.push(event.kind);
      }
      assert.ok(anonymous.includes('search') && anonymous.includes('page'), anonymous.join());
      // Nothing anywhere in the table holds an e-mail or a password.
      const rows = await api.db.kysely.selectFrom('events').selectAll().execute();
      const text = JSON.stringify(rows);
      assert.ok(!text.includes(email) && !text.includes('@') && !text.includes(PASSWORD));
      assert.ok(rows.some((row) => row.kind === 'login_failed'));

      // Deleting the account deletes the member's events.
      const deleted = await client.request('DELETE', '/api/me', { password: PASSWORD });
      assert.equal(deleted.status, 204);
      await events.flush();
      const left = await api.db.kysely
        .selectFrom('events')
        .select('id')
        .where('user_id', '=', id)
        .execute();
      assert.equal(left.length, 0);
    });

    test('onboarding picks and public profiles log the predictions the member was shown', async () => {
      const owner = await member(api);
      const [a, b, c] = await popularMovieIds(owner.client, 3);
      for (const movieId of [a, b])
        await owner.client.request('PUT', `/api/ratings/${movieId}`, { rating: 4 });
      const username = `owner_${database.name}_${process.pid}`;
      const privacy = await owner.client.request('PATCH', '/api/me/privacy', {
        ratingsVisibility: 'public',
        username,
      });
      assert.equal(privacy.status, 200, privacy.body);
      const viewer = await member(api);
      await viewer.client.request('PUT', `/api/ratings/${c}`, { rating: 5 });
      type Shown = { id: number; predictedRating: number | null };
      const picks = (await viewer.client.get('/api/onboarding/movies?n=8')).json as Shown[];
      const profile = (await viewer.client.get(`/api/users/${username}`)).json as {
        ratings: Shown[];
      };
      // A visitor sees the profile without predictions, and nothing is logged for them.
      assert.equal((await new Client(api.app).get(`/api/users/${username}`)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 50)); // logged after the answer
      await api.app.services.research.events.flush();
      const shown = new Map<string, { movieIds: number[]; predictedRatings: number[] }>();
      for await (const event of readEvents(api.db, {
        memberId: viewer.id,
        kinds: ['predictions_shown'],
      }))
        shown.set(String(event.data.context), event.data as never);
      for (const [context, items] of [
        ['onboarding', picks],
        ['profile', profile.ratings],
      ] as const) {
        const withPrediction = items.filter((item) => item.predictedRating !== null);
        assert.ok(withPrediction.length > 0, `${context}: no predictions shown`);
        const event = shown.get(context);
        assert.ok(event, `no predictions_shown event for ${context}`);
        assert.deepEqual(
          event.movieIds,
          withPrediction.map((item) => item.id),
        );
        event.predictedRatings.forEach((value, k) =>
          assert.ok(Math.abs(value - withPrediction[k].predictedRating!) < 1e-3, context),
        );
      }
      const visitorEvents = await api.db.kysely
        .selectFrom('events')
        .select('id')
        .where('kind', '=', 'predictions_shown')
        .where('user_id', 'is', null)
        .execute();
      assert.equal(visitorEvents.length, 0);
    });

    test('the console routes are in the OpenAPI document', async () => {
      const document = (await new Client(api.app).get('/api/openapi.json')).json as {
        paths: Record<string, unknown>;
      };
      for (const path of [
        '/api/console/overview',
        '/api/console/experiments',
        '/api/console/experiments/{id}/results',
        '/api/console/events/export',
        '/api/console/runs',
        '/api/console/runs/{id}/cancel',
        '/api/console/releases',
        '/api/console/releases/{id}',
        '/api/console/releases/{id}/privacy-report.html',
        '/api/console/releases/{id}/files',
        '/api/console/releases/{id}/files/{name}',
        '/api/console/admin/identity',
        '/api/me/experiments',
        '/api/events/click',
      ]) {
        assert.ok(path in document.paths, path);
      }
    });
  });
}
