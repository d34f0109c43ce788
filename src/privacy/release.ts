/**
 * The release pipeline, pure: source Dataset + policy + seed → released Dataset (fresh
 * pseudonyms, generalized demographics, transformed ratings and times), the mapping to live ids,
 * the held-back ratings for the utility measure, and DP movie statistics.
 */
import { type Dataset, type Ratings, type UserProfile } from '../datasets/dataset.ts';
import { Random } from '../util/random.ts';
import { groupRows, markRandomSample } from './columns.ts';
import { publicPairs } from './publicKnowledge.ts';
import { enforceKAnonymity, type KAnonymityResult } from './demographics.ts';
import { dpMovieStats, type DifferentiallyPrivateMovieStats } from './laplace.ts';
import type { Policy } from './policy.ts';
import { chooseRatings, type TasteChoice } from './tasteChoice.ts';
import { drawPseudonyms } from './pseudonyms.ts';
import { releaseSurveys, type SurveyReleaseCount } from './releaseSurveys.ts';
import { releaseTags } from './releaseTags.ts';
import { estimateReidentification, estimateUserRisk } from './releaseRisk.ts';
import {
  allRows,
  compactRatings,
  mergeRows,
  ownShare,
  rowsToWorking,
  selectWorking,
} from './releaseRows.ts';
import { indexTruth, type TruthIndex } from './scoreboard.ts';
import { popularMovies, sourceGroups, swapRatings, type SwappedRatings } from './swap.ts';
import { perturbRatings, samplePerUser, suppressRareMovies, transformTimes } from './transforms.ts';

export interface ReleaseOptions {
  seed: number;
  /** Whether a live user id agreed to research use; default: everyone (a research dataset). */
  consents?: (userId: number) => boolean;
}

export interface ReleaseSummary {
  sourceUsers: number;
  sourceRatings: number;
  declinedConsent: number;
  /** Ratings left out because the site shows them (policy publicKnowledge.withhold). */
  withheldPublicRatings: number;
  belowMinRatings: number;
  eligibleUsers: number;
  heldOutRatings: number;
  /** Users removed because the risk estimate stayed above the policy's limit. */
  riskSuppressedUsers: number;
  /** Users whose ratings were further sampled by risk targeting. */
  riskReducedUsers: number;
  perturbedRatings: number;
  suppressedMovies: number;
  releasedUsers: number;
  releasedRatings: number;
  releasedMovies: number;
  /** The sampling fraction and perturbation probability applied (after calibration). */
  appliedSampleFraction: number;
  appliedPerturbation: number;
  /** Tags released (policy tags.release), and tags of released pairs dropped as e-mail-like. */
  releasedTags: number;
  droppedTags: number;
  /** Per released survey (policy surveys.release): its answers, redactions and dropped ratings. */
  surveys: SurveyReleaseCount[];
  /**
   * With ratings.alternatives: each candidate's taste model (ratingsCandidates order) and its
   * RMSE on a held-out tenth of the members' ratings, and the candidate applied (the lowest).
   */
  tasteChoice: TasteChoice | null;
  /** The calibration steps tried, lightest first (empty without calibration). */
  calibration: CalibrationStep[];
  /**
   * Swapping (policy ratings.swap): the popular share applied (the calibration's step, up to the
   * policy's), groups formed, ratings dealt to another member, dropped.
   */
  swap: {
    popularShare: number;
    groups: number;
    movedRatings: number;
    droppedRatings: number;
  } | null;
  /**
   * Per released member, the share of its record that is its own: ratings of movies it rated,
   * with the value it gave (swapping and perturbation lower it). Mean and 10th percentile.
   */
  ownShare: { mean: number; p10: number };
}

export interface CalibrationStep {
  sampleFraction: number;
  perturbation: number;
  /** The swap's popular share and popular shuffle's σ of this step (null without swapping). */
  popularShare: number | null;
  popularSigma: number | null;
  /** Estimated re-identified share per scoreboard setting, and per stronger adversary. */
  estimatedReidentified: number[];
  estimatedStronger: number[];
}

