/**
 * Experiments (issue #5): a researcher defines variants with weights (e.g. item-item k-NN vs
 * ALS recommendations, predicted stars shown vs hidden, onboarding picker A vs B), a population
 * ('new-members' joined after the start, or 'all') and a window; starts and stops it; reads
 * results per variant with 95% intervals and a plain-language reading.
 *
 * The web app asks one function for a member's variant: `experiments.variantFor(name, memberId,
 * { memberCreatedAt })` → the variant name, or null (no such running experiment, outside its
 * window, or the member is outside its population: show the default). Assignment is
 * deterministic from SHA-256(`experiment-id:member-id`) mapped to [0, 1) against the cumulative
 * weights, so it is stable across sessions and processes; it is recorded on first exposure.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/connection.ts';
import type { StoredEvent } from './events.ts';
import {
  meanInterval,
  readMetric,
  wilsonInterval,
  type Estimate,
  type MetricDescription,
} from './experimentStats.ts';

export const POPULATIONS = ['new-members', 'all'] as const;
export type Population = (typeof POPULATIONS)[number];

// ---- errors (each carries the HTTP status a handler should answer with) ------------------------

export class ExperimentError extends Error {
  readonly statusCode: number = 400;
  constructor(message: string) {
    super(message);
    this.name = 'ExperimentError';
  }
}

export interface DefinitionIssue {
  /** The field, e.g. "variants[1].weight". */
  path: string;
  message: string;
}

/** An invalid experiment definition: the message names every field at fault. */
export class ExperimentDefinitionError extends ExperimentError {
  constructor(readonly issues: DefinitionIssue[]) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    this.name = 'ExperimentDefinitionError';
  }
}

export class ExperimentNotFoundError extends ExperimentError {
  override readonly statusCode = 404;
  constructor(reference: string | number) {
    super(
      `experiment ${typeof reference === 'number' ? reference : `"${reference}"`} does not exist`,
    );
    this.name = 'ExperimentNotFoundError';
  }
}

/** Starting a running experiment, stopping a draft, …: 409. */
export class ExperimentStateError extends ExperimentError {
  override readonly statusCode = 409;
  constructor(message: string) {
    super(message);
    this.name = 'ExperimentStateError';
  }
}

// ---- definitions -----------------------------------------------------------------------------

const timeInput = z
  .union([z.date(), z.string(), z.number()], {
    error: 'must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z',
  })
  .transform((value, context) => {
    const ms =
      value instanceof Date
        ? value.getTime()
        : typeof value === 'number'
          ? value
          : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())
            ? Date.parse(value.trim())
            : NaN;
    if (!Number.isFinite(ms)) {
      context.addIssue({
        code: 'custom',
        message: `must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, got "${String(value)}"`,
      });
      return z.NEVER;
    }
    return Math.floor(ms / 1000);
  });

const variantSchema = z.object({
  name: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(40, { error: 'must be at most 40 characters' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, {
      error: 'use letters, digits, spaces, "-", "_" or "." (starting with a letter or digit)',
    }),
  weight: z
    .number({ error: 'must be a number' })
    .positive({ error: 'must be positive' })
    .max(1e6, { error: 'must be at most 1,000,000' }),
  description: z.string().trim().max(500, { error: 'must be at most 500 characters' }).optional(),
});

/** What a researcher writes (JSON from the console, or YAML/JSON from the command line). */
export const experimentDefinitionSchema = z
  .object({
    name: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(80, { error: 'must be at most 80 characters' }),
    hypothesis: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, { error: 'state the hypothesis the experiment tests' })
      .max(2000, { error: 'must be at most 2,000 characters' }),
    population: z.enum(POPULATIONS, { error: 'must be "new-members" or "all"' }),
    variants: z
      .array(variantSchema, { error: 'must be a list of variants' })
      .min(2, { error: 'an experiment needs at least two variants' })
      .max(20, { error: 'at most 20 variants' }),
    /** Default: now. */
    startsAt: timeInput.optional(),
    stopsAt: timeInput,
  })
  .superRefine((definition, context) => {
    const seen = new Set<string>();
    definition.variants.forEach((variant, i) => {
      const key = variant.name.toLowerCase();
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['variants', i, 'name'],
          message: `"${variant.name}" is used by another variant of this experiment`,
        });
      }
      seen.add(key);
    });
    const startsAt = definition.startsAt ?? Math.floor(Date.now() / 1000);
    if (!(startsAt < definition.stopsAt)) {
      context.addIssue({
        code: 'custom',
        path: ['stopsAt'],
        message: `must be after startsAt (${new Date(startsAt * 1000).toISOString()})`,
      });
    }
  });

