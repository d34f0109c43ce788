/**
 * Quasi-identifier risk of a released users table: uniqueness, equivalence-class sizes, and the
 * prosecutor, journalist and marketer re-identification risks as ARX defines them (El Emam):
 * - prosecutor (the attacker knows the target is in the release): record risk 1/f_j; highest =
 *   1/min f_j; success rate = J/n;
 * - journalist (the attacker does not know; the population is all members): highest = 1/min F_j,
 *   success rate = J / Σ_j F_j;
 * - marketer (re-identify as many as possible): (1/n) Σ_j f_j / F_j.
 * f_j = size of class j in the release, F_j = its size in the population, J = number of classes.
 */
import type { UserProfile } from '../datasets/dataset.ts';
import { classKeys, classSizes, generalize, type Levels } from './demographics.ts';
import type { QuasiIdentifier } from './policy.ts';

/** Records whose prosecutor risk exceeds this are "at risk" (ARX's default threshold). */
export const RISK_THRESHOLD = 0.2;

export interface ClassHistogram {
  /** Users in classes of size 1, 2–4, 5–9, ≥ 10 (shares of users). */
  size1: number;
  size2to4: number;
  size5to9: number;
  size10plus: number;
}

export interface QuasiIdentifierRisk {
  users: number;
  quasiIdentifiers: QuasiIdentifier[];
  /** Share of users unique on (gender, age, occupation, zip) as released. */
  uniqueGenderAgeOccupationZip: number;
  /** Share of users unique on (gender, age, zip) as released. */
  uniqueGenderAgeZip: number;
  /** Share unique on (gender, age, 3-digit zip), when the release has zips of ≥ 3 characters. */
  uniqueGenderAgeZip3: number | null;
  /** Class-size histogram on the policy's quasi-identifiers. */
  histogram: ClassHistogram;
  classes: number;
  minClassSize: number;
  prosecutor: { highest: number; successRate: number; recordsAtRisk: number };
  journalist: { highest: number; successRate: number; populationSize: number };
  marketer: number;
}

function uniqueShare(
  users: readonly UserProfile[],
  quasiIdentifiers: readonly QuasiIdentifier[],
): number {
  if (users.length === 0) return 0;
  const sizes = classSizes(classKeys(users, quasiIdentifiers));
  let unique = 0;
  for (let u = 0; u < sizes.length; u++) if (sizes[u] === 1) unique++;
  return unique / users.length;
}

function tupleKey(user: UserProfile, quasiIdentifiers: readonly QuasiIdentifier[]): string {
  let text = '';
  for (const qi of quasiIdentifiers) text += `${user[qi] ?? ''}\u0001`;
  return text;
}

/**
 * Risk of `released` (profiles as published) against a population (all members, generalized to
 * `levels`; a released empty field matches any population value).
 */