export interface ReleaseResult {
  policy: Policy;
  seed: number;
  /** The released dataset: user ids are the release pseudonyms 1..n. */
  dataset: Dataset;
  /** mapping.userIds[k] is the live id of release id mapping.releaseIds[k] (sorted by release id). */
  mapping: { releaseIds: Int32Array; userIds: Int32Array };
  /** The 10% of each released member's true ratings held back (live ids) for the utility measure. */
  heldOut: Ratings;
  /** The untransformed ratings the release was made from (eligible members, minus held-back). */
  untransformed: Ratings;
  kAnonymity: KAnonymityResult;
  movieStats: DifferentiallyPrivateMovieStats | null;
  summary: ReleaseSummary;
}

/** A release's pseudonym for each member it released: live id → release id. */
export function releaseIdsOfMembers(release: Pick<ReleaseResult, 'mapping'>): Map<number, number> {
  const { releaseIds, userIds } = release.mapping;
  return new Map(Array.from(userIds, (liveId, k) => [liveId, releaseIds[k]]));
}

/** Independent random streams per step, all derived from the release seed. */
function stream(seed: number, step: number): Random {
  return new Random((Math.imul(seed >>> 0, 0x9e3779b1) + step * 0x85ebca6b) >>> 0);
}

/** What the rating transforms start from: the source, or the swapped rows, and its rows. */
interface Start {
  base: Ratings;
  rows: Int32Array;
  swapped: SwappedRatings | null;
}

/**
 * Steps 1–2 of a release: the eligible members and the share of each one's ratings held back for
 * the utility measure. It depends only on the data, the consents, `minRatings`,
 * `utility.holdout` and the seed, so the utility's untransformed model can start from it before
 * the rest of the release is done.
 */
export interface HoldoutSplit {
  declinedConsent: number;
  /** Ratings left out because the site shows them (policy publicKnowledge.withhold). */
  withheldPublic: number;
  belowMinRatings: number;
  eligibleUsers: number;
  /** Source rows released from (eligible, not held back), and the held-back rows. */
  baseRows: Int32Array;
  heldRows: Int32Array;
  /** baseRows as Ratings with live ids: what the untransformed model trains on. */
  untransformed: Ratings;
  /** heldRows as Ratings with live ids: the utility test. */
  heldOut: Ratings;
}

export function holdoutSplit(
  source: Dataset,
  policy: Pick<Policy, 'minRatings' | 'utility' | 'publicKnowledge'>,
  options: ReleaseOptions,
): HoldoutSplit {
  const ratings = source.ratings;
  const sourceUsers = ratings.userIds.size;
  // 0. What the site shows anyone stays out (the member is released with the rest, if enough).
  const pairs = policy.publicKnowledge.withhold ? publicPairs(source.publicKnowledge) : new Set();
  const withheld = new Uint8Array(ratings.length);
  let withheldPublic = 0;
  if (pairs.size > 0) {
    // Only the rows of members with public pairs are looked up (few among many).
    const publicMembers = new Set(source.publicKnowledge?.userId);
    for (let r = 0; r < ratings.length; r++) {
      const member = ratings.userIds.ids[ratings.userIndex[r]];
      if (!publicMembers.has(member)) continue;
      if (pairs.has(`${member}:${ratings.itemIds.ids[ratings.itemIndex[r]]}`)) {
        withheld[r] = 1;
        withheldPublic++;
      }
    }
  }
  const userOfRow = new Int32Array(ratings.length);
  for (let r = 0; r < ratings.length; r++)
    userOfRow[r] = withheld[r] ? sourceUsers : ratings.userIndex[r];
  const byUser = groupRows(userOfRow, sourceUsers + 1);

  // 1. Eligible members: consenting, with at least minRatings ratings.
  const eligible = new Uint8Array(sourceUsers);
  let declinedConsent = 0;
  let belowMinRatings = 0;
  for (let u = 0; u < sourceUsers; u++) {
    const id = ratings.userIds.ids[u];
    if (options.consents && !options.consents(id)) declinedConsent++;
    else if (byUser.start[u + 1] - byUser.start[u] < policy.minRatings) belowMinRatings++;
    else eligible[u] = 1;
  }
  let eligibleUsers = 0;
  for (let u = 0; u < sourceUsers; u++) eligibleUsers += eligible[u];

  // 2. Hold back a share of each eligible member's ratings for the utility measure.
  const holdRandom = stream(options.seed, 1);
  const heldFlag = new Uint8Array(ratings.length);
  let eligibleRows = 0;
  for (let u = 0; u < sourceUsers; u++) {
    if (!eligible[u]) continue;
    const begin = byUser.start[u];
    const n = byUser.start[u + 1] - begin;
    eligibleRows += n;
    const hold =
      policy.utility.holdout > 0 ? Math.max(1, Math.round(policy.utility.holdout * n)) : 0;
    markRandomSample(byUser.order.slice(begin, begin + n), hold, holdRandom, heldFlag);
  }
  const keptRows = new Int32Array(eligibleRows);
  const heldRows: number[] = [];
  let kept = 0;
  for (let r = 0; r < ratings.length; r++) {
    if (!eligible[ratings.userIndex[r]] || withheld[r]) continue;
    if (heldFlag[r]) heldRows.push(r);
    else keptRows[kept++] = r;
  }
  const baseRows = keptRows.slice(0, kept);
  const held = Int32Array.from(heldRows);
  const liveId = (u: number) => ratings.userIds.ids[u];
  return {
    declinedConsent,
    withheldPublic,
    belowMinRatings,
    eligibleUsers,
    baseRows,
    heldRows: held,
    untransformed: compactRatings(ratings, rowsToWorking(ratings, baseRows), liveId),
    heldOut: compactRatings(ratings, rowsToWorking(ratings, held), liveId),
  };
}