export type ExperimentDefinition = z.input<typeof experimentDefinitionSchema>;

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return 'definition';
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** Parses and checks a definition; throws ExperimentDefinitionError naming the fields. */
export function parseExperimentDefinition(input: unknown) {
  const parsed = experimentDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    throw new ExperimentDefinitionError(
      parsed.error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message })),
    );
  }
  return parsed.data;
}

// ---- assignment (pure) ---------------------------------------------------------------------------

export interface WeightedVariant {
  name: string;
  weight: number;
}

/** SHA-256 of `experiment-id:member-id`, its first 53 bits as a number in [0, 1). */
export function assignmentPoint(experimentId: number, memberId: number): number {
  const digest = createHash('sha256').update(`${experimentId}:${memberId}`).digest();
  // 21 high bits + 32 low bits = 53 bits, exact in a double.
  const high = digest.readUInt32BE(0) >>> 11;
  const low = digest.readUInt32BE(4);
  return (high * 2 ** 32 + low) / 2 ** 53;
}

/** The variant whose cumulative-weight interval holds the member's point. */
export function assignVariant(
  experimentId: number,
  memberId: number,
  variants: ReadonlyArray<WeightedVariant>,
): string {
  let total = 0;
  for (const variant of variants) total += variant.weight;
  const target = assignmentPoint(experimentId, memberId) * total;
  let cumulative = 0;
  for (const variant of variants) {
    cumulative += variant.weight;
    if (target < cumulative) return variant.name;
  }
  return variants[variants.length - 1].name;
}

// ---- the service ---------------------------------------------------------------------------------

export type ExperimentStatus = 'draft' | 'running' | 'stopped';
/** The status seen at a moment: a running experiment before its window is 'scheduled', after it 'ended'. */
export type ExperimentState = 'draft' | 'scheduled' | 'running' | 'ended' | 'stopped';

export interface Variant {
  name: string;
  weight: number;
  /** weight / sum of weights */
  share: number;
  description: string;
}

export interface Experiment {
  id: number;
  name: string;
  hypothesis: string;
  population: Population;
  startsAt: Date;
  stopsAt: Date;
  status: ExperimentStatus;
  state: ExperimentState;
  createdAt: Date;
  createdBy: number | null;
  startedAt: Date | null;
  stoppedAt: Date | null;
  variants: Variant[];
}

interface ExperimentRecord {
  id: number;
  name: string;
  hypothesis: string;
  population: Population;
  /** Unix seconds. */
  startsAt: number;
  stopsAt: number;
  status: ExperimentStatus;
  createdAt: number;
  createdBy: number | null;
  startedAt: number | null;
  stoppedAt: number | null;
  variants: Array<{ name: string; weight: number; description: string }>;
}

const toDate = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000));

function stateAt(record: ExperimentRecord, nowSeconds: number): ExperimentState {
  if (record.status !== 'running') return record.status;
  if (nowSeconds < record.startsAt) return 'scheduled';
  if (nowSeconds >= record.stopsAt) return 'ended';
  return 'running';
}

/** When members count as "new" for the 'new-members' population: the later of start and go-live. */
function populationStart(record: ExperimentRecord): number {
  return Math.max(record.startsAt, record.startedAt ?? record.startsAt);
}

export interface ExperimentsOptions {
  /** How long running experiments are cached before re-reading the database (default 5 s). */
  cacheTtlMs?: number;
  /** Assignments remembered per experiment before the memory is cleared (default 100,000). */
  maxCachedAssignments?: number;
  /** The clock (Unix ms); tests set it. */
  now?: () => number;
}

export interface VariantResult {
  variant: string;
  weight: number;
  share: number;
  /** Members exposed (assigned) to this variant. */
  exposed: number;
  /** New ratings per exposed member after their first exposure. */
  ratingsPerMember: Estimate;
  /** Share of recommendations shown (distinct member × movie) that the member clicked. */
  clickThrough: Estimate & { clicks: number; impressions: number };
  /** |shown prediction − the member's later rating of that movie|, over those pairs. */
  meanAbsoluteError: Estimate;
}

