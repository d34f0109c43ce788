/**
 * The researcher console API (issue #5), under /api/console/…. Each area is an encapsulated
 * plugin with its own role guard: researcher (or admin) here, admin for /api/console/admin/…
 * (console/admin.ts); a visitor gets 401 and a member without the role 403 (problem+json).
 * Researchers see pseudonymous data only.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { PRESET_NAMES } from '../../privacy/index.ts';
import { ALGORITHM_NAMES } from '../../recsys/index.ts';
import { appendAuditEntry } from '../../services/accessAudit.ts';
import { countRows } from '../../services/datasets.ts';
import { exportEvents, type ExportFormat } from '../../services/events.ts';
import {
  METRICS,
  POPULATIONS,
  type Experiment as ExperimentValue,
  type ExperimentResults as ExperimentResultsValue,
} from '../../services/experiments.ts';
import { RUN_KINDS, RUN_PROTOCOLS, RUN_STATUSES } from '../../services/modelRuns.ts';
import {
  RELEASE_FORMATS,
  RELEASE_STATUSES,
  type ConsoleRelease as ConsoleReleaseValue,
} from '../../services/releaseJobs.ts';
import { HttpProblem } from '../problem.ts';
import { forgetRunningExperiments, researchOf } from '../research.ts';
import { idParam } from '../schemas.ts';
import { ADMIN_PREFIX, adminRoutes } from './console/admin.ts';
import { Count, Time, errors, guard, requireRoleOnRoutes, who } from './console/common.ts';

// ---- schemas ---------------------------------------------------------------------------------

const DatasetOverview = z
  .object({
    members: Count,
    movies: Count,
    ratings: Count,
    ratingsPerDay: z
      .array(z.object({ day: z.string().describe('YYYY-MM-DD (UTC)'), ratings: Count }))
      .describe(
        'the last `days` days with ratings, oldest first; days without ratings in between are included as 0 when the gap is at most 31 days',
      ),
    ratingDistribution: z.array(z.object({ rating: z.number(), ratings: Count })),
  })
  .meta({ id: 'DatasetOverview' });

const Variant = z.object({
  name: z.string(),
  weight: z.number(),
  share: z.number(),
  description: z.string(),
});

const Experiment = z
  .object({
    id: Count,
    name: z.string(),
    hypothesis: z.string(),
    population: z.enum(POPULATIONS),
    startsAt: Time,
    stopsAt: Time,
    status: z.enum(['draft', 'running', 'stopped']),
    state: z.enum(['draft', 'scheduled', 'running', 'ended', 'stopped']),
    createdAt: Time,
    createdBy: Count.nullable(),
    startedAt: Time.nullable(),
    stoppedAt: Time.nullable(),
    variants: z.array(Variant),
  })
  .meta({ id: 'Experiment' });

const ExperimentDefinitionBody = z
  .object({
    name: z.string().describe('unique; e.g. "predicted-stars" (see the README)'),
    hypothesis: z.string(),
    population: z.string().describe('"new-members" or "all"'),
    variants: z
      .array(
        z.object({
          name: z.string(),
          weight: z.number().describe('positive'),
          description: z.string().optional(),
        }),
      )
      .describe('at least two, names unique'),
    startsAt: z.string().optional().describe('ISO date or time; default now'),
    stopsAt: z.string().describe('ISO date or time, after startsAt'),
  })
  .meta({
    id: 'ExperimentDefinition',
    description: 'checked in full by the experiment service; errors name the field',
  });

const EstimateSchema = z.object({
  n: z.number(),
  value: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});

const ExperimentResults = z
  .object({
    experiment: Experiment,
    until: Time,
    variants: z.array(
      z.object({
        variant: z.string(),
        weight: z.number(),
        share: z.number(),
        exposed: Count,
        ratingsPerMember: EstimateSchema,
        clickThrough: EstimateSchema.extend({ clicks: z.number(), impressions: z.number() }),
        meanAbsoluteError: EstimateSchema,
      }),
    ),
    readings: z.record(z.string(), z.string()).describe('one plain-language reading per metric'),
    charts: z.array(
      z.object({
        metric: z.string(),
        label: z.string(),
        format: z.string(),
        points: z.array(
          z.object({
            variant: z.string(),
            value: z.number().nullable(),
            low: z.number().nullable(),
            high: z.number().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'ExperimentResults' });

const ModelRun = z
  .object({
    id: Count,
    kind: z.enum(RUN_KINDS),
    algorithm: z.string(),
    protocol: z.string().nullable(),
    seed: Count,
    publish: z.boolean(),
    status: z.enum(RUN_STATUSES),
    progress: z.number().describe('0..1'),
    phase: z.string(),
    startedAt: Time,
    finishedAt: Time.nullable(),
    metrics: z.record(z.string(), z.number()),
    fitSeconds: z.number().nullable(),
    predictSeconds: z.number().nullable(),
    ratings: Count.nullable(),
    modelVersion: z.string().nullable(),
    error: z.string().nullable(),
    startedBy: Count.nullable(),
  })
  .meta({ id: 'ModelRun' });

const ConsoleRelease = z
  .object({
    id: z.string().describe('the folder name, e.g. 20261125T043000Z-default-ml-1m'),
    status: z.enum(RELEASE_STATUSES).describe("passed / refused: the privacy gate's verdict"),
    preset: z.string(),
    format: z.enum(RELEASE_FORMATS),
    seed: Count.nullable(),
    startedAt: Time,
    finishedAt: Time.nullable(),
    startedBy: Count.nullable(),
    progress: z.number().describe('0..1 of the current phase'),
    phase: z.string(),
    error: z.string().nullable(),
    outcome: z
      .object({
        passed: z.boolean(),
        failures: z.array(z.string()).describe('one line per measure above its threshold'),
        nearestPassingPreset: z.string().nullable(),
        policy: z.string().nullable(),
        format: z.enum(RELEASE_FORMATS).nullable(),
        seed: Count.nullable(),
        scoreboard: z
          .array(
            z.object({ setting: z.string(), reidentified: z.number(), wrongMatch: z.number() }),
          )
          .describe("shares of the audit's targets, per scoreboard setting"),
        releasedUsers: Count.nullable(),
        releasedRatings: Count.nullable(),
        releasedMovies: Count.nullable(),
        files: z.array(z.string()),
      })
      .nullable(),
    reportUrl: z.string().nullable().describe('the privacy-report.html of the release'),
  })
  .meta({ id: 'ConsoleRelease' });

const releaseIdParam = z
  .string()
  .max(80)
  .regex(/^[0-9A-Za-z-]+$/, 'must be a release id such as 20261125T043000Z-default-ml-1m');

const dateQuery = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, {
      error: 'must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z',
    })
    .optional(),
);

// ---- helpers ---------------------------------------------------------------------------------

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function presentExperiment(experiment: ExperimentValue) {
  return {
    ...experiment,
    startsAt: experiment.startsAt.toISOString(),
    stopsAt: experiment.stopsAt.toISOString(),
    createdAt: experiment.createdAt.toISOString(),
    startedAt: iso(experiment.startedAt),
    stoppedAt: iso(experiment.stoppedAt),
  };
}

function presentResults(results: ExperimentResultsValue) {
  return {
    ...results,
    experiment: presentExperiment(results.experiment),
    until: results.until.toISOString(),
  };
}

/** Unix ms of an ISO date or time (a date alone is midnight UTC). */
function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new HttpProblem(400, `${field}: "${value}" is not a date`, [
      { path: field, message: 'is not a date' },
    ]);
  }
  return ms;
}

