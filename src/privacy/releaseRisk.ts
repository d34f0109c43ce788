/**
 * The release's own estimates of re-identification (for its calibration and risk targeting):
 * the scoreboard attack run with the release's random draws, never the audit's.
 */
import type { Ratings } from '../datasets/dataset.ts';
import type { Random } from '../util/random.ts';
import {
  ScoreAccumulator,
  SCOREBOARD_SETTINGS,
  STRONGER_SETTINGS,
  drawAuxiliary,
  indexRelease,
  scoreboardAttack,
  type ScoreboardSetting,
  type TruthIndex,
} from './scoreboard.ts';
import { RecordHolding, judgeMatch, policyKnowledge } from './scoreboardRuns.ts';

/**
 * Per-user re-identification risk under the scoreboard adversary, estimated with the release's
 * own random draws (never the audit's seed): the share of (setting, draw) trials in which the
 * user is re-identified.
 */
export function estimateUserRisk(
  truth: TruthIndex,
  release: Ratings,
  originalOfRelease: Int32Array,
  draws: number,
  random: Random,
  only?: Uint8Array,
): Float64Array {
  const index = indexRelease(release);
  const accumulator = new ScoreAccumulator(index.users);
  const holding = new RecordHolding(truth, release, originalOfRelease);
  const risk = new Float64Array(index.users);
  const trials = draws * SCOREBOARD_SETTINGS.length;
  for (const setting of SCOREBOARD_SETTINGS) {
    for (let d = 0; d < draws; d++) {
      for (let u = 0; u < index.users; u++) {
        if (only && !only[u]) continue;
        const aux = drawAuxiliary(truth, originalOfRelease[u], setting, random);
        const result = scoreboardAttack(index, aux, accumulator, false);
        if (judgeMatch(result, u, aux, holding).reidentified) risk[u] += 1 / trials;
      }
    }
  }
  return risk;
}

/**
 * The re-identified share per scoreboard setting and per stronger adversary, estimated on a
 * seeded sample of members with the release's own random draws (for calibration).
 */
export function estimateReidentification(
  truth: TruthIndex,
  release: Ratings,
  sample: number,
  random: Random,
  options: { intactMovies?: ReadonlySet<number> } = {},
): { estimatedReidentified: number[]; estimatedStronger: number[] } {
  const index = indexRelease(release);
  const accumulator = new ScoreAccumulator(index.users);
  const originalOfRelease = release.userIds.ids;
  const holding = new RecordHolding(truth, release, originalOfRelease);
  const targets: number[] = [];
  for (let u = 0; u < index.users; u++) targets.push(u);
  random.shuffle(targets);
  targets.length = Math.min(targets.length, sample);
  const known = policyKnowledge(truth, index, options.intactMovies);
  const estimate = (setting: ScoreboardSetting) => {
    let hits = 0;
    for (const u of targets) {
      const mask = setting.policyAware ? known : undefined;
      const aux = drawAuxiliary(truth, originalOfRelease[u], setting, random, mask);
      const result = scoreboardAttack(index, aux, accumulator, false);
      if (judgeMatch(result, u, aux, holding).reidentified) hits++;
    }
    return targets.length === 0 ? 0 : hits / targets.length;
  };
  return {
    estimatedReidentified: SCOREBOARD_SETTINGS.map(estimate),
    estimatedStronger: STRONGER_SETTINGS.map(estimate),
  };
}
