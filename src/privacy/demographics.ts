/**
 * Demographic quasi-identifiers: generalization hierarchies (the ML-1M age buckets or coarser,
 * zip to 3 digits / region / none, occupation kept or grouped) and k-anonymity by a full search of
 * the generalization lattice, then suppression of the users left in classes smaller than k.
 */
import { ageBucket, type UserProfile } from '../datasets/dataset.ts';
import {
  GENERALIZATION_LEVELS,
  QUASI_IDENTIFIERS,
  type Policy,
  type QuasiIdentifier,
} from './policy.ts';

/** Coarse age groups, each written as the ML-1M bucket that starts it: <18, 18–34, 35–49, 50+. */
export const COARSE_AGE_GROUPS = [1, 18, 35, 50] as const;

/** Occupation groups over the ML-1M codes; each group is written as its smallest code. */
export const OCCUPATION_GROUPS: ReadonlyArray<{ name: string; codes: readonly number[] }> = [
  { name: 'not employed or other', codes: [0, 9, 13, 19] },
  { name: 'academic or professional', codes: [1, 6, 11, 15] },
  { name: 'arts and writing', codes: [2, 20] },
  { name: 'office, business and sales', codes: [3, 5, 7, 14, 16] },
  { name: 'student', codes: [4, 10] },
  { name: 'farming and trades', codes: [8, 18] },
  { name: 'technical', codes: [12, 17] },
];

const OCCUPATION_GROUP_CODE = new Int32Array(21);
for (const group of OCCUPATION_GROUPS)
  for (const code of group.codes) OCCUPATION_GROUP_CODE[code] = group.codes[0];

/** Generalization level per quasi-identifier: an index into GENERALIZATION_LEVELS[qi]. */
export type Levels = Record<QuasiIdentifier, number>;

export function levelsOfPolicy(policy: Policy): Levels {
  const d = policy.demographics;
  return {
    gender: GENERALIZATION_LEVELS.gender.indexOf(d.gender),
    age: GENERALIZATION_LEVELS.age.indexOf(d.age),
    occupation: GENERALIZATION_LEVELS.occupation.indexOf(d.occupation),
    zip: GENERALIZATION_LEVELS.zip.indexOf(d.zip),
  };
}

export function levelNames(levels: Levels): Record<QuasiIdentifier, string> {
  return {
    gender: GENERALIZATION_LEVELS.gender[levels.gender],
    age: GENERALIZATION_LEVELS.age[levels.age],
    occupation: GENERALIZATION_LEVELS.occupation[levels.occupation],
    zip: GENERALIZATION_LEVELS.zip[levels.zip],
  };
}

/** One profile generalized to the given levels (the id is kept). */
export function generalize(user: UserProfile, levels: Levels): UserProfile {
  const age = user.age === null ? null : ageBucket(user.age);
  let zip = user.zip === null ? null : user.zip.trim();
  if (zip !== null) {
    if (levels.zip === 1) zip = zip.slice(0, 3);
    else if (levels.zip === 2) zip = zip.slice(0, 1);
    else if (levels.zip === 3) zip = null;
    if (zip === '') zip = null;
  }
  let coarseAge: number | null = null;
  if (age !== null) for (const lower of COARSE_AGE_GROUPS) if (age >= lower) coarseAge = lower;
  return {
    id: user.id,
    gender: levels.gender === 0 ? user.gender : null,
    age: levels.age === 0 ? age : levels.age === 1 ? coarseAge : null,
    occupation:
      user.occupation === null || levels.occupation === 2
        ? null
        : levels.occupation === 1
          ? OCCUPATION_GROUP_CODE[user.occupation]
          : user.occupation,
    zip,
  };
}

/** Profiles with every quasi-identifier removed (suppressed). */
function suppress(user: UserProfile, quasiIdentifiers: readonly QuasiIdentifier[]): UserProfile {
  const copy = { ...user };
  for (const qi of quasiIdentifiers) copy[qi] = null;
  return copy;
}

/** Dense class keys of profiles on the given quasi-identifiers (equal key = same class). */
export function classKeys(
  users: readonly UserProfile[],
  quasiIdentifiers: readonly QuasiIdentifier[],
): Int32Array {
  const intern = new Map<string, number>();
  const keys = new Int32Array(users.length);
  for (let u = 0; u < users.length; u++) {
    const user = users[u];
    let text = '';
    for (const qi of quasiIdentifiers) text += `${user[qi] ?? ''}\u0001`;
    let key = intern.get(text);
    if (key === undefined) {
      key = intern.size;
      intern.set(text, key);
    }
    keys[u] = key;
  }
  return keys;
}

/** Size of each record's equivalence class. */
export function classSizes(keys: Int32Array): Int32Array {
  let classes = 0;
  for (let u = 0; u < keys.length; u++) if (keys[u] + 1 > classes) classes = keys[u] + 1;
  const counts = new Int32Array(classes);
  for (let u = 0; u < keys.length; u++) counts[keys[u]]++;
  const sizes = new Int32Array(keys.length);
  for (let u = 0; u < keys.length; u++) sizes[u] = counts[keys[u]];
  return sizes;
}

