/**
 * The scoreboard protocol's runs over the attack of scoreboard.ts: what counts as a
 * re-identification (the target's record, or a record holding mostly the target's ratings), the
 * runs over a sample of targets in one setting, the knowledge curve, and what the adversary who
 * knows the policy may draw from.
 */
import { Random } from '../util/random.ts';
import { rowsByUser, type Grouped } from './columns.ts';
import type { Ratings } from '../datasets/dataset.ts';
import {
  SCOREBOARD_SEED,
  ScoreAccumulator,
  addScores,
  drawAuxiliary,
  judgeScores,
  scoreboardAttack,
  settingName,
  type AttackResult,
  type AuxiliaryKnowledge,
  type ReleaseIndex,
  type ScoreboardOutcome,
  type ScoreboardSetting,
  type TruthIndex,
} from './scoreboard.ts';

/**
 * How much of a released record is a target's own: the share of the record's ratings, beyond the
 * movies the adversary already knew, whose movie the target rated with the same value in the
 * truth. A transform that moved records whole between members would leave no target in its own
 * record while every confident match finds the target's ratings: such a match discloses them as
 * surely as the target's record would, so a match holding at least HELD_MAJORITY of them counts
 * as a re-identification.
 */
export class RecordHolding {
  private readonly records: Grouped;
  /** Truth item (dense index) of each release item, -1 when the truth has no such movie. */
  private readonly truthItem: Int32Array;
  /** Scratch: the target's value of each truth item, valid where mark[item] === stamp. */
  private readonly value: Float32Array;
  private readonly mark: Int32Array;
  private stamp = 0;

  constructor(
    private readonly truth: TruthIndex,
    private readonly release: Ratings,
    /** Original (truth) user index of each release user, -1 when unknown. */
    private readonly originalOfRelease: Int32Array,
  ) {
    this.records = rowsByUser(release);
    const truthIds = truth.dataset.ratings.itemIds;
    this.truthItem = Int32Array.from(release.itemIds.ids, (id) => truthIds.indexOf(id));
    this.value = new Float32Array(truthIds.size);
    this.mark = new Int32Array(truthIds.size);
  }

  /** Share (0–1) of release user `record`'s ratings that are release user `target`'s own. */
  share(record: number, target: number, aux: AuxiliaryKnowledge): number {
    const original = this.originalOfRelease[target];
    if (original < 0) return 0;
    const truth = this.truth.dataset.ratings;
    const stamp = ++this.stamp;
    const { start, order } = this.truth.byUser;
    for (let k = start[original]; k < start[original + 1]; k++) {
      const r = order[k];
      this.mark[truth.itemIndex[r]] = stamp;
      this.value[truth.itemIndex[r]] = truth.rating[r];
    }
    // The movies the adversary knew teach it nothing new.
    const known = new Set(aux.movieIds);
    let rows = 0;
    let held = 0;
    for (let k = this.records.start[record]; k < this.records.start[record + 1]; k++) {
      const r = this.records.order[k];
      const releaseItem = this.release.itemIndex[r];
      if (known.has(this.release.itemIds.ids[releaseItem])) continue;
      rows++;
      const item = this.truthItem[releaseItem];
      if (item >= 0 && this.mark[item] === stamp && this.value[item] === this.release.rating[r])
        held++;
    }
    return rows === 0 ? 0 : held / rows;
  }
}

/** A confident match to a record at least this share of whose ratings are the target's re-identifies. */
export const HELD_MAJORITY = 0.5;

/**
 * Whether an attack on `target` re-identified it: a declared match to its record or, with
 * `holding`, to one whose ratings are mostly the target's. `held` is the share of the matched
 * record's ratings that are the target's (0 for its own record or without `holding`).
 */
export function judgeMatch(
  result: AttackResult,
  target: number,
  aux: AuxiliaryKnowledge,
  holding?: RecordHolding,
): { reidentified: boolean; held: number } {
  if (!result.declared) return { reidentified: false, held: 0 };
  if (result.bestGuess === target) return { reidentified: true, held: 0 };
  const held = holding ? holding.share(result.bestGuess, target, aux) : 0;
  return { reidentified: held >= HELD_MAJORITY, held };
}

/**
 * The re-identified share at each m of `ms` (ascending; w = 0; dates within ±`days`, or none)
 * with one draw per target: its max(ms) known ratings are drawn once and each m reads their first
 * m, the scores growing one movie at a time. A prefix of a random draw is a random draw, so each
 * point measures what its own setting would; the points share their draws (a smoother curve), and
 * the curve costs about one attack per target instead of one per point.
 */