/** Longest run of days without ratings filled in with zeros (longer gaps are left out). */
const MAX_FILLED_GAP_DAYS = 31;

/**
 * Days (since the epoch) with counts, newest first → oldest first, with the days without ratings
 * in between filled in as zeros when the gap is at most a month (a demo catalog from 2000 and
 * members rating today would otherwise give years of zeros).
 */
function everyDay(days: Array<[number, number]>): Array<{ day: string; ratings: number }> {
  const result: Array<{ day: string; ratings: number }> = [];
  const label = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
  for (let i = days.length - 1; i >= 0; i--) {
    const [day, ratings] = days[i];
    const previous = i < days.length - 1 ? days[i + 1][0] : day;
    if (day - previous - 1 <= MAX_FILLED_GAP_DAYS) {
      for (let gap = previous + 1; gap < day; gap++) result.push({ day: label(gap), ratings: 0 });
    }
    result.push({ day: label(day), ratings });
  }
  return result;
}

// ---- routes ----------------------------------------------------------------------------------

/** The researcher area (researcher or admin role) and, beside it, the admin area. */
export const registerConsoleRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(researcherRoutes);
  await app.register(adminRoutes, { prefix: ADMIN_PREFIX });
};

const researcherRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { db } = services;
  const research = () => researchOf(services);
  requireRoleOnRoutes(app, 'researcher');

  const tags = ['console'];

  // ---- dataset overview ----------------------------------------------------------------------

  app.get(
    '/api/console/overview',
    {
      schema: {
        tags,
        summary: 'Dataset overview: members, movies, ratings per day, rating distribution',
        querystring: z.object({
          days: z.preprocess(
            (value) => (value === '' ? undefined : value),
            z.coerce.number().int().min(1).max(3650).optional(),
          ),
        }),
        response: { 200: DatasetOverview, ...errors },
      },
    },
    async (request) => {
      const counts = await countRows(db);
      const day = sql<number>`floor(rated_at / 86400)`;
      const perDay = await db.kysely
        .selectFrom('ratings')
        .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(day)
        .orderBy(day, 'desc')
        .limit(request.query.days ?? 365)
        .execute();
      const distribution = await db.kysely
        .selectFrom('ratings')
        .select(['rating', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('rating')
        .orderBy('rating')
        .execute();
      return {
        members: counts.users,
        movies: counts.movies,
        ratings: counts.ratings,
        ratingsPerDay: everyDay(perDay.map((row) => [Number(row.day), Number(row.n)])),
        ratingDistribution: distribution.map((row) => ({
          rating: Number(row.rating),
          ratings: Number(row.n),
        })),
      };
    },
  );

  // ---- experiments ---------------------------------------------------------------------------

  app.get(
    '/api/console/experiments',
    {
      schema: {
        tags,
        summary: 'Every experiment, newest first',
        response: { 200: z.object({ items: z.array(Experiment) }), ...errors },
      },
    },
    async () => {
      const items = await research().experiments.list();
      return { items: items.map(presentExperiment) };
    },
  );

  app.post(
    '/api/console/experiments',
    {
      schema: {
        tags,
        summary: 'Define an experiment (a draft until started)',
        body: ExperimentDefinitionBody,
        response: { 201: Experiment, ...errors },
      },
    },
    async (request, reply) => {
      const experiment = await guard(() =>
        research().experiments.create(request.body, { createdBy: who(request) }),
      );
      return reply.code(201).send(presentExperiment(experiment));
    },
  );

  app.get(
    '/api/console/experiments/:id',
    {
      schema: {
        tags,
        summary: 'One experiment',
        params: z.object({ id: idParam }),
        response: { 200: Experiment, ...errors },
      },
    },
    async (request) =>
      presentExperiment(await guard(() => research().experiments.get(request.params.id))),
  );

  for (const action of ['start', 'stop'] as const) {
    app.post(
      `/api/console/experiments/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'start'
              ? 'Start a draft: members are assigned on first exposure'
              : 'Stop a running experiment: nobody is assigned any more',
          params: z.object({ id: idParam }),
          response: { 200: Experiment, ...errors },
        },
      },
      async (request) => {
        const experiments = research().experiments;
        const experiment = await guard(() =>
          action === 'start'
            ? experiments.start(request.params.id)
            : experiments.stop(request.params.id),
        );
        forgetRunningExperiments(services);
        return presentExperiment(experiment);
      },
    );
  }

  app.get(
    '/api/console/experiments/:id/results',
    {
      schema: {
        tags,
        summary:
          'Per variant: members exposed, ratings per member, click-through, MAE of shown predictions, with 95% intervals and a plain-language reading',
        params: z.object({ id: idParam }),
        response: { 200: ExperimentResults, ...errors },
      },
    },
    async (request) =>
      presentResults(await guard(() => research().experiments.results(request.params.id))),
  );

  // ---- event-log export ----------------------------------------------------------------------

  app.get(
    '/api/console/events/export',
    {
      schema: {
        tags,
        summary:
          'Download the event log as CSV or JSON Lines (pseudonymous ids only); an empty range gives the CSV header alone',
        querystring: z.object({
          format: z.enum(['csv', 'jsonl']).default('csv'),
          since: dateQuery.describe('inclusive, ISO date or time'),
          until: dateQuery.describe('exclusive, ISO date or time'),
        }),
        response: {
          200: z.string().describe('text/csv or application/x-ndjson'),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const format: ExportFormat = request.query.format;
      const since = parseTime(request.query.since, 'since');
      const until = parseTime(request.query.until, 'until');
      if (since !== undefined && until !== undefined && !(since < until)) {
        throw new HttpProblem(400, 'until: must be after since', [
          { path: 'until', message: 'must be after since' },
        ]);
      }
      await appendAuditEntry(db, {
        actorId: who(request),
        action: 'events_exported',
        detail: { format, since: request.query.since ?? null, until: request.query.until ?? null },
      });
      // Events still queued in memory go to the table first, so the export is complete.
      await research().events.flush();
      const out = new PassThrough();
      exportEvents(db, format, out, { since, until }).then(
        () => out.end(),
        (error: Error) => out.destroy(error),
      );
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="lenslab-events-${stamp}.${format}"`)
        .send(out as unknown as string);
    },
  );

  // ---- model runs ----------------------------------------------------------------------------

  app.get(
    '/api/console/runs',
    {
      schema: {
        tags,
        summary: 'Model training and evaluation runs, newest first (poll for progress)',
        response: {
          200: z.object({
            items: z.array(ModelRun),
            busy: z.boolean(),
            algorithms: z.array(z.string()),
            protocols: z.array(z.string()),
          }),
          ...errors,
        },
      },
    },
    async () => {
      const runs = research().modelRuns;
      return {
        items: runs.list(),
        busy: runs.busy,
        algorithms: [...ALGORITHM_NAMES],
        protocols: [...RUN_PROTOCOLS],
      };
    },
  );

  app.post(
    '/api/console/runs',
    {
      schema: {
        tags,
        summary: 'Start a train or evaluate run in the background (one at a time: 409 while busy)',
        body: z.object({
          kind: z.enum(RUN_KINDS),
          algorithm: z.string().max(40),
          protocol: z.enum(RUN_PROTOCOLS).optional(),
          seed: z
            .number()
            .int()
            .min(0)
            .max(2 ** 31 - 1)
            .optional(),
          publish: z
            .boolean()
            .optional()
            .describe('train only: publish the model and serve it (default false)'),
        }),
        response: { 202: ModelRun, ...errors },
      },
    },
    async (request, reply) => {
      const run = await guard(async () => research().modelRuns.start(request.body, who(request)));
      return reply.code(202).send(run);
    },
  );

  app.get(
    '/api/console/runs/:id',
    {
      schema: {
        tags,
        summary: 'One run: status, progress and results',
        params: z.object({ id: idParam }),
        response: { 200: ModelRun, ...errors },
      },
    },
    async (request) => {
      const run = research().modelRuns.get(request.params.id);
      if (!run) throw new HttpProblem(404, `model run ${request.params.id} does not exist`);
      return run;
    },
  );

  app.post(
    '/api/console/runs/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a running run (its worker thread is stopped; 409 when it is not running)',
        params: z.object({ id: idParam }),
        response: { 200: ModelRun, ...errors },
      },
    },
    async (request) => {
      const runs = research().modelRuns;
      const { id } = request.params;
      if (!runs.get(id)) throw new HttpProblem(404, `model run ${id} does not exist`);
      if (!(await runs.cancel(id))) throw new HttpProblem(409, `model run ${id} is not running`);
      return runs.get(id)!;
    },
  );

  // ---- dataset releases ----------------------------------------------------------------------

  const releases = () => research().releases;
  const presentRelease = (release: ConsoleReleaseValue) => ({
    ...release,
    reportUrl: releases().reportFile(release.id)
      ? `/api/console/releases/${release.id}/privacy-report.html`
      : null,
  });
  const releaseOr404 = (id: string) => {
    const release = releases().get(id);
    if (!release) throw new HttpProblem(404, `release ${id} does not exist`);
    return release;
  };

  app.get(
    '/api/console/releases',
    {
      schema: {
        tags,
        summary: 'Dataset releases with their gate outcome, newest first (poll for progress)',
        response: {
          200: z.object({
            items: z.array(ConsoleRelease),
            busy: z.boolean(),
            presets: z.array(z.string()),
            formats: z.array(z.string()),
          }),
          ...errors,
        },
      },
    },
    async () => ({
      items: releases().list().map(presentRelease),
      busy: releases().busy,
      presets: [...PRESET_NAMES],
      formats: [...RELEASE_FORMATS],
    }),
  );

  app.post(
    '/api/console/releases',
    {
      schema: {
        tags,
        summary:
          'Start a privacy-audited release with a preset policy (one at a time: 409 while busy); no mapping to live ids is ever written',
        body: z.strictObject({
          preset: z.enum(PRESET_NAMES),
          format: z.enum(RELEASE_FORMATS).default('ml-1m'),
          seed: z
            .number()
            .int()
            .min(0)
            .max(2 ** 31 - 1)
            .optional(),
        }),
        response: { 202: ConsoleRelease, ...errors },
      },
    },
    async (request, reply) => {
      const release = await guard(async () => releases().start(request.body, who(request)));
      await appendAuditEntry(db, {
        actorId: who(request),
        action: 'release_started',
        detail: { release: release.id, preset: release.preset, format: release.format },
      });
      return reply.code(202).send(presentRelease(release));
    },
  );

  app.get(
    '/api/console/releases/:id',
    {
      schema: {
        tags,
        summary: 'One release: progress, gate outcome, re-identification figures',
        params: z.object({ id: releaseIdParam }),
        response: { 200: ConsoleRelease, ...errors },
      },
    },
    async (request) => presentRelease(releaseOr404(request.params.id)),
  );

  app.post(
    '/api/console/releases/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a running release (nothing of it is kept; 409 when it is not running)',
        params: z.object({ id: releaseIdParam }),
        response: { 200: ConsoleRelease, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      releaseOr404(id);
      if (!(await releases().cancel(id)))
        throw new HttpProblem(409, `release ${id} is not running`);
      return presentRelease(releaseOr404(id));
    },
  );

  app.get(
    '/api/console/releases/:id/privacy-report.html',
    {
      schema: {
        tags,
        summary: "The release's privacy report (self-contained HTML)",
        params: z.object({ id: releaseIdParam }),
        response: { 200: z.string().describe('text/html'), ...errors },
      },
    },
    async (request, reply) => {
      const path = releases().reportFile(request.params.id);
      if (!path) throw new HttpProblem(404, `release ${request.params.id} has no privacy report`);
      return reply.type('text/html; charset=utf-8').send(readFileSync(path, 'utf8'));
    },
  );

  // Metric labels for clients that draw the results (kept next to the results schema).
  app.get(
    '/api/console/metrics',
    {
      schema: {
        tags,
        summary: 'The experiment metrics: label, which direction is better, number format',
        response: {
          200: z.record(
            z.string(),
            z.object({ label: z.string(), better: z.string(), format: z.string() }),
          ),
          ...errors,
        },
      },
    },
    async () => METRICS,
  );
};
