/** The console's dataset overview: members, movies, ratings per day, rating distribution. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { datasetOverview } from '../../../services/datasetOverview.ts';
import { errors, requireRoleOnRoutes, tags } from './common.ts';
import { DatasetOverview, OverviewQuery } from './schemas.ts';

export const overviewRoutes: FastifyPluginAsyncZod = async (app) => {
  requireRoleOnRoutes(app, 'researcher');
  app.get(
    '/overview',
    {
      schema: {
        tags,
        summary: 'Dataset overview: members, movies, ratings per day, rating distribution',
        querystring: OverviewQuery,
        response: { 200: DatasetOverview, ...errors },
      },
    },
    async (request) => datasetOverview(app.services.db, request.query.days),
  );
};