export function releaseDataset(
  source: Dataset,
  policy: Policy,
  options: ReleaseOptions & { split?: HoldoutSplit },
): ReleaseResult {
  const { seed } = options;
  const ratings = source.ratings;
  const sourceUsers = ratings.userIds.size;
  const split = options.split ?? holdoutSplit(source, policy, options);
  const { baseRows, heldRows, untransformed, heldOut } = split;
  const liveId = (u: number) => ratings.userIds.ids[u];
  const { settings: rp, choice: tasteChoice } = chooseRatings(
    policy,
    untransformed,
    seed,
    source.scale,
  );

  // 3. Swapping within groups of similar members (formed once): what the later transforms start
  //    from (the swapped rows, as Ratings over the source's indexes), else the eligible rows.
  const groups = rp.swap.enabled
    ? sourceGroups(ratings, untransformed, rp.swap.groupSize, seed, rp.swap.plausibility)
    : null;
  const startFrom = (popularShare: number, popularSigma: number): Start => {
    if (!groups) return { base: ratings, rows: baseRows, swapped: null };
    const swapped = swapRatings(
      ratings,
      baseRows,
      groups,
      { ...rp.swap, popularShare, popularSigma },
      stream(seed, 10),
    );
    return { base: swapped.ratings, rows: allRows(swapped.ratings.length), swapped };
  };

  // 4. Rating transforms: per-user sampling and caps, rare movies, perturbation; then time.
  const transform = ({ base, rows: startRows }: Start, fraction: number, probability: number) => {
    let rows = samplePerUser(
      base,
      startRows,
      { fraction, cap: rp.maxPerUser, minimum: rp.minPerUser },
      stream(seed, 2),
    );
    const beforeMovies = new Set<number>();
    for (let k = 0; k < rows.length; k++) beforeMovies.add(base.itemIndex[rows[k]]);
    rows = suppressRareMovies(base, rows, rp.minMovieRaters);
    const afterMovies = new Set<number>();
    for (let k = 0; k < rows.length; k++) afterMovies.add(base.itemIndex[rows[k]]);
    const result = rowsToWorking(base, rows);
    const perturbed = perturbRatings(
      result.rating,
      probability,
      rp.perturbation.method,
      source.scale,
      stream(seed, 3),
    );
    const userOfRow = new Int32Array(rows.length);
    for (let k = 0; k < rows.length; k++) userOfRow[k] = base.userIndex[rows[k]];
    transformTimes(result.timestamp, userOfRow, sourceUsers, policy.time, stream(seed, 4));
    return { working: result, perturbed, suppressedMovies: beforeMovies.size - afterMovies.size };
  };

  // Calibration: the lightest step from the untouched ratings towards the policy's sampling,
  // perturbation and swap whose estimated re-identification (the release's own attack on a
  // sample of members, never the audit's draws) stays under the calibration target in the five
  // settings and under twice the target against the stronger adversaries (as the gate's limits).
  let truthIndex: TruthIndex | null = null;
  const truth = () => (truthIndex ??= indexTruth(source));
  let fraction = rp.sampleFraction;
  let probability = rp.perturbation.probability;
  // The chosen step's swap and transforms (the trial itself: every step is seeded alike).
  let chosen: { start: Start; transformed: ReturnType<typeof transform> } | null = null;
  const calibration: CalibrationStep[] = [];
  if (rp.calibration.enabled) {
    // The steps, lightest first; a swap with plausible popular shuffles ends with a uniform one.
    const steps = rp.calibration.steps;
    const ladder = Array.from({ length: steps }, (_, k) => ({
      f: 1 - ((1 - rp.sampleFraction) * (k + 1)) / steps,
      p: (rp.perturbation.probability * (k + 1)) / steps,
      share: (rp.swap.popularShare * (k + 1)) / steps,
      popularSigma: rp.swap.popularSigma,
    }));
    if (groups && rp.swap.popularSigma > 0) ladder.push({ ...ladder[steps - 1], popularSigma: 0 });
    const random = stream(seed, 9);
    for (const [k, { f, p, share, popularSigma }] of ladder.entries()) {
      const trialStart = startFrom(share, popularSigma);
      const trial = transform(trialStart, f, p);
      const release = compactRatings(trialStart.base, trial.working, (u) => u);
      const intact = groups ? popularMovies(release, share) : undefined;
      const estimate = estimateReidentification(truth(), release, rp.calibration.sample, random, {
        intactMovies: intact,
      });
      calibration.push({
        sampleFraction: f,
        perturbation: p,
        popularShare: groups ? share : null,
        popularSigma: groups ? popularSigma : null,
        ...estimate,
      });
      const passes =
        Math.max(...estimate.estimatedReidentified) <= rp.calibration.target &&
        Math.max(...estimate.estimatedStronger) <= 2 * rp.calibration.target;
      if (passes || k === ladder.length - 1) {
        fraction = f;
        probability = p;
        chosen = { start: trialStart, transformed: trial };
        break;
      }
    }
  }
  const start = chosen?.start ?? startFrom(rp.swap.popularShare, rp.swap.popularSigma);
  const { base, swapped } = start;
  const transformed = chosen?.transformed ?? transform(start, fraction, probability);
  let working = transformed.working;
  const perturbedRatings = transformed.perturbed;

  // 5. Risk targeting: users whose estimated re-identification risk exceeds the limit lose half of
  //    their remaining ratings, round after round; those still at risk are left out. The first
  //    round estimates everyone; later rounds re-estimate only the users still at risk.
  let riskSuppressedUsers = 0;
  const reduced = new Set<number>();
  if (rp.riskTargeting.enabled) {
    const riskRandom = stream(seed, 5);
    const sampleRandom = stream(seed, 6);
    let previous: Uint8Array | null = null;
    for (let round = 0; round <= rp.riskTargeting.rounds; round++) {
      const release = compactRatings(base, working, (u) => u);
      const originalOfRelease = release.userIds.ids;
      let only: Uint8Array | undefined;
      if (previous) {
        only = new Uint8Array(originalOfRelease.length);
        for (let u = 0; u < originalOfRelease.length; u++) only[u] = previous[originalOfRelease[u]];
      }
      const risk = estimateUserRisk(
        truth(),
        release,
        originalOfRelease,
        rp.riskTargeting.draws,
        riskRandom,
        only,
      );
      const atRisk = new Uint8Array(sourceUsers);
      let count = 0;
      for (let u = 0; u < risk.length; u++) {
        if (risk[u] > rp.riskTargeting.maxRisk) {
          atRisk[originalOfRelease[u]] = 1;
          count++;
        }
      }
      previous = atRisk;
      if (count === 0) break;
      if (round === rp.riskTargeting.rounds) {
        riskSuppressedUsers = count;
        working = selectWorking(working, (k) => !atRisk[base.userIndex[working.rows[k]]]);
        break;
      }
      for (let u = 0; u < sourceUsers; u++) if (atRisk[u]) reduced.add(u);
      const drop = new Uint8Array(working.rows.length);
      for (let k = 0; k < working.rows.length; k++) {
        if (atRisk[base.userIndex[working.rows[k]]] && sampleRandom.next() < 0.5) drop[k] = 1;
      }
      working = selectWorking(working, (k) => !drop[k]);
    }
  }

  // 6. Fresh pseudonyms for the users left, in a random order.
  const present = new Uint8Array(sourceUsers);
  for (let k = 0; k < working.rows.length; k++) present[base.userIndex[working.rows[k]]] = 1;
  const keptUsers: number[] = [];
  for (let u = 0; u < sourceUsers; u++) if (present[u]) keptUsers.push(u);
  const pseudonymOf = drawPseudonyms(keptUsers.length, stream(seed, 7));
  const releaseIdOfSource = new Int32Array(sourceUsers).fill(-1);
  keptUsers.forEach((u, k) => (releaseIdOfSource[u] = pseudonymOf[k]));
  const released = compactRatings(base, working, (u) => releaseIdOfSource[u]);
  const releaseIds = released.userIds.ids;
  const userIds = new Int32Array(releaseIds.length);
  for (const u of keptUsers) userIds[releaseIdOfSource[u] - 1] = liveId(u);

  // 7. Demographics: generalized and k-anonymous over the released users.
  const profiles = new Map(source.users.map((user) => [user.id, user]));
  const releasedProfiles: UserProfile[] = [];
  for (let k = 0; k < releaseIds.length; k++) {
    const live = profiles.get(userIds[k]);
    releasedProfiles.push({
      id: releaseIds[k],
      gender: live?.gender ?? null,
      age: live?.age ?? null,
      occupation: live?.occupation ?? null,
      zip: live?.zip ?? null,
    });
  }
  const kAnonymity = enforceKAnonymity(source.users.length > 0 ? releasedProfiles : [], policy);

  // 8. DP movie statistics over the eligible members' true ratings.
  const movieStats =
    policy.dp.epsilon === null
      ? null
      : dpMovieStats(
          compactRatings(ratings, rowsToWorking(ratings, mergeRows(baseRows, heldRows)), liveId),
          source.scale,
          policy.dp.epsilon,
          stream(seed, 8),
        );

  // 9. Tags and survey answers, only when the policy releases them.
  const releaseIdOf = releaseIdsOfMembers({ mapping: { releaseIds, userIds } });
  const tags = policy.tags.release ? releaseTags(source, released, releaseIdOf) : null;
  const surveys = policy.surveys.release ? releaseSurveys(source, released, releaseIdOf) : null;

  const movieIds = new Set<number>(released.itemIds.ids);
  const dataset: Dataset = {
    ratings: released,
    movies: source.movies.filter((movie) => movieIds.has(movie.id)),
    users: kAnonymity.users,
    scale: source.scale,
    ...(tags ? { tags: tags.tags } : {}),
    ...(surveys ? { surveys: surveys.surveys } : {}),
  };
  return {
    policy,
    seed,
    dataset,
    mapping: { releaseIds, userIds },
    heldOut,
    untransformed,
    kAnonymity,
    movieStats,
    summary: {
      sourceUsers,
      sourceRatings: ratings.length,
      declinedConsent: split.declinedConsent,
      withheldPublicRatings: split.withheldPublic,
      belowMinRatings: split.belowMinRatings,
      eligibleUsers: split.eligibleUsers,
      heldOutRatings: heldOut.length,
      riskSuppressedUsers,
      riskReducedUsers: reduced.size,
      perturbedRatings,
      suppressedMovies: transformed.suppressedMovies,
      releasedUsers: releaseIds.length,
      releasedRatings: released.length,
      releasedMovies: released.itemIds.size,
      appliedSampleFraction: fraction,
      appliedPerturbation: probability,
      releasedTags: tags?.tags.length ?? 0,
      droppedTags: tags?.dropped ?? 0,
      surveys: surveys?.counts ?? [],
      tasteChoice,
      calibration,
      swap: swapped && {
        popularShare: swapped.popularShare,
        groups: swapped.groups,
        movedRatings: swapped.moved,
        droppedRatings: swapped.dropped,
      },
      ownShare: ownShare(ratings, base, working, swapped?.sourceRow ?? null),
    },
  };
}
