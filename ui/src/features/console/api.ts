// The researcher console's API client. Its shapes are the zod schemas the console routes use
// (src/http/routes/console/schemas.ts), imported as types only: nothing of the server is bundled.
import type { z } from 'zod';
import type * as Schemas from '../../../../src/http/routes/console/schemas.ts';
import { request } from '../../api.ts';

export type DatasetOverview = z.infer<typeof Schemas.DatasetOverview>;
export type Experiment = z.infer<typeof Schemas.Experiment>;
export type ExperimentResults = z.infer<typeof Schemas.ExperimentResults>;
export type ModelRun = z.infer<typeof Schemas.ModelRun>;
export type ConsoleRelease = z.infer<typeof Schemas.ConsoleRelease>;
export type RunRequest = z.input<typeof Schemas.RunRequestBody>;
export type ReleaseRequest = z.input<typeof Schemas.ReleaseRequestBody>;
export type RoleChangeRequest = z.input<typeof Schemas.RoleChange>;

export const consoleApi = {
  myExperiments: () => request<Record<string, string>>('GET', '/api/me/experiments'),
  overview: (days?: number) =>
    request<DatasetOverview>('GET', '/api/console/overview', undefined, { days }),
  experiments: () =>
    request<z.infer<typeof Schemas.ExperimentList>>('GET', '/api/console/experiments'),
  experiment: (id: number) => request<Experiment>('GET', `/api/console/experiments/${id}`),
  createExperiment: (definition: z.input<typeof Schemas.ExperimentDefinitionBody>) =>
    request<Experiment>('POST', '/api/console/experiments', definition),
  startExperiment: (id: number) =>
    request<Experiment>('POST', `/api/console/experiments/${id}/start`),
  stopExperiment: (id: number) =>
    request<Experiment>('POST', `/api/console/experiments/${id}/stop`),
  results: (id: number) =>
    request<ExperimentResults>('GET', `/api/console/experiments/${id}/results`),
  recommenderChoices: () =>
    request<z.infer<typeof Schemas.RecommenderChoiceResults>>(
      'GET',
      '/api/console/recommender-choices',
    ),
  runs: () => request<z.infer<typeof Schemas.RunList>>('GET', '/api/console/runs'),
  startRun: (run: RunRequest) => request<ModelRun>('POST', '/api/console/runs', run),
  cancelRun: (id: number) => request<ModelRun>('POST', `/api/console/runs/${id}/cancel`),
  releases: () => request<z.infer<typeof Schemas.ReleaseList>>('GET', '/api/console/releases'),
  startRelease: (release: ReleaseRequest) =>
    request<ConsoleRelease>('POST', '/api/console/releases', release),
  /** The download link of one of a release's files (`outcome.files`; the server checks the name). */
  releaseFileUrl: (id: string, name: string) =>
    `/api/console/releases/${encodeURIComponent(id)}/files/${encodeURIComponent(name)}`,
  cancelRelease: (id: string) =>
    request<ConsoleRelease>('POST', `/api/console/releases/${encodeURIComponent(id)}/cancel`),
  roles: () => request<z.infer<typeof Schemas.RoleList>>('GET', '/api/console/admin/roles'),
  changeRole: (action: 'grant' | 'revoke', memberId: number, role: RoleChangeRequest['role']) =>
    request<z.infer<typeof Schemas.RoleChangeResult>>(
      'POST',
      `/api/console/admin/roles/${action}`,
      {
        memberId,
        role,
      },
    ),
  audit: () =>
    request<z.infer<typeof Schemas.AuditLog>>('GET', '/api/console/admin/audit', undefined, {
      limit: 100,
    }),
  lookupIdentity: (memberId: number, reason: string) =>
    request<z.infer<typeof Schemas.IdentityLookup>>('POST', '/api/console/admin/identity', {
      memberId,
      reason,
    }),
};