export interface KAnonymityResult {
  users: UserProfile[];
  levels: Levels;
  /** Users whose quasi-identifiers were suppressed. */
  suppressed: number;
  /** Smallest equivalence class after generalization and suppression (0 when no users). */
  minClassSize: number;
  satisfied: boolean;
  /** Lattice nodes examined. */
  nodes: number;
}

/**
 * k-anonymity on the policy's quasi-identifiers: among all generalizations at least as coarse as
 * the policy's levels, the one with the least information loss whose classes smaller than k hold
 * at most maxSuppression of the users; those users' quasi-identifiers are then suppressed (if
 * the suppressed group itself is smaller than k, the next smallest classes join it).
 */
export function enforceKAnonymity(
  profiles: readonly UserProfile[],
  policy: Policy,
): KAnonymityResult {
  const { k, maxSuppression, quasiIdentifiers } = policy.demographics;
  const minimum = levelsOfPolicy(policy);
  const n = profiles.length;
  if (k <= 1 || quasiIdentifiers.length === 0 || n === 0) {
    const users = profiles.map((user) => generalize(user, minimum));
    const sizes = classSizes(classKeys(users, quasiIdentifiers));
    return {
      users,
      levels: minimum,
      suppressed: 0,
      minClassSize: minOf(sizes),
      satisfied: n === 0 || minOf(sizes) >= k,
      nodes: 1,
    };
  }
  const ranges = QUASI_IDENTIFIERS.map((qi) =>
    quasiIdentifiers.includes(qi)
      ? rangeFrom(minimum[qi], GENERALIZATION_LEVELS[qi].length)
      : [minimum[qi]],
  );
  let best: { levels: Levels; loss: number; suppressed: number } | null = null;
  let nodes = 0;
  for (const g of ranges[0])
    for (const a of ranges[1])
      for (const o of ranges[2])
        for (const z of ranges[3]) {
          nodes++;
          const levels: Levels = { gender: g, age: a, occupation: o, zip: z };
          const users = profiles.map((user) => generalize(user, levels));
          const sizes = classSizes(classKeys(users, quasiIdentifiers));
          let small = 0;
          for (let u = 0; u < n; u++) if (sizes[u] < k) small++;
          if (small > maxSuppression * n) continue;
          let height = 0;
          for (const qi of quasiIdentifiers)
            height += levels[qi] / (GENERALIZATION_LEVELS[qi].length - 1);
          height /= quasiIdentifiers.length;
          const loss = ((n - small) * height + small) / n;
          if (
            !best ||
            loss < best.loss - 1e-12 ||
            (Math.abs(loss - best.loss) <= 1e-12 && small < best.suppressed)
          ) {
            best = { levels, loss, suppressed: small };
          }
        }
  const levels: Levels = best?.levels ?? {
    gender: GENERALIZATION_LEVELS.gender.length - 1,
    age: GENERALIZATION_LEVELS.age.length - 1,
    occupation: GENERALIZATION_LEVELS.occupation.length - 1,
    zip: GENERALIZATION_LEVELS.zip.length - 1,
  };
  const users = profiles.map((user) => generalize(user, levels));
  const keys = classKeys(users, quasiIdentifiers);
  const sizes = classSizes(keys);
  const suppressedFlags = new Uint8Array(n);
  let suppressed = 0;
  for (let u = 0; u < n; u++) {
    if (sizes[u] < k) {
      suppressedFlags[u] = 1;
      suppressed++;
    }
  }
  if (suppressed > 0 && suppressed < k) {
    // The suppressed group is a class of its own: grow it with whole classes, smallest first.
    const order = Array.from({ length: n }, (_, u) => u).filter((u) => !suppressedFlags[u]);
    order.sort((x, y) => sizes[x] - sizes[y] || keys[x] - keys[y]);
    let i = 0;
    while (suppressed < k && i < order.length) {
      const key = keys[order[i]];
      while (i < order.length && keys[order[i]] === key) {
        suppressedFlags[order[i]] = 1;
        suppressed++;
        i++;
      }
    }
  }
  for (let u = 0; u < n; u++)
    if (suppressedFlags[u]) users[u] = suppress(users[u], quasiIdentifiers);
  const finalSizes = classSizes(classKeys(users, quasiIdentifiers));
  const minClassSize = minOf(finalSizes);
  return { users, levels, suppressed, minClassSize, satisfied: minClassSize >= k, nodes };
}

function rangeFrom(start: number, end: number): number[] {
  const values: number[] = [];
  for (let v = start; v < end; v++) values.push(v);
  return values;
}

function minOf(values: Int32Array): number {
  if (values.length === 0) return 0;
  let min = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] < min) min = values[i];
  return min;
}