export function quasiIdentifierRisk(
  released: readonly UserProfile[],
  quasiIdentifiers: readonly QuasiIdentifier[],
  population: readonly UserProfile[],
  levels: Levels,
): QuasiIdentifierRisk {
  const n = released.length;
  const keys = classKeys(released, quasiIdentifiers);
  const sizes = classSizes(keys);
  let classes = 0;
  for (let u = 0; u < n; u++) if (keys[u] + 1 > classes) classes = keys[u] + 1;
  const histogram: ClassHistogram = { size1: 0, size2to4: 0, size5to9: 0, size10plus: 0 };
  let minClassSize = n === 0 ? 0 : Infinity;
  let atRisk = 0;
  for (let u = 0; u < n; u++) {
    const f = sizes[u];
    if (f === 1) histogram.size1++;
    else if (f <= 4) histogram.size2to4++;
    else if (f <= 9) histogram.size5to9++;
    else histogram.size10plus++;
    if (f < minClassSize) minClassSize = f;
    if (1 / f > RISK_THRESHOLD) atRisk++;
  }
  if (n > 0) {
    histogram.size1 /= n;
    histogram.size2to4 /= n;
    histogram.size5to9 /= n;
    histogram.size10plus /= n;
  }

  // Population class sizes F_j.
  const generalizedPopulation = population.map((user) => generalize(user, levels));
  const populationCounts = new Map<string, number>();
  for (const user of generalizedPopulation) {
    const key = tupleKey(user, quasiIdentifiers);
    populationCounts.set(key, (populationCounts.get(key) ?? 0) + 1);
  }
  const classSize = new Map<number, number>();
  const classPopulation = new Map<number, number>();
  for (let u = 0; u < n; u++) {
    const key = keys[u];
    classSize.set(key, sizes[u]);
    if (classPopulation.has(key)) continue;
    const user = released[u];
    const wildcard = quasiIdentifiers.some((qi) => user[qi] === null);
    let F: number;
    if (!wildcard) F = populationCounts.get(tupleKey(user, quasiIdentifiers)) ?? 0;
    else {
      F = 0;
      for (const other of generalizedPopulation) {
        if (quasiIdentifiers.every((qi) => user[qi] === null || user[qi] === other[qi])) F++;
      }
    }
    // The released record belongs to the population: a class is never smaller there.
    classPopulation.set(key, Math.max(F, sizes[u]));
  }
  let minPopulation = Infinity;
  let populationSum = 0;
  let marketer = 0;
  for (const [key, F] of classPopulation) {
    if (F < minPopulation) minPopulation = F;
    populationSum += F;
    marketer += (classSize.get(key) ?? 0) / F;
  }
  const zip3 =
    n > 0 &&
    released.every((user) => user.zip === null || user.zip.length >= 3) &&
    released.some((user) => user.zip !== null);
  return {
    users: n,
    quasiIdentifiers: [...quasiIdentifiers],
    uniqueGenderAgeOccupationZip: uniqueShare(released, ['gender', 'age', 'occupation', 'zip']),
    uniqueGenderAgeZip: uniqueShare(released, ['gender', 'age', 'zip']),
    uniqueGenderAgeZip3: zip3
      ? uniqueShare(
          released.map((user) => ({
            ...user,
            zip: user.zip === null ? null : user.zip.slice(0, 3),
          })),
          ['gender', 'age', 'zip'],
        )
      : null,
    histogram,
    classes,
    minClassSize: n === 0 ? 0 : minClassSize,
    prosecutor: {
      highest: n === 0 ? 0 : 1 / minClassSize,
      successRate: n === 0 ? 0 : classes / n,
      recordsAtRisk: n === 0 ? 0 : atRisk / n,
    },
    journalist: {
      highest: n === 0 ? 0 : 1 / minPopulation,
      successRate: n === 0 ? 0 : classes / populationSum,
      populationSize: population.length,
    },
    marketer: n === 0 ? 0 : marketer / n,
  };
}

/**
 * The generalization levels a released users table appears to use (for auditing a release made
 * elsewhere): zips of 1 character are regions, of 3 are 3-digit; ages only in {1, 18, 35, 50}
 * are coarse groups; occupations only among group codes are grouped.
 */
export function inferLevels(released: readonly UserProfile[]): Levels {
  const present = (qi: QuasiIdentifier) => released.some((user) => user[qi] !== null);
  const zips = released.filter((user) => user.zip !== null).map((user) => user.zip as string);
  const zipLevel = !present('zip')
    ? 3
    : zips.every((zip) => zip.length <= 1)
      ? 2
      : zips.every((zip) => zip.length <= 3)
        ? 1
        : 0;
  const ages = new Set(
    released.filter((user) => user.age !== null).map((user) => user.age as number),
  );
  const coarse = [...ages].every((age) => age === 1 || age === 18 || age === 35 || age === 50);
  const occupations = new Set(
    released.filter((user) => user.occupation !== null).map((user) => user.occupation as number),
  );
  const grouped =
    [...occupations].every((code) => [0, 1, 2, 3, 4, 8, 12].includes(code)) &&
    occupations.size <= 7 &&
    released.length > 50;
  return {
    gender: present('gender') ? 0 : 1,
    age: !present('age') ? 2 : coarse && ages.size <= 4 && released.length > 50 ? 1 : 0,
    occupation: !present('occupation') ? 2 : grouped ? 1 : 0,
    zip: zipLevel,
  };
}
