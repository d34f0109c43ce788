/**
 * The anonymization policy: a declarative JSON or YAML document, validated (unknown keys,
 * impossible values and contradictions are refused with the key named), with four presets.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ALGORITHM_NAMES } from '../recsys/index.ts';
import { PLAUSIBILITY_MODELS } from './memberGroups.ts';

export const QUASI_IDENTIFIERS = ['gender', 'age', 'occupation', 'zip'] as const;
export type QuasiIdentifier = (typeof QUASI_IDENTIFIERS)[number];

/** Generalization levels of each quasi-identifier, finest first. */
export const GENERALIZATION_LEVELS = {
  gender: ['keep', 'none'],
  age: ['buckets', 'coarse', 'none'],
  occupation: ['keep', 'grouped', 'none'],
  zip: ['full', '3-digit', 'region', 'none'],
} as const;

export type GenderLevel = (typeof GENERALIZATION_LEVELS.gender)[number];
export type AgeLevel = (typeof GENERALIZATION_LEVELS.age)[number];
export type OccupationLevel = (typeof GENERALIZATION_LEVELS.occupation)[number];
export type ZipLevel = (typeof GENERALIZATION_LEVELS.zip)[number];

export const PRESET_NAMES = ['naive', 'movielens', 'default', 'suppress', 'strict'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const share = z.number().min(0).max(1);

const demographicsSchema = z.strictObject({
  gender: z.enum(GENERALIZATION_LEVELS.gender),
  age: z.enum(GENERALIZATION_LEVELS.age),
  occupation: z.enum(GENERALIZATION_LEVELS.occupation),
  zip: z.enum(GENERALIZATION_LEVELS.zip),
  quasiIdentifiers: z.array(z.enum(QUASI_IDENTIFIERS)),
  k: z.number().int().min(1, 'k must be at least 1'),
  maxSuppression: share,
});

const timeSchema = z.strictObject({
  drop: z.boolean(),
  shiftDays: z.number().int().min(0).max(3650),
  granularity: z.enum(['second', 'day', 'week', 'month']),
});

const perturbationSchema = z.strictObject({
  probability: share,
  method: z.enum(['uniform', 'step']),
});

const calibrationSchema = z.strictObject({
  enabled: z.boolean(),
  target: share,
  steps: z.number().int().min(1).max(20),
  sample: z.number().int().min(1),
});

const riskTargetingSchema = z.strictObject({
  enabled: z.boolean(),
  maxRisk: share,
  rounds: z.number().int().min(0).max(10),
  draws: z.number().int().min(1).max(20),
});

/** Data swapping within groups of similar members (swap.ts). */
const swapSchema = z.strictObject({
  enabled: z.boolean(),
  /** Members per group (a group may hold up to 2·groupSize − 1). */
  groupSize: z.number().int().min(2).max(16),
  /** Movies rated by at least this share of the released members are popular: not pooled. */
  popularShare: share,
  /** Shuffle the popular movies' values among each group's raters of them. */
  shufflePopular: z.boolean(),
  /** Plausible deals (stars; 0: uniformly at random): see swap.ts SwapOptions.sigma. */
  sigma: z.number().min(0).max(5),
  /** The same for the popular movies' values (0: uniformly, as `popularMove` says). */
  popularSigma: z.number().min(0).max(5),
  /** How popular values move uniformly: along a cycle of the group, or shuffled (swap.ts). */
  popularMove: z.enum(['cycle', 'shuffle']),
  /** The taste model whose predictions weigh the plausible deals (memberGroups.ts). */
  plausibility: z.enum(PLAUSIBILITY_MODELS),
});

/** The rating transforms' settings, one candidate's (see ratingsCandidates). */
const ratingsSettingsSchema = z.strictObject({
  sampleFraction: z.number().gt(0, 'must be more than 0').max(1),
  minPerUser: z.number().int().min(0),
  maxPerUser: z.number().int().min(1).nullable(),
  minMovieRaters: z.number().int().min(0),
  perturbation: perturbationSchema,
  calibration: calibrationSchema,
  riskTargeting: riskTargetingSchema,
  swap: swapSchema,
});

/** An alternative: the keys it changes in the policy's own rating settings. */
const alternativeSchema = z.strictObject({
  sampleFraction: ratingsSettingsSchema.shape.sampleFraction.optional(),
  minPerUser: ratingsSettingsSchema.shape.minPerUser.optional(),
  maxPerUser: ratingsSettingsSchema.shape.maxPerUser.optional(),
  minMovieRaters: ratingsSettingsSchema.shape.minMovieRaters.optional(),
  perturbation: perturbationSchema.partial().optional(),
  calibration: calibrationSchema.partial().optional(),
  riskTargeting: riskTargetingSchema.partial().optional(),
  swap: swapSchema.partial().optional(),
});

const ratingsSchema = ratingsSettingsSchema.extend({
  /**
   * Other swaps the release may take instead of the policy's own, each with its own taste model:
   * the release deals by the one whose model best predicts a held-out tenth of the members'
   * ratings (tasteChoice.ts chooseRatings), as a swap leans the data towards its taste model.
   */
  alternatives: z.array(alternativeSchema).max(PLAUSIBILITY_MODELS.length - 1),
});

const dpSchema = z.strictObject({
  epsilon: z.number().gt(0, 'ε must be more than 0').nullable(),
});

const gateSchema = z.strictObject({
  maxReidentified: share,
  /** The limit for the adversaries stronger than the five settings (m = 12, 20, policy-aware). */
  maxReidentifiedStronger: share,
  targets: z.union([z.literal('all'), z.number().int().min(1)]),
});

const utilitySchema = z.strictObject({
  holdout: z.number().min(0).max(0.5),
  /**
   * The recommender of the utility measure, with its default parameters: `svd` (biased MF, a
   * sound rating predictor that fits 1M ratings in seconds) unless set; "default" names
   * recsys's DEFAULT_ALGORITHM (the site's model, which may take minutes on 1M ratings).
   */
  algorithm: z.string().min(1),
});

/** Tags are text members wrote: released only when asked (see releaseTags.ts). */
const tagsSchema = z.strictObject({ release: z.boolean() });

/** Survey answers are what members told a researcher: released only when asked (releaseSurveys.ts). */
const surveysSchema = z.strictObject({ release: z.boolean() });

/**
 * What the site shows anyone (ratings members share, movies they name in posts) is auxiliary
 * knowledge: `withhold` leaves those (member, movie) pairs out of the release (publicKnowledge.ts).
 */
const publicKnowledgeSchema = z.strictObject({ withhold: z.boolean() });

export const policySchema = z.strictObject({
  name: z.string().min(1),
  minRatings: z.number().int().min(1),
  demographics: demographicsSchema,
  time: timeSchema,
  ratings: ratingsSchema,
  dp: dpSchema,
  gate: gateSchema,
  utility: utilitySchema,
  tags: tagsSchema,
  surveys: surveysSchema,
  publicKnowledge: publicKnowledgeSchema,
});

export type Policy = z.infer<typeof policySchema>;
/** One candidate's rating settings: the policy's own, or one of its alternatives applied. */
export type RatingsSettings = z.infer<typeof ratingsSettingsSchema>;

/** What every preset shares; each preset overrides parts of it. */
const BASE: Policy = {
  name: 'default',
  minRatings: 20,
  demographics: {
    gender: 'keep',
    age: 'buckets',
    occupation: 'keep',
    zip: '3-digit',
    quasiIdentifiers: ['gender', 'age', 'occupation', 'zip'],
    k: 5,
    maxSuppression: 0.05,
  },
  time: { drop: false, shiftDays: 0, granularity: 'second' },
  ratings: {
    sampleFraction: 1,
    minPerUser: 0,
    maxPerUser: null,
    minMovieRaters: 0,
    perturbation: { probability: 0, method: 'step' },
    calibration: { enabled: false, target: 0.02, steps: 6, sample: 1000 },
    riskTargeting: { enabled: false, maxRisk: 0.15, rounds: 2, draws: 2 },
    swap: {
      enabled: false,
      groupSize: 7,
      popularShare: 0.2,
      shufflePopular: true,
      sigma: 0,
      popularSigma: 0,
      popularMove: 'cycle',
      plausibility: 'als',
    },
    alternatives: [],
  },
  dp: { epsilon: null },
  gate: { maxReidentified: 0.05, maxReidentifiedStronger: 0.1, targets: 500 },
  utility: { holdout: 0.1, algorithm: 'svd' },
  tags: { release: false },
  surveys: { release: false },
  publicKnowledge: { withhold: true },
};

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

const PRESET_OVERRIDES: Record<PresetName, DeepPartial<Policy>> = {
  // Pseudonyms only: what most people do (every member who rated, everything else as is; the
  // ML-1M format still writes ages as buckets).
  naive: {
    name: 'naive',
    minRatings: 1,
    demographics: { zip: 'full', k: 1, maxSuppression: 0 },
    publicKnowledge: { withhold: false },
  },
  // What the ML-1M release did: pseudonyms, age buckets, full zip, exact timestamps.
  movielens: {
    name: 'movielens',
    demographics: { zip: 'full', k: 1, maxSuppression: 0 },
    publicKnowledge: { withhold: false },
  },
  // Swapping within groups of 7 similar members (swap.ts), calibrated: the lightest popular
  // share whose estimated re-identification passes, up to 0.2 (README: Privacy-safe research
  // releases, Benchmark). Every rating is kept; dates shifted and coarsened.
  default: {
    name: 'default',
    demographics: { zip: '3-digit', k: 5, maxSuppression: 0.05 },
    time: { shiftDays: 365, granularity: 'month' },
    ratings: {
      // Popular share 0.05 … 0.2 with plausible popular shuffles, then 0.2 with the popular
      // values moved along a cycle of each group (README: Benchmark, tried on 2026-12-07).
      calibration: { enabled: true, target: 0.03, steps: 4, sample: 1000 },
      swap: {
        enabled: true,
        groupSize: 7,
        popularShare: 0.2,
        shufflePopular: true,
        sigma: 0.5,
        popularSigma: 0.5,
        popularMove: 'cycle',
      },
      // Or item-kNN's deals, when item-kNN predicts the members better than ALS (tasteChoice.ts
      // chooseRatings). They keep more of each member's own values (item-kNN predicts them from
      // the member's other ratings), so they are wider and take the ladder one step further, to
      // share 0.25, for the same margin (README: Benchmark, "The swap's taste model").
      alternatives: [
        {
          calibration: { steps: 5 },
          swap: { popularShare: 0.25, sigma: 0.7, popularSigma: 0.7, plausibility: 'item-knn' },
        },
      ],
    },
    dp: { epsilon: 1 },
  },
  // The default before swapping: deletes ratings until the attack fails (kept for comparison).
  suppress: {
    name: 'suppress',
    demographics: { zip: '3-digit', k: 5, maxSuppression: 0.05 },
    time: { shiftDays: 365, granularity: 'month' },
    ratings: {
      sampleFraction: 0.35,
      minMovieRaters: 13,
      perturbation: { probability: 0.5, method: 'step' },
      riskTargeting: { enabled: true, maxRisk: 0.15, rounds: 2, draws: 2 },
    },
    dp: { epsilon: 1 },
  },
  strict: {
    name: 'strict',
    demographics: {
      age: 'coarse',
      occupation: 'grouped',
      zip: 'region',
      k: 10,
      maxSuppression: 0.05,
    },
    time: { shiftDays: 730, granularity: 'month' },
    ratings: {
      sampleFraction: 0.3,
      maxPerUser: 200,
      minMovieRaters: 20,
      perturbation: { probability: 0.5, method: 'step' },
      riskTargeting: { enabled: true, maxRisk: 0.1, rounds: 3, draws: 2 },
    },
    dp: { epsilon: 0.5 },
  },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override))
    return override === undefined ? base : override;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override))
    result[key] = key in base ? merge(base[key], value) : value;
  return result;
}

