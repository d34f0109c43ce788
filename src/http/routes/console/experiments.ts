/**
 * The console's experiments: define, start, stop, read results per variant (and the metrics'
 * labels for clients that draw them); outcomes by the recommender members chose. Starting or stopping one refreshes what the site runs.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Experiment as ExperimentValue } from '../../../services/experimentDefinitions.ts';
import { writeNote } from '../../../services/changeLog.ts';
import { METRICS } from '../../../services/experimentResults.ts';
import { recommenderChoiceResults } from '../../../services/recommenderChoiceResults.ts';
import { errors, requireRoleOnRoutes, tags, who } from './common.ts';
import {
  Experiment,
  ExperimentDefinitionBody,
  ExperimentList,
  ExperimentParams,
  ExperimentResults,
  Metrics,
  RecommenderChoiceResults,
} from './schemas.ts';

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

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

export const experimentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { experiments, running } = app.services.research;
  requireRoleOnRoutes(app, 'researcher');

  app.get(
    '/experiments',
    {
      schema: {
        tags,
        summary: 'Every experiment, newest first',
        response: { 200: ExperimentList, ...errors },
      },
    },
    async () => ({ items: (await experiments.list()).map(presentExperiment) }),
  );

  app.post(
    '/experiments',
    {
      schema: {
        tags,
        summary: 'Define an experiment (a draft until started)',
        body: ExperimentDefinitionBody,
        response: { 201: Experiment, ...errors },
      },
    },
    async (request, reply) => {
      const experiment = await experiments.create(request.body, { createdBy: who(request) });
      return reply.code(201).send(presentExperiment(experiment));
    },
  );

  app.get(
    '/experiments/:id',
    {
      schema: {
        tags,
        summary: 'One experiment',
        params: ExperimentParams,
        response: { 200: Experiment, ...errors },
      },
    },
    async (request) => presentExperiment(await experiments.get(request.params.id)),
  );

  for (const action of ['start', 'stop'] as const) {
    app.post(
      `/experiments/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'start'
              ? 'Start a draft: members are assigned on first exposure'
              : 'Stop a running experiment: nobody is assigned any more',
          params: ExperimentParams,
          response: { 200: Experiment, ...errors },
        },
      },
      async (request) => {
        const experiment = await experiments[action](request.params.id);
        running.forget();
        // The other app nodes re-read their running experiments (they cache them for 5 s).
        await writeNote(app.services.db.kysely, app.services.changes.node, { kind: 'experiments' });
        return presentExperiment(experiment);
      },
    );
  }

  app.get(
    '/experiments/:id/results',
    {
      schema: {
        tags,
        summary:
          'Per variant: members exposed, ratings per member, click-through, MAE of shown predictions, with 95% intervals and a plain-language reading',
        params: ExperimentParams,
        response: { 200: ExperimentResults, ...errors },
      },
    },
    async (request) => {
      const results = await experiments.results(request.params.id);
      return {
        ...results,
        experiment: presentExperiment(results.experiment),
        until: results.until.toISOString(),
      };
    },
  );

  app.get(
    '/recommender-choices',
    {
      schema: {
        tags,
        summary:
          'Outcomes by the recommender members chose (from their choice on), with the number of choices and switches',
        response: { 200: RecommenderChoiceResults, ...errors },
      },
    },
    async () => {
      const results = await recommenderChoiceResults(app.services.db, Date.now());
      return { ...results, until: results.until.toISOString() };
    },
  );

  // Metric labels for clients that draw the results (kept next to the results schema).
  app.get(
    '/metrics',
    {
      schema: {
        tags,
        summary: 'The experiment metrics: label, which direction is better, number format',
        response: { 200: Metrics, ...errors },
      },
    },
    async () => METRICS,
  );
};
