/**
 * The public-knowledge adversary (issue #13 part 3, after Frankowski et al., SIGIR 2006): knows
 * every rating a member shows on the site (public or anonymous visibility: the stars and the
 * month) and the movies the member named in board posts (with the member's rating of each), and
 * runs the scoreboard attack with exactly that. Its targets are the released members of whom
 * something is public; a policy that withholds public ratings (`publicKnowledge.withhold`)
 * leaves those pairs out of the release.
 */
import type { PublicKnowledge } from '../datasets/dataset.ts';
import { SECONDS_PER_DAY } from './columns.ts';
import {
  type AuxiliaryKnowledge,
  type ReleaseIndex,
  type ScoreboardOutcome,
  type ScoreboardSetting,
} from './scoreboard.ts';
import { attackTargets, type RecordHolding } from './scoreboardRuns.ts';

export const PUBLIC_KNOWLEDGE_SETTING: ScoreboardSetting = {
  m: 0,
  w: 0,
  days: 15,
  publicKnowledge: true,
};

/** "member id:movie id" of each public pair, for withholding them from a release. */
export function publicPairs(knowledge: PublicKnowledge | undefined): Set<string> {
  const pairs = new Set<string>();
  if (!knowledge) return pairs;
  for (let k = 0; k < knowledge.userId.length; k++)
    pairs.add(`${knowledge.userId[k]}:${knowledge.movieId[k]}`);
  return pairs;
}

/** Each member's public knowledge as the attack's auxiliary knowledge, by member id. */
function auxiliaryByMember(knowledge: PublicKnowledge): Map<number, AuxiliaryKnowledge> {
  const rows = new Map<number, number[]>();
  for (let k = 0; k < knowledge.userId.length; k++) {
    const list = rows.get(knowledge.userId[k]);
    if (list) list.push(k);
    else rows.set(knowledge.userId[k], [k]);
  }
  const result = new Map<number, AuxiliaryKnowledge>();
  for (const [member, list] of rows) {
    result.set(member, {
      movieIds: Int32Array.from(list, (k) => knowledge.movieId[k]),
      ratings: Float32Array.from(list, (k) => knowledge.rating[k]),
      // The middle of the month shown (the attacker's best guess), or no date for a post.
      days: Float64Array.from(list, (k) =>
        knowledge.timestamp[k] === 0 ? NaN : knowledge.timestamp[k] / SECONDS_PER_DAY + 15,
      ),
    });
  }
  return result;
}

/**
 * The attack on every released member with public knowledge. `originalIdOf[u]` is the member id
 * of release user u (-1 when unknown).
 */
export function runPublicKnowledge(
  release: ReleaseIndex,
  originalIdOf: Int32Array,
  knowledge: PublicKnowledge,
  holding?: RecordHolding,
): ScoreboardOutcome {
  const auxiliary = auxiliaryByMember(knowledge);
  const targets: number[] = [];
  for (let u = 0; u < originalIdOf.length; u++)
    if (originalIdOf[u] >= 0 && auxiliary.has(originalIdOf[u])) targets.push(u);
  return attackTargets(
    release,
    Int32Array.from(targets),
    PUBLIC_KNOWLEDGE_SETTING,
    (target) => auxiliary.get(originalIdOf[target])!,
    holding,
  );
}