export function knowledgeCurve(
  truth: TruthIndex,
  release: ReleaseIndex,
  originalOfRelease: Int32Array,
  targets: Int32Array,
  ms: readonly number[],
  days: number | null,
  holding: RecordHolding,
): number[] {
  const random = new Random(SCOREBOARD_SEED);
  const accumulator = new ScoreAccumulator(release.users);
  const hits = new Array<number>(ms.length).fill(0);
  const setting = { m: ms[ms.length - 1], w: 0, days };
  for (const target of targets) {
    const aux = drawAuxiliary(truth, originalOfRelease[target], setting, random);
    accumulator.reset();
    let added = 0;
    ms.forEach((m, point) => {
      const known = Math.min(m, aux.movieIds.length);
      addScores(release, aux, added, known, accumulator);
      added = known;
      const result = judgeScores(release, accumulator, false);
      if (!result.declared) return;
      const first: AuxiliaryKnowledge = {
        movieIds: aux.movieIds.subarray(0, known),
        ratings: aux.ratings.subarray(0, known),
        days: aux.days.subarray(0, known),
      };
      if (judgeMatch(result, target, first, holding).reidentified) hits[point]++;
    });
  }
  return hits.map((count) => count / Math.max(1, targets.length));
}

export interface ScoreboardOptions {
  /** Release user indexes to attack; default: all released users. */
  targets?: Int32Array;
  seed?: number;
  /**
   * Movie ids the policy leaves most intact (for a swap, the popular movies whose raters stay):
   * what a policy-aware adversary draws from; default: every movie the release holds.
   */
  intactMovies?: ReadonlySet<number>;
  /** Counts a match to a record whose ratings are mostly the target's (default: built here). */
  holding?: RecordHolding;
}

/**
 * Runs one scoreboard setting. `originalOfRelease[u]` is the original dense user index of release
 * user u (the mapping), used to draw the auxiliary knowledge and to check success.
 */
export function runScoreboard(
  truth: TruthIndex,
  release: ReleaseIndex,
  originalOfRelease: Int32Array,
  setting: ScoreboardSetting,
  options: ScoreboardOptions = {},
): ScoreboardOutcome {
  const random = new Random(options.seed ?? SCOREBOARD_SEED);
  const known = setting.policyAware
    ? policyKnowledge(truth, release, options.intactMovies)
    : undefined;
  const holding = options.holding ?? new RecordHolding(truth, release.ratings, originalOfRelease);
  return attackTargets(
    release,
    options.targets ?? allUsers(release.users),
    setting,
    (target) => drawAuxiliary(truth, originalOfRelease[target], setting, random, known),
    holding,
  );
}

/**
 * The attack on each target (release user index) with the knowledge `auxOf` gives about it; with
 * `holding`, a match to a record whose ratings are mostly the target's counts as re-identifying.
 */
export function attackTargets(
  release: ReleaseIndex,
  targets: Int32Array,
  setting: ScoreboardSetting,
  auxOf: (target: number) => AuxiliaryKnowledge,
  holding?: RecordHolding,
): ScoreboardOutcome {
  const accumulator = new ScoreAccumulator(release.users);
  let reidentified = 0;
  let wrong = 0;
  let wrongHeld = 0;
  let entropy = 0;
  for (let t = 0; t < targets.length; t++) {
    const target = targets[t];
    const aux = auxOf(target);
    const result = scoreboardAttack(release, aux, accumulator);
    entropy += result.entropyBits;
    if (!result.declared) continue;
    const judged = judgeMatch(result, target, aux, holding);
    if (judged.reidentified) reidentified++;
    else {
      wrong++;
      wrongHeld += judged.held;
    }
  }
  const n = Math.max(1, targets.length);
  return {
    setting,
    name: settingName(setting),
    targets: targets.length,
    reidentified: reidentified / n,
    wrongMatch: wrong / n,
    noMatch: (targets.length - reidentified - wrong) / n,
    wrongMatchHeld: wrong === 0 ? 0 : wrongHeld / wrong,
    meanEntropyBits: entropy / n,
    priorEntropyBits: Math.log2(Math.max(1, release.users)),
  };
}

/**
 * What a policy-aware adversary draws from: 1 for each truth item (dense index) among the movies
 * the policy leaves most intact, else among the movies the release holds.
 */
export function policyKnowledge(
  truth: TruthIndex,
  release: ReleaseIndex,
  intactMovies?: ReadonlySet<number>,
): Uint8Array {
  const truthItems = truth.dataset.ratings.itemIds;
  const mask = new Uint8Array(truthItems.size);
  for (let i = 0; i < truthItems.size; i++) {
    const id = truthItems.ids[i];
    const known = intactMovies ? intactMovies.has(id) : release.ratings.itemIds.indexOf(id) >= 0;
    mask[i] = known ? 1 : 0;
  }
  return mask;
}

function allUsers(n: number): Int32Array {
  const all = new Int32Array(n);
  for (let u = 0; u < n; u++) all[u] = u;
  return all;
}

/** Every released user when there are at most `size`, else a seeded sample of `size`, sorted. */
export function sampleTargets(
  users: number,
  size: number | 'all',
  seed = SCOREBOARD_SEED,
): Int32Array {
  if (size === 'all' || users <= size) return allUsers(users);
  const random = new Random(seed);
  const order = allUsers(users);
  for (let k = 0; k < size; k++) {
    const j = k + random.int(users - k);
    const swap = order[k];
    order[k] = order[j];
    order[j] = swap;
  }
  return order.slice(0, size).sort();
}