/** A preset's complete policy (a fresh copy). */
export function presetPolicy(name: PresetName): Policy {
  return structuredClone(merge(BASE, PRESET_OVERRIDES[name]) as Policy);
}

export function isPresetName(value: string): value is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(value);
}

/** A bad policy: names the file and the key. */
export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${source}: ${key ? `${key}: ` : ''}${reason}`);
    this.name = 'PolicyError';
  }
}

function contradictions(policy: Policy): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const { time, ratings, demographics } = policy;
  if (time.drop && time.shiftDays > 0)
    found.push(['time.shiftDays', 'contradicts time.drop: true (dropped dates cannot be shifted)']);
  if (time.drop && time.granularity !== 'second') {
    found.push([
      'time.granularity',
      'contradicts time.drop: true (dropped dates cannot be coarsened)',
    ]);
  }
  if (ratings.maxPerUser !== null && ratings.maxPerUser < ratings.minPerUser) {
    found.push([
      'ratings.maxPerUser',
      `(${ratings.maxPerUser}) is below ratings.minPerUser (${ratings.minPerUser})`,
    ]);
  }
  if (ratings.minPerUser > policy.minRatings) {
    found.push([
      'ratings.minPerUser',
      `(${ratings.minPerUser}) is above minRatings (${policy.minRatings}): a member cannot keep more ratings than required to be included`,
    ]);
  }
  if (
    policy.utility.algorithm !== 'default' &&
    !ALGORITHM_NAMES.includes(policy.utility.algorithm)
  ) {
    found.push([
      'utility.algorithm',
      `unknown algorithm "${policy.utility.algorithm}" (known: default, ${ALGORITHM_NAMES.join(', ')})`,
    ]);
  }
  const seen = new Set<string>();
  for (const qi of demographics.quasiIdentifiers) {
    if (seen.has(qi)) found.push(['demographics.quasiIdentifiers', `"${qi}" is listed twice`]);
    seen.add(qi);
  }
  if (demographics.k > 1 && demographics.quasiIdentifiers.length === 0) {
    found.push([
      'demographics.k',
      `k = ${demographics.k} needs at least one quasi-identifier in demographics.quasiIdentifiers`,
    ]);
  }
  return found;
}

/**
 * The candidates a release chooses among: the policy's own rating settings, then, when it swaps,
 * each alternative applied to them (without a swap there is no taste model to choose).
 */
export function ratingsCandidates(ratings: Policy['ratings']): RatingsSettings[] {
  const { alternatives, ...own } = ratings;
  if (!own.swap.enabled) return [own];
  return [own, ...alternatives.map((alternative) => merge(own, alternative) as RatingsSettings)];
}

/** Alternatives are chosen by their swap's taste model: each by its own model. */
function alternativeProblems(policy: Policy): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  policy.ratings.alternatives.forEach((alternative, k) => {
    if (alternative.swap?.enabled !== undefined) {
      found.push([
        `ratings.alternatives.${k}.swap.enabled`,
        'an alternative cannot turn the swap on or off: alternatives apply when ratings.swap.enabled is true',
      ]);
    }
  });
  const [own, ...alternatives] = ratingsCandidates(policy.ratings);
  const models = new Map([[own.swap.plausibility, 'ratings.swap']]);
  alternatives.forEach((candidate, k) => {
    const prefix = `ratings.alternatives.${k}`;
    const rest = { ...policy, ratings: { ...candidate, alternatives: [] } };
    for (const [key, reason] of contradictions(rest))
      if (key.startsWith('ratings.')) found.push([key.replace(/^ratings/, prefix), reason]);
    const model = candidate.swap.plausibility;
    const earlier = models.get(model);
    if (earlier !== undefined) {
      found.push([
        `${prefix}.swap.plausibility`,
        `"${model}" is already the taste model of ${earlier}: each alternative needs its own (the release chooses by taste model); to deal by one model always, set ratings.alternatives: []`,
      ]);
    }
    models.set(model, `${prefix}.swap`);
  });
  return found;
}

/**
 * Validates a parsed policy document. A document may name `extends: <preset>` (default:
 * "default"); its other keys override that preset's. Throws PolicyError naming the key.
 */
export function validatePolicy(document: unknown, source = 'policy'): Policy {
  if (!isPlainObject(document))
    throw new PolicyError(source, '', 'a policy must be a JSON/YAML object');
  const { extends: base = 'default', ...rest } = document;
  if (typeof base !== 'string' || !isPresetName(base)) {
    throw new PolicyError(
      source,
      'extends',
      `unknown preset "${String(base)}" (known: ${PRESET_NAMES.join(', ')})`,
    );
  }
  const merged = merge(presetPolicy(base), rest);
  const parsed = policySchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    let key = issue.path.join('.');
    let reason = issue.message;
    if (issue.code === 'unrecognized_keys') {
      key = [...issue.path, issue.keys[0]].join('.');
      reason = 'unknown key';
    }
    throw new PolicyError(source, key, reason);
  }
  const [first] = [...contradictions(parsed.data), ...alternativeProblems(parsed.data)];
  if (first) throw new PolicyError(source, first[0], first[1]);
  return parsed.data;
}

/** Parses JSON or YAML text (YAML is a superset of JSON) and validates it. */
export function parsePolicy(text: string, source = 'policy'): Policy {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new PolicyError(
      source,
      '',
      `not valid JSON/YAML: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return validatePolicy(document, source);
}

/** One line per key, for the README and the report. */
export function describePolicy(policy: Policy): string[] {
  const lines: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (isPlainObject(value)) {
      for (const [key, inner] of Object.entries(value))
        walk(inner, prefix ? `${prefix}.${key}` : key);
    } else if (Array.isArray(value) && value.some(isPlainObject)) {
      value.forEach((inner, k) => walk(inner, `${prefix}.${k}`));
    } else if (Array.isArray(value)) {
      lines.push(`${prefix}: ${value.length > 0 ? value.join(', ') : 'none'}`);
    } else lines.push(`${prefix}: ${String(value)}`);
  };
  walk(policy, '');
  return lines;
}