export type MetricName = 'ratingsPerMember' | 'clickThrough' | 'meanAbsoluteError';

export const METRICS: Record<MetricName, MetricDescription> = {
  ratingsPerMember: { label: 'ratings per member', better: 'neither', format: 'number' },
  clickThrough: { label: 'click-through on recommendations', better: 'higher', format: 'percent' },
  meanAbsoluteError: {
    label: 'mean absolute error of shown predictions',
    better: 'lower',
    format: 'number',
  },
};

export interface ExperimentResults {
  experiment: Experiment;
  /** The events counted: from each member's first exposure until `until`. */
  until: Date;
  variants: VariantResult[];
  /** One plain-language reading per metric (each variant against the first). */
  readings: Record<MetricName, string>;
  /** Chart-ready series per metric: value and 95% interval per variant. */
  charts: Array<{
    metric: MetricName;
    label: string;
    format: MetricDescription['format'];
    points: Array<{
      variant: string;
      value: number | null;
      low: number | null;
      high: number | null;
    }>;
  }>;
}

/** What one member did after first exposure (see `summarizeMember`). */
export interface MemberSummary {
  newRatings: number;
  impressions: number;
  clicks: number;
  /** Absolute errors of shown predictions against the member's later ratings. */
  errors: number[];
}

/**
 * Summarizes one member's events (in time order) from `exposedAt` (Unix ms):
 * - new ratings: rating events with a value and no previous rating;
 * - impressions: distinct movies shown in a 'recommendations' list; clicks: those of them the
 *   member then clicked (each counted once);
 * - errors: for each movie the member rated after a prediction for it was shown (any context),
 *   |latest prediction shown before the rating − rating|, once per movie.
 */
export function summarizeMember(events: Iterable<StoredEvent>, exposedAt: number): MemberSummary {
  const recommended = new Map<number, boolean>();
  const lastPrediction = new Map<number, number>();
  const scored = new Set<number>();
  const summary: MemberSummary = { newRatings: 0, impressions: 0, clicks: 0, errors: [] };
  for (const event of events) {
    if (event.occurredAt < exposedAt) continue;
    const data = event.data;
    if (event.kind === 'predictions_shown') {
      const movieIds = data.movieIds as number[];
      const predicted = data.predictedRatings as number[];
      const isRecommendation = data.context === 'recommendations';
      for (let i = 0; i < movieIds.length; i++) {
        lastPrediction.set(movieIds[i], predicted[i]);
        if (isRecommendation && !recommended.has(movieIds[i])) {
          recommended.set(movieIds[i], false);
          summary.impressions++;
        }
      }
    } else if (event.kind === 'recommendation_click') {
      const movieId = data.movieId as number;
      if (recommended.get(movieId) === false) {
        recommended.set(movieId, true);
        summary.clicks++;
      }
    } else if (event.kind === 'rating') {
      const movieId = data.movieId as number;
      const rating = data.rating as number | null;
      if (rating === null) continue;
      if (data.previousRating === null) summary.newRatings++;
      const predicted = lastPrediction.get(movieId);
      if (predicted !== undefined && !scored.has(movieId)) {
        scored.add(movieId);
        summary.errors.push(Math.abs(predicted - rating));
      }
    }
  }
  return summary;
}

const MEMBERS_PER_QUERY = 500;

/** Experiments in one database, with the cache `variantFor` needs to stay cheap per request. */
export class Experiments {
  private readonly cacheTtlMs: number;
  private readonly maxCachedAssignments: number;
  private readonly now: () => number;
  private running: Map<string, ExperimentRecord> | null = null;
  private runningById = new Map<number, ExperimentRecord>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;
  /** experiment id → member id → variant (null: outside the population). */
  private assignments = new Map<number, Map<number, string | null>>();

