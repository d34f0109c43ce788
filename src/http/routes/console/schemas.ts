/**
 * The shapes of the researcher console's API: every body, query and response schema its routes
 * use (validation, serialization and the OpenAPI document). The web app imports their types
 * (`import type` and `z.infer`), so the API and its client cannot drift apart.
 */
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../../services/accessAudit.ts';
import { POPULATIONS } from '../../../services/experimentDefinitions.ts';
import { RUN_KINDS, RUN_PROTOCOLS, RUN_STATUSES } from '../../../services/modelRuns.ts';
import { RELEASE_FORMATS, RELEASE_STATUSES } from '../../../services/releaseJobs.ts';
import { POLICY_NAME } from '../../../services/releasePolicies.ts';
import { GRANTABLE_ROLES } from '../../../services/roles.ts';
import { idParam, queryInt } from '../../schemas.ts';

export const Count = z.number().int();
export const Time = z.string().describe('ISO 8601 time');

const Seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

// ---- overview ----------------------------------------------------------------------------------

export const OverviewQuery = z.object({ days: queryInt(1, 3650) });

export const DatasetOverview = z
  .object({
    members: Count,
    movies: Count,
    ratings: Count,
    ratingsPerDay: z
      .array(z.object({ day: z.string().describe('YYYY-MM-DD (UTC)'), ratings: Count }))
      .describe(
        'every calendar day of the window, oldest first, days without ratings as 0: the last `days` days up to the day of the newest rating (not today, so a catalog whose ratings are all in the past still shows them); empty when there are no ratings',
      ),
    ratingDistribution: z.array(z.object({ rating: z.number(), ratings: Count })),
  })
  .meta({ id: 'DatasetOverview' });

// ---- experiments -------------------------------------------------------------------------------

export const Variant = z.object({
  name: z.string(),
  weight: z.number(),
  share: z.number(),
  description: z.string(),
});

export const Experiment = z
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

export const ExperimentList = z.object({ items: z.array(Experiment) });

export const ExperimentDefinitionBody = z
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

export const ExperimentParams = z.object({ id: idParam });

export const EstimateSchema = z.object({
  n: z.number(),
  value: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});

export const ExperimentResults = z
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

/** Outcomes by the recommender members chose (the recommender choice as a dimension). */
export const RecommenderChoiceResults = ExperimentResults.omit({ experiment: true })
  .extend({ choices: Count, switches: Count })
  .meta({ id: 'RecommenderChoiceResults' });

export const Metrics = z.record(
  z.string(),
  z.object({ label: z.string(), better: z.string(), format: z.string() }),
);

// ---- event log -------------------------------------------------------------------------------

export const dateQuery = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, {
      error: 'must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z',
    })
    .optional(),
);

export const EventsExportQuery = z.object({
  format: z.enum(['csv', 'jsonl']).default('csv'),
  since: dateQuery.describe('inclusive, ISO date or time'),
  until: dateQuery.describe('exclusive, ISO date or time'),
});

// ---- model runs --------------------------------------------------------------------------------

export const ModelRun = z
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

export const RunList = z.object({
  items: z.array(ModelRun),
  busy: z.boolean(),
  algorithms: z.array(z.string()),
  protocols: z.array(z.string()),
});

export const RunRequestBody = z.object({
  kind: z.enum(RUN_KINDS),
  algorithm: z.string().max(40),
  protocol: z.enum(RUN_PROTOCOLS).optional(),
  seed: Seed.optional(),
  publish: z
    .boolean()
    .optional()
    .describe('train only: publish the model and serve it (default false)'),
});

export const RunParams = z.object({ id: idParam });

// ---- releases ------------------------------------------------------------------------------------

