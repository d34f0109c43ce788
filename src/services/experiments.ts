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
 *
 * Definitions: experimentDefinitions.ts; assignment: experimentAssignment.ts; results:
 * experimentResults.ts.
 */
import type { Db } from '../db/connection.ts';
import { conflict, notFound } from './errors.ts';
import { assignVariant } from './experimentAssignment.ts';
import {
  definitionError,
  parseExperimentDefinition,
  type Experiment,
  type ExperimentState,
  type ExperimentStatus,
  type Population,
} from './experimentDefinitions.ts';
import { experimentResults, type ExperimentResults } from './experimentResults.ts';

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
    if (!record) {
      throw notFound(
        `experiment ${typeof reference === 'number' ? reference : `"${reference}"`} does not exist`,
      );
    }
    return record;
  }

  /** One experiment by id or name; throws a `not-found` ServiceError. */
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
      throw definitionError([
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
      throw conflict(`experiment "${record.name}" is ${record.status}: only a draft can start`);
    }
    const nowSeconds = this.nowSeconds();
    if (nowSeconds >= record.stopsAt) {
      throw conflict(
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
      throw conflict(
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
      .onConflict((oc) => oc.columns(['experiment_id', 'user_id']).doNothing())
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

  /** After an account deletion (which deleted the rows): forgets the member's cached variants. */
  memberDeleted(memberId: number): void {
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
    return experimentResults(this.db, this.present(record), untilMs);
  }
}