  constructor(
    private readonly db: Db,
    options: ExperimentsOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5000;
    this.maxCachedAssignments = options.maxCachedAssignments ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Forgets cached experiments (after changes made by another process, e.g. the CLI). */
  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  // ---- reading ---------------------------------------------------------------------------------

  private async records(where?: {
    id?: number;
    name?: string;
    status?: ExperimentStatus;
  }): Promise<ExperimentRecord[]> {
    let query = this.db.kysely.selectFrom('experiments').selectAll().orderBy('id');
    if (where?.id !== undefined) query = query.where('id', '=', where.id);
    if (where?.name !== undefined) query = query.where('name', '=', where.name);
    if (where?.status !== undefined) query = query.where('status', '=', where.status);
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const variants = await this.db.kysely
      .selectFrom('experiment_variants')
      .selectAll()
      .where(
        'experiment_id',
        'in',
        rows.map((row) => Number(row.id)),
      )
      .orderBy('experiment_id')
      .orderBy('position')
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      name: row.name,
      hypothesis: row.hypothesis,
      population: row.population as Population,
      startsAt: Number(row.starts_at),
      stopsAt: Number(row.stops_at),
      status: row.status as ExperimentStatus,
      createdAt: Number(row.created_at),
      createdBy: row.created_by,
      startedAt: row.started_at === null ? null : Number(row.started_at),
      stoppedAt: row.stopped_at === null ? null : Number(row.stopped_at),
      variants: variants
        .filter((variant) => Number(variant.experiment_id) === Number(row.id))
        .map((variant) => ({
          name: variant.name,
          weight: Number(variant.weight),
          description: variant.description,
        })),
    }));
  }

  private present(record: ExperimentRecord): Experiment {
    const total = record.variants.reduce((sum, variant) => sum + variant.weight, 0);
    return {
      id: record.id,
      name: record.name,
      hypothesis: record.hypothesis,
      population: record.population,
      startsAt: new Date(record.startsAt * 1000),
      stopsAt: new Date(record.stopsAt * 1000),
      status: record.status,
      state: stateAt(record, this.nowSeconds()),
      createdAt: new Date(record.createdAt * 1000),
      createdBy: record.createdBy,
      startedAt: toDate(record.startedAt),
      stoppedAt: toDate(record.stoppedAt),
      variants: record.variants.map((variant) => ({ ...variant, share: variant.weight / total })),
    };
  }

  private async record(reference: string | number): Promise<ExperimentRecord> {
    const [record] =
      typeof reference === 'number'
        ? await this.records({ id: reference })
        : /^\d+$/.test(reference)
          ? await this.records({ id: Number(reference) })
          : await this.records({ name: reference.trim() });
    if (!record) throw new ExperimentNotFoundError(reference);
    return record;
  }

  /** One experiment by id or name; throws ExperimentNotFoundError. */
  async get(reference: string | number): Promise<Experiment> {
    return this.present(await this.record(reference));
  }

  /** Every experiment, oldest first. */
  async list(): Promise<Experiment[]> {
    return (await this.records()).map((record) => this.present(record));
  }

  // ---- changing --------------------------------------------------------------------------------

  /** Validates and stores a new experiment (status 'draft'). */
  async create(
    definition: unknown,
    options: { createdBy?: number | null } = {},
  ): Promise<Experiment> {
    const parsed = parseExperimentDefinition(definition);
    const nowSeconds = this.nowSeconds();
    const startsAt = parsed.startsAt ?? nowSeconds;
    const taken = await this.db.kysely
      .selectFrom('experiments')
      .select('id')
      .where('name', '=', parsed.name)
      .executeTakeFirst();
    if (taken) {
      throw new ExperimentDefinitionError([
        { path: 'name', message: `an experiment named "${parsed.name}" already exists` },
      ]);
    }
    const id = await this.db.kysely.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('experiments')
        .values({
          name: parsed.name,
          hypothesis: parsed.hypothesis,
          population: parsed.population,
          starts_at: startsAt,
          stops_at: parsed.stopsAt,
          status: 'draft',
          created_at: nowSeconds,
          created_by: options.createdBy ?? null,
          started_at: null,
          stopped_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('experiment_variants')
        .values(
          parsed.variants.map((variant, position) => ({
            experiment_id: Number(row.id),
            name: variant.name,
            weight: variant.weight,
            description: variant.description ?? '',
            position,
          })),
        )
        .execute();
      return Number(row.id);
    });
    return this.get(id);
  }

  /** Starts a draft: members are assigned from its start time on (now, if that has passed). */
  async start(reference: string | number): Promise<Experiment> {
    const record = await this.record(reference);
    if (record.status !== 'draft') {
      throw new ExperimentStateError(
        `experiment "${record.name}" is ${record.status}: only a draft can start`,
      );
    }
    const nowSeconds = this.nowSeconds();
    if (nowSeconds >= record.stopsAt) {
      throw new ExperimentStateError(
        `experiment "${record.name}" was to stop at ${new Date(record.stopsAt * 1000).toISOString()}, which has passed`,
      );
    }
    await this.db.kysely
      .updateTable('experiments')
      .set({ status: 'running', started_at: nowSeconds })
      .where('id', '=', record.id)
      .where('status', '=', 'draft')
      .execute();
    this.invalidate();
    return this.get(record.id);
  }

  /** Stops a running experiment: nobody is assigned any more; results stay readable. */
  async stop(reference: string | number): Promise<Experiment> {
    const record = await this.record(reference);
    if (record.status !== 'running') {
      throw new ExperimentStateError(
        `experiment "${record.name}" is ${record.status}: only a running one can stop`,
      );
    }
    await this.db.kysely
      .updateTable('experiments')
      .set({ status: 'stopped', stopped_at: this.nowSeconds() })
      .where('id', '=', record.id)
      .execute();
    this.invalidate();
    this.assignments.delete(record.id);
    return this.get(record.id);
  }

  // ---- assignment --------------------------------------------------------------------------------

  private async runningExperiments(): Promise<Map<string, ExperimentRecord>> {
    if (this.running && this.now() - this.loadedAt < this.cacheTtlMs) return this.running;
    this.loading ??= (async () => {
      try {
        const records = await this.records({ status: 'running' });
        this.running = new Map(records.map((record) => [record.name, record]));
        this.runningById = new Map(records.map((record) => [record.id, record]));
        this.loadedAt = this.now();
        for (const id of this.assignments.keys()) {
          if (!this.runningById.has(id)) this.assignments.delete(id);
        }
      } finally {
        this.loading = null;
      }
    })();
    await this.loading;
    return this.running!;
  }

  /**
   * The member's variant of a running experiment (by name or id), or null: not running, outside
   * its window, or the member is outside its population. The first exposure is recorded.
   * `memberCreatedAt` (Unix seconds, users.created_at) saves a query for 'new-members'.
   */
  async variantFor(
    reference: string | number,
    memberId: number,
    options: { memberCreatedAt?: number } = {},
  ): Promise<string | null> {
    const running = await this.runningExperiments();
    const record =
      typeof reference === 'number' ? this.runningById.get(reference) : running.get(reference);
    if (!record) return null;
    const nowSeconds = this.nowSeconds();
    if (nowSeconds < record.startsAt || nowSeconds >= record.stopsAt) return null;
    let members = this.assignments.get(record.id);
    const cached = members?.get(memberId);
    if (cached !== undefined) return cached;
    const variant = await this.assign(record, memberId, options.memberCreatedAt);
    if (!members) {
      members = new Map();
      this.assignments.set(record.id, members);
    } else if (members.size >= this.maxCachedAssignments) {
      members.clear();
    }
    members.set(memberId, variant);
    return variant;
  }

  private async assign(
    record: ExperimentRecord,
    memberId: number,
    memberCreatedAt?: number,
  ): Promise<string | null> {
    if (record.population === 'new-members') {
      let createdAt = memberCreatedAt;
      if (createdAt === undefined) {
        const user = await this.db.kysely
          .selectFrom('users')
          .select('created_at')
          .where('id', '=', memberId)
          .executeTakeFirst();
        if (!user) return null;
        createdAt = Number(user.created_at);
      }
      if (createdAt < populationStart(record)) return null;
    }
    const variant = assignVariant(record.id, memberId, record.variants);
    const inserted = await this.db.kysely
      .insertInto('experiment_assignments')
      .values({ experiment_id: record.id, user_id: memberId, variant, exposed_at_ms: this.now() })
      .onConflict((conflict) => conflict.columns(['experiment_id', 'user_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return variant;
    // Recorded before (by another process, or before the cache was cleared): the record wins.
    const stored = await this.db.kysely
      .selectFrom('experiment_assignments')
      .select('variant')
      .where('experiment_id', '=', record.id)
      .where('user_id', '=', memberId)
      .executeTakeFirst();
    return stored?.variant ?? variant;
  }

  /** Removes a member's assignments (account deletion; the users foreign key also cascades). */
  async deleteMember(memberId: number): Promise<void> {
    await this.db.kysely
      .deleteFrom('experiment_assignments')
      .where('user_id', '=', memberId)
      .execute();
    for (const members of this.assignments.values()) members.delete(memberId);
  }

  // ---- results ------------------------------------------------------------------------------------

  /**
   * Per variant: members exposed, new ratings per member, click-through on recommendations and
   * the MAE of shown predictions against later ratings, each with a 95% interval, counted from
   * each member's first exposure until the experiment stopped (or its planned stop, or now).
   */
  async results(reference: string | number): Promise<ExperimentResults> {
    const record = await this.record(reference);
    const untilMs = Math.min(
      record.stopsAt * 1000,
      record.stoppedAt === null ? Infinity : record.stoppedAt * 1000 + 999,
      this.now() + 1,
    );
    const assignments = await this.db.kysely
      .selectFrom('experiment_assignments')
      .select(['user_id', 'variant', 'exposed_at_ms'])
      .where('experiment_id', '=', record.id)
      .orderBy('user_id')
      .execute();

    const index = new Map(record.variants.map((variant, i) => [variant.name, i]));
    const k = record.variants.length;
    const exposed = new Int32Array(k);
    const ratingsPerMember: number[][] = record.variants.map(() => []);
    const impressions = new Float64Array(k);
    const clicks = new Float64Array(k);
    const errors: number[][] = record.variants.map(() => []);

    for (let start = 0; start < assignments.length; start += MEMBERS_PER_QUERY) {
      const chunk = assignments.slice(start, start + MEMBERS_PER_QUERY);
      const firstExposure = chunk.reduce(
        (min, a) => Math.min(min, Number(a.exposed_at_ms)),
        Infinity,
      );
      const byMember = new Map<number, StoredEvent[]>();
      for (const a of chunk) byMember.set(a.user_id, []);
      // One query per chunk of members (the (user, time) index serves it).
      const rows = await this.db.kysely
        .selectFrom('events')
        .select(['id', 'occurred_at_ms', 'kind', 'user_id', 'payload'])
        .where(
          'user_id',
          'in',
          chunk.map((a) => a.user_id),
        )
        .where('kind', 'in', ['rating', 'predictions_shown', 'recommendation_click'])
        .where('occurred_at_ms', '>=', firstExposure)
        .where('occurred_at_ms', '<', untilMs)
        .orderBy('user_id')
        .orderBy('occurred_at_ms')
        .orderBy('id')
        .execute();
      for (const row of rows) {
        byMember.get(row.user_id!)?.push({
          id: Number(row.id),
          occurredAt: Number(row.occurred_at_ms),
          kind: row.kind as StoredEvent['kind'],
          memberId: row.user_id,
          visitorId: null,
          data: JSON.parse(row.payload) as Record<string, unknown>,
        });
      }
      for (const a of chunk) {
        const v = index.get(a.variant);
        if (v === undefined) continue;
        const summary = summarizeMember(byMember.get(a.user_id)!, Number(a.exposed_at_ms));
        exposed[v]++;
        ratingsPerMember[v].push(summary.newRatings);
        impressions[v] += summary.impressions;
        clicks[v] += summary.clicks;
        for (const error of summary.errors) errors[v].push(error);
      }
    }

    const experiment = this.present(record);
    const variants: VariantResult[] = experiment.variants.map((variant, v) => ({
      variant: variant.name,
      weight: variant.weight,
      share: variant.share,
      exposed: exposed[v],
      ratingsPerMember: meanInterval(ratingsPerMember[v]),
      clickThrough: {
        ...wilsonInterval(clicks[v], impressions[v]),
        clicks: clicks[v],
        impressions: impressions[v],
      },
      meanAbsoluteError: meanInterval(errors[v]),
    }));
    const metricNames = Object.keys(METRICS) as MetricName[];
    const readings = Object.fromEntries(
      metricNames.map((metric) => [
        metric,
        readMetric(
          METRICS[metric],
          variants.map((result) => ({ name: result.variant, estimate: result[metric] })),
        ),
      ]),
    ) as Record<MetricName, string>;
    const charts = metricNames.map((metric) => ({
      metric,
      label: METRICS[metric].label,
      format: METRICS[metric].format,
      points: variants.map((result) => ({
        variant: result.variant,
        value: result[metric].value,
        low: result[metric].low,
        high: result[metric].high,
      })),
    }));
    return { experiment, until: new Date(Math.min(untilMs, 8.64e15)), variants, readings, charts };
  }
}
