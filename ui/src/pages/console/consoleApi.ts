// The researcher console's API client (see src/http/routes/console.ts and docs/api.md, "Console").
import { request } from '../../api.ts';

export interface DatasetOverview {
  members: number;
  movies: number;
  ratings: number;
  ratingsPerDay: Array<{ day: string; ratings: number }>;
  ratingDistribution: Array<{ rating: number; ratings: number }>;
}

export interface ExperimentVariant {
  name: string;
  weight: number;
  share: number;
  description: string;
}

export interface Experiment {
  id: number;
  name: string;
  hypothesis: string;
  population: 'new-members' | 'all';
  startsAt: string;
  stopsAt: string;
  status: 'draft' | 'running' | 'stopped';
  state: 'draft' | 'scheduled' | 'running' | 'ended' | 'stopped';
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  variants: ExperimentVariant[];
}

export interface ExperimentDefinition {
  name: string;
  hypothesis: string;
  population: string;
  variants: Array<{ name: string; weight: number; description?: string }>;
  startsAt?: string;
  stopsAt: string;
}

export interface Estimate {
  n: number;
  value: number | null;
  low: number | null;
  high: number | null;
}

export interface ExperimentResults {
  experiment: Experiment;
  until: string;
  variants: Array<{
    variant: string;
    weight: number;
    share: number;
    exposed: number;
    ratingsPerMember: Estimate;
    clickThrough: Estimate & { clicks: number; impressions: number };
    meanAbsoluteError: Estimate;
  }>;
  readings: Record<string, string>;
  charts: Array<{
    metric: string;
    label: string;
    format: string;
    points: Array<{
      variant: string;
      value: number | null;
      low: number | null;
      high: number | null;
    }>;
  }>;
}

export interface ModelRun {
  id: number;
  kind: 'train' | 'evaluate';
  algorithm: string;
  protocol: string | null;
  seed: number;
  publish: boolean;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  progress: number;
  phase: string;
  startedAt: string;
  finishedAt: string | null;
  metrics: Record<string, number>;
  fitSeconds: number | null;
  predictSeconds: number | null;
  ratings: number | null;
  modelVersion: string | null;
  error: string | null;
}

export interface RunList {
  items: ModelRun[];
  busy: boolean;
  algorithms: string[];
  protocols: string[];
}

export interface ReleaseOutcome {
  passed: boolean;
  failures: string[];
  nearestPassingPreset: string | null;
  policy: string | null;
  format: string | null;
  seed: number | null;
  scoreboard: Array<{ setting: string; reidentified: number; wrongMatch: number }>;
  releasedUsers: number | null;
  releasedRatings: number | null;
  releasedMovies: number | null;
  files: string[];
}

export interface ConsoleRelease {
  id: string;
  status: 'running' | 'passed' | 'refused' | 'failed' | 'cancelled';
  preset: string;
  format: string;
  seed: number | null;
  startedAt: string;
  finishedAt: string | null;
  progress: number;
  phase: string;
  error: string | null;
  outcome: ReleaseOutcome | null;
  reportUrl: string | null;
}

export interface ReleaseList {
  items: ConsoleRelease[];
  busy: boolean;
  presets: string[];
  formats: string[];
}

export interface RoleGrant {
  memberId: number;
  role: 'researcher' | 'admin';
  grantedAt: string;
  grantedBy: number | null;
}

export interface AuditEntry {
  id: number;
  occurredAt: string;
  actorId: number | null;
  action: string;
  targetMemberId: number | null;
  reason: string | null;
  detail: Record<string, unknown> | null;
}

export const consoleApi = {
  myExperiments: () => request<Record<string, string>>('GET', '/api/me/experiments'),
  overview: (days?: number) =>
    request<DatasetOverview>('GET', '/api/console/overview', undefined, { days }),
  experiments: () => request<{ items: Experiment[] }>('GET', '/api/console/experiments'),
  experiment: (id: number) => request<Experiment>('GET', `/api/console/experiments/${id}`),
  createExperiment: (definition: ExperimentDefinition) =>
    request<Experiment>('POST', '/api/console/experiments', definition),
  startExperiment: (id: number) =>
    request<Experiment>('POST', `/api/console/experiments/${id}/start`),
  stopExperiment: (id: number) =>
    request<Experiment>('POST', `/api/console/experiments/${id}/stop`),
  results: (id: number) =>
    request<ExperimentResults>('GET', `/api/console/experiments/${id}/results`),
  runs: () => request<RunList>('GET', '/api/console/runs'),
  startRun: (run: { kind: string; algorithm: string; protocol?: string; publish?: boolean }) =>
    request<ModelRun>('POST', '/api/console/runs', run),
  cancelRun: (id: number) => request<ModelRun>('POST', `/api/console/runs/${id}/cancel`),
  releases: () => request<ReleaseList>('GET', '/api/console/releases'),
  startRelease: (release: { preset: string; format: string; seed?: number }) =>
    request<ConsoleRelease>('POST', '/api/console/releases', release),
  cancelRelease: (id: string) =>
    request<ConsoleRelease>('POST', `/api/console/releases/${encodeURIComponent(id)}/cancel`),
  roles: () => request<{ items: RoleGrant[] }>('GET', '/api/console/admin/roles'),
  changeRole: (action: 'grant' | 'revoke', memberId: number, role: string) =>
    request<{ changed: boolean }>('POST', `/api/console/admin/roles/${action}`, { memberId, role }),
  audit: () =>
    request<{ items: AuditEntry[] }>('GET', '/api/console/admin/audit', undefined, { limit: 100 }),
  lookupIdentity: (memberId: number, reason: string) =>
    request<{ memberId: number; email: string | null; auditEntryId: number }>(
      'POST',
      '/api/console/admin/identity',
      { memberId, reason },
    ),
};
