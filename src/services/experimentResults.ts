/**
 * An experiment's results: per variant, members exposed, new ratings per member, click-through on
 * recommendations and the MAE of shown predictions against later ratings, each with a 95%
 * interval and a plain-language reading (the statistics are in experimentStats.ts).
 */
import type { Db } from '../db/connection.ts';
import { storedEvent, type StoredEvent } from './eventExport.ts';
import type { Experiment } from './experimentDefinitions.ts';
import {
  meanInterval,
  readMetric,
  wilsonInterval,
  type Estimate,
  type MetricDescription,
} from './experimentStats.ts';

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

/**
 * The results of `experiment`, counting each member's events from their first exposure until
 * `untilMs` (Unix ms, exclusive).
 */
export async function experimentResults(
  db: Db,
  experiment: Experiment,
  untilMs: number,
): Promise<ExperimentResults> {
  const assignments = await db.kysely
    .selectFrom('experiment_assignments')
    .select(['user_id', 'variant', 'exposed_at_ms'])
    .where('experiment_id', '=', experiment.id)
    .orderBy('user_id')
    .execute();
  const outcomes = await groupOutcomes(db, experiment.variants, assignments, untilMs);
  return { experiment, until: new Date(Math.min(untilMs, 8.64e15)), ...outcomes };
}

/** A group members belong to from a time on: an experiment's variant, a chosen recommender. */
export interface Group {
  name: string;
  weight: number;
  share: number;
}

/**
 * Per group, the outcomes of its members (`assignments`: member, group name, since when), each
 * member's events counted from that time until `untilMs`.
 */
export async function groupOutcomes(
  db: Db,
  groups: readonly Group[],
  assignments: ReadonlyArray<{ user_id: number; variant: string; exposed_at_ms: number }>,
  untilMs: number,
): Promise<Pick<ExperimentResults, 'variants' | 'readings' | 'charts'>> {
  const index = new Map(groups.map((group, i) => [group.name, i]));
  const k = groups.length;
  const exposed = new Int32Array(k);
  const ratingsPerMember: number[][] = groups.map(() => []);
  const impressions = new Float64Array(k);
  const clicks = new Float64Array(k);
  const errors: number[][] = groups.map(() => []);

  for (let start = 0; start < assignments.length; start += MEMBERS_PER_QUERY) {
    const chunk = assignments.slice(start, start + MEMBERS_PER_QUERY);
    const firstExposure = chunk.reduce(
      (min, a) => Math.min(min, Number(a.exposed_at_ms)),
      Infinity,
    );
    const byMember = new Map<number, StoredEvent[]>();
    for (const a of chunk) byMember.set(a.user_id, []);
    // One query per chunk of members (the (user, time) index serves it).
    const rows = await db.kysely
      .selectFrom('events')
      .select(['id', 'occurred_at_ms', 'kind', 'user_id', 'visitor_id', 'payload'])
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
    for (const row of rows) byMember.get(row.user_id!)?.push(storedEvent(row));
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

  const variants: VariantResult[] = groups.map((variant, v) => ({
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
  return { variants, readings, charts };
}