export const ReleaseOutcome = z.object({
  passed: z.boolean(),
  failures: z.array(z.string()).describe('one line per measure above its threshold'),
  nearestPassingPreset: z.string().nullable(),
  policy: z.string().nullable(),
  format: z.enum(RELEASE_FORMATS).nullable(),
  seed: Count.nullable(),
  adversaries: z
    .array(
      z.object({
        setting: z.string(),
        reidentified: z.number(),
        wrongMatch: z.number(),
        limit: z
          .number()
          .nullable()
          .describe('the share above which the gate refuses (null in older reports)'),
      }),
    )
    .describe(
      "shares of the audit's targets, per adversary the gate judges: the five scoreboard settings, public knowledge, the stronger ones",
    ),
  releasedUsers: Count.nullable(),
  releasedRatings: Count.nullable(),
  releasedMovies: Count.nullable(),
  tasteModel: z
    .string()
    .nullable()
    .describe(
      "the taste model the swap dealt by and each candidate's held-out RMSE, when the policy chose among them",
    ),
  utility: z
    .object({
      rmseChange: z
        .number()
        .describe("the utility model's RMSE on the release over the true data's, − 1"),
      ndcgKept: z.number().describe('its nDCG@10 on the release as a share of the true data’s'),
      tau: z
        .object({ rmse: z.number(), ndcgAt10: z.number() })
        .nullable()
        .describe("Kendall τ-b of the leaderboard's order, release against true data"),
      reordered: z
        .array(z.string())
        .describe('pairs of algorithms the release orders otherwise than the true data'),
    })
    .nullable()
    .describe('null when no ratings were held back to measure utility'),
  files: z.array(z.string()),
});

export const ConsoleRelease = z
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
    outcome: ReleaseOutcome.nullable(),
    reportUrl: z.string().nullable().describe('the privacy-report.html of the release'),
  })
  .meta({ id: 'ConsoleRelease' });

export const ReleaseList = z.object({
  items: z.array(ConsoleRelease),
  busy: z.boolean(),
  presets: z.array(z.string()),
  policies: z
    .array(z.string())
    .describe(
      "the operator's policies (files of LENSLAB_POLICIES_DIR), offered beside the presets",
    ),
  formats: z.array(z.string()),
});

export const ReleaseRequestBody = z.strictObject({
  preset: z
    .string()
    .max(40)
    .regex(POLICY_NAME, 'must be the name of a preset or of one of the operator’s policies')
    .describe('a preset, or one of the operator’s policies (see `policies`)'),
  format: z.enum(RELEASE_FORMATS).default('ml-1m'),
  seed: Seed.optional(),
});

export const releaseIdParam = z
  .string()
  .max(80)
  .regex(/^[0-9A-Za-z-]+$/, 'must be a release id such as 20261125T043000Z-default-ml-1m');

export const ReleaseParams = z.object({ id: releaseIdParam });

export const ReleaseFileParams = z.object({
  id: releaseIdParam,
  name: z
    .string()
    .max(100)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      "must be the name of one of the release's files, such as ratings.dat (no path)",
    ),
});

export const ReleaseFile = z.object({
  name: z.string(),
  bytes: Count,
  url: z.string().describe('the download (Content-Disposition: attachment)'),
});

export const ReleaseFileList = z
  .object({
    items: z
      .array(ReleaseFile)
      .describe("the files of the release's folder, by name (none while it runs)"),
  })
  .meta({ id: 'ReleaseFileList' });

// ---- admin ---------------------------------------------------------------------------------------

export const RoleGrant = z
  .object({
    memberId: Count,
    role: z.enum(GRANTABLE_ROLES),
    grantedAt: Time,
    grantedBy: Count.nullable(),
  })
  .meta({ id: 'RoleGrant' });

export const RoleList = z.object({ items: z.array(RoleGrant) });

export const RoleChange = z.object({ memberId: idParam, role: z.enum(GRANTABLE_ROLES) });

export const RoleChangeResult = z.object({ changed: z.boolean() });

export const AuditEntry = z
  .object({
    id: Count,
    occurredAt: Time,
    actorId: Count.nullable(),
    action: z.enum(AUDIT_ACTIONS),
    targetMemberId: Count.nullable(),
    reason: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' });

export const AuditQuery = z.object({
  limit: queryInt(1, 1000),
  beforeId: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce.number().int().min(1).optional(),
  ),
});

export const AuditLog = z.object({ items: z.array(AuditEntry) });

export const IdentityLookupBody = z.object({
  memberId: idParam,
  reason: z.string().max(500).describe('why you need to know (10–500 characters)'),
});

export const IdentityLookup = z.object({
  memberId: Count,
  email: z.string().nullable(),
  auditEntryId: Count,
});
