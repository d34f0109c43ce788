// npm run bench:synthetic — how closely the synthetic generator matches real MovieLens 100K on
// the measures the re-identification attack depends on (issue #13): the popularity tail, the
// per-user rating counts, the rating distribution, how unique members are on a few of their
// movies, how their ratings fall in time, and the scoreboard figures of a naive release.
// Prints one table: ML-100K beside the generator at ML-100K's shape (943 users, 1,682 movies,
// 100,000 ratings) for each seed, and at synthetic-1m's shape when asked.
// Scoreboard figures are medians over release seeds (with ML-100K's own range beside them), and
// a last column per shape gives the median over the generator's seeds.
// Options (environment): SEEDS (1,2,3), SHAPES (ml100k; ml100k,synthetic-1m adds the big one),
// RELEASE_SEEDS (1,2,3; empty skips the release and audit), ML100K (../shared/data/ml-100k).
import { existsSync } from 'node:fs';
import type { Dataset } from '../src/datasets/dataset.ts';
import { readMl100k } from '../src/datasets/ml100k.ts';
import { generateSynthetic, type SyntheticOptions } from '../src/datasets/synthetic.ts';
import { auditRelease, presetPolicy, releaseDataset } from '../src/privacy/index.ts';
import { Random } from '../src/util/random.ts';

const SEEDS = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const SHAPES = (process.env.SHAPES ?? 'ml100k').split(',');
const RELEASE_SEEDS = (process.env.RELEASE_SEEDS ?? '1,2,3').split(',').filter(Boolean).map(Number);
const ML100K = process.env.ML100K ?? '../shared/data/ml-100k';
const SHAPE_OPTIONS: Record<string, Omit<SyntheticOptions, 'seed'>> = {
  ml100k: { users: 943, movies: 1682, ratings: 100_000 },
  'synthetic-1m': { users: 6040, movies: 3900, ratings: 1_000_209 },
};
const DAY = 86400;
/** Draws per member for the uniqueness measures (their mean is reported). */
const UNIQUENESS_DRAWS = 5;

/**
 * Each measure's values (one, or one per release seed for the scoreboard) and whether it is a
 * share (printed as %) or a count.
 */
type Measures = Map<string, [values: number[], kind: 'share' | 'count']>;

const setShare = (out: Measures, name: string, value: number) =>
  out.set(name, [[...(out.get(name)?.[0] ?? []), value], 'share']);
const setCount = (out: Measures, name: string, value: number) => out.set(name, [[value], 'count']);

const quantile = (sorted: ArrayLike<number>, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];

/** The rows grouped by their dense index (a user's or a movie's): rows[start[i]..start[i + 1]). */
function group(index: Int32Array, size: number): { start: Int32Array; rows: Int32Array } {
  const start = new Int32Array(size + 1);
  for (const i of index) start[i + 1]++;
  for (let i = 0; i < size; i++) start[i + 1] += start[i];
  const fill = start.slice(0, size);
  const rows = new Int32Array(index.length);
  for (let r = 0; r < index.length; r++) rows[fill[index[r]]++] = r;
  return { start, rows };
}

function popularity(dataset: Dataset, out: Measures): void {
  const { ratings } = dataset;
  // Over the whole catalog: a movie nobody rated is part of the tail.
  const catalog = Math.max(dataset.movies.length, ratings.itemIds.size);
  const counts = new Float64Array(catalog);
  for (const i of ratings.itemIndex) counts[i]++;
  counts.sort().reverse();
  const topShare = (fraction: number) => {
    let sum = 0;
    for (let k = 0; k < Math.ceil(catalog * fraction); k++) sum += counts[k];
    return sum / ratings.length;
  };
  setShare(out, 'ratings on the top 1% of movies', topShare(0.01));
  setShare(out, 'ratings on the top 10% of movies', topShare(0.1));
  setShare(out, 'movies with < 5 raters', counts.filter((c) => c < 5).length / catalog);
  setShare(out, 'movies with < 20 raters', counts.filter((c) => c < 20).length / catalog);
  // Gini over the ascending counts: 1 − 2·Σ (cumulative share) / n, trapezoid-corrected.
  counts.reverse();
  let cumulative = 0;
  let area = 0;
  for (const c of counts) {
    area += cumulative + c / 2;
    cumulative += c;
  }
  setShare(out, 'Gini of movie popularity', 1 - (2 * area) / (catalog * cumulative));
}

function perUser(dataset: Dataset, out: Measures): void {
  const { ratings } = dataset;
  const counts = new Float64Array(ratings.userIds.size);
  for (const u of ratings.userIndex) counts[u]++;
  counts.sort();
  setCount(out, 'ratings per member: min', counts[0]);
  setCount(out, '… 25th percentile', quantile(counts, 0.25));
  setCount(out, '… median', quantile(counts, 0.5));
  setCount(out, '… 75th percentile', quantile(counts, 0.75));
  setCount(out, '… 95th percentile', quantile(counts, 0.95));
  setCount(out, '… max', counts[counts.length - 1]);
  const stars = [0, 0, 0, 0, 0];
  for (const r of ratings.rating) stars[Math.round(r) - 1]++;
  stars.forEach((count, s) =>
    setShare(out, `${s + 1} star${s ? 's' : ''}`, count / ratings.length),
  );
}

/**
 * Uniqueness: the share of members who are the only one to have rated k movies drawn at random
 * among theirs (k = 2, 3, 4; and k = 2, 3 with the exact stars). The attack's knowledge is such a
 * random draw, so this is what a noiseless attacker without dates could single out.
 */
function uniqueness(dataset: Dataset, out: Measures): void {
  const { ratings } = dataset;
  const users = ratings.userIds.size;
  const byUser = group(ratings.userIndex, users);
  const byItem = group(ratings.itemIndex, ratings.itemIds.size);
  const random = new Random(11);
  // Targets: every member, or a seeded sample of 1,000.
  const targets = Int32Array.from({ length: users }, (_, u) => u);
  random.shuffle(targets);
  const sample = targets.subarray(0, Math.min(users, 1000));
  const mark = new Int32Array(users);
  let stamp = 0;
  const share = (k: number, withStars: boolean) => {
    let unique = 0;
    for (const u of sample) {
      const begin = byUser.start[u];
      const n = byUser.start[u + 1] - begin;
      for (let draw = 0; draw < UNIQUENESS_DRAWS; draw++) {
        // The candidates: members who rated every drawn movie (with the same stars), marked
        // with the stamp of the last movie they passed.
        const picked = new Set<number>();
        while (picked.size < Math.min(k, n)) picked.add(random.int(n));
        let candidates = 0;
        let first = true;
        for (const p of picked) {
          const row = byUser.rows[begin + p];
          const item = ratings.itemIndex[row];
          stamp++;
          candidates = 0;
          for (let j = byItem.start[item]; j < byItem.start[item + 1]; j++) {
            const r = byItem.rows[j];
            const v = ratings.userIndex[r];
            if (withStars && ratings.rating[r] !== ratings.rating[row]) continue;
            if (first || mark[v] === stamp - 1) {
              mark[v] = stamp;
              candidates++;
            }
          }
          first = false;
        }
        if (candidates === 1) unique++;
      }
    }
    return unique / (sample.length * UNIQUENESS_DRAWS);
  };
  for (const k of [2, 3, 4])
    setShare(out, `unique on ${k} random movies of theirs`, share(k, false));
  for (const k of [2, 3])
    setShare(out, `unique on ${k} random movies with their stars`, share(k, true));
}

/**
 * Time: the dataset's span, how members' ratings bunch up (days with ratings, the share on their
 * busiest day), and how crowded a movie's ratings are in time (the share of ratings with no other
 * rating of the same movie within ±3 / ±14 days: what the dated attack settings feed on).
 */
function time(dataset: Dataset, out: Measures): void {
  const { ratings } = dataset;
  let low = Infinity;
  let high = -Infinity;
  for (const t of ratings.timestamp) {
    if (t < low) low = t;
    if (t > high) high = t;
  }
  setCount(out, 'time span, days', (high - low) / DAY);
  const byUser = group(ratings.userIndex, ratings.userIds.size);
  const activeDays: number[] = [];
  const busiestShare: number[] = [];
  const spanDays: number[] = [];
  for (let u = 0; u < ratings.userIds.size; u++) {
    const days = new Map<number, number>();
    let first = Infinity;
    let last = -Infinity;
    for (let k = byUser.start[u]; k < byUser.start[u + 1]; k++) {
      const day = Math.floor(ratings.timestamp[byUser.rows[k]] / DAY);
      days.set(day, (days.get(day) ?? 0) + 1);
      first = Math.min(first, day);
      last = Math.max(last, day);
    }
    activeDays.push(days.size);
    busiestShare.push(Math.max(...days.values()) / (byUser.start[u + 1] - byUser.start[u]));
    spanDays.push(last - first);
  }
  const median = (values: number[]) =>
    quantile(
      values.sort((a, b) => a - b),
      0.5,
    );
  setCount(out, 'member: days with ratings (median)', median(activeDays));
  setShare(out, 'member: share on busiest day (median)', median(busiestShare));
  setCount(out, 'member: first to last rating, days (median)', median(spanDays));
  const byItem = group(ratings.itemIndex, ratings.itemIds.size);
  const random = new Random(13);
  const lonely = [0, 0];
  const samples = 20_000;
  for (let s = 0; s < samples; s++) {
    const r = random.int(ratings.length);
    const item = ratings.itemIndex[r];
    let nearest = Infinity;
    for (let k = byItem.start[item]; k < byItem.start[item + 1]; k++) {
      const other = byItem.rows[k];
      if (other !== r)
        nearest = Math.min(nearest, Math.abs(ratings.timestamp[other] - ratings.timestamp[r]));
    }
    if (nearest > 3 * DAY) lonely[0]++;
    if (nearest > 14 * DAY) lonely[1]++;
  }
  setShare(out, 'ratings alone on their movie within ±3 days', lonely[0] / samples);
  setShare(out, 'ratings alone on their movie within ±14 days', lonely[1] / samples);
}

/**
 * The scoreboard figures of a naive release (releaseDataset + auditRelease with the mapping),
 * once per release seed: the seed draws the 10% held back and the pseudonyms, so the spread over
 * seeds shows how much of a difference is noise (500 targets: ±2 points at 60%).
 */
function scoreboard(dataset: Dataset, out: Measures, seed: number): void {
  const policy = presetPolicy('naive');
  const release = releaseDataset(dataset, policy, { seed });
  const liveIdOf = new Map<number, number>();
  release.mapping.releaseIds.forEach((id, k) => liveIdOf.set(id, release.mapping.userIds[k]));
  const audit = auditRelease({
    truth: dataset,
    release: release.dataset,
    originalIdOf: (id) => liveIdOf.get(id),
    targets: policy.gate.targets,
    knowledgeCurve: false,
  });
  for (const outcome of [...audit.scoreboard, ...audit.strongerAdversaries])
    setShare(out, `naive release re-identified: ${outcome.name}`, outcome.reidentified);
}

function measure(dataset: Dataset): Measures {
  const out: Measures = new Map();
  popularity(dataset, out);
  perUser(dataset, out);
  uniqueness(dataset, out);
  time(dataset, out);
  for (const seed of RELEASE_SEEDS) scoreboard(dataset, out, seed);
  return out;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const show = (value: number, kind: 'share' | 'count') =>
  kind === 'share' ? `${(value * 100).toFixed(1)}%` : String(Math.round(value));

/** A column: its title, and per measure the printed cell and the value compared. */
type Column = [title: string, cells: Map<string, [cell: string, value: number]>];
const column = (title: string, measures: Measures, range: boolean): Column => {
  const cells = new Map<string, [string, number]>();
  for (const [name, [values, kind]] of measures) {
    const middle = median(values);
    const spread =
      range && values.length > 1
        ? ` (${show(Math.min(...values), kind)}–${show(Math.max(...values), kind)})`
        : '';
    cells.set(name, [show(middle, kind) + spread, middle]);
  }
  return [title, cells];
};

const columns: Column[] = [];
let real: Measures | null = null;
if (existsSync(ML100K)) {
  real = measure(await readMl100k(ML100K));
  columns.push(column('ML-100K', real, true));
} else console.log(`ML-100K not found at ${ML100K}: synthetic columns only`);
for (const shape of SHAPES) {
  const options = SHAPE_OPTIONS[shape];
  if (!options) throw new Error(`SHAPES: unknown shape "${shape}" (ml100k, synthetic-1m)`);
  const seeds: Measures[] = [];
  for (const seed of SEEDS) {
    const start = performance.now();
    const dataset = generateSynthetic({ ...options, seed });
    const seconds = (performance.now() - start) / 1000;
    seeds.push(measure(dataset));
    columns.push(column(`${shape} seed ${seed}`, seeds[seeds.length - 1], false));
    console.log(`generated ${shape} seed ${seed} in ${seconds.toFixed(2)} s`);
  }
  // The median over the generator's seeds of each seed's (median) figure.
  const overSeeds: Measures = new Map();
  for (const [name, [, kind]] of seeds[0])
    overSeeds.set(name, [seeds.map((m) => median(m.get(name)![0])), kind]);
  columns.push(column(`${shape} median of seeds`, overSeeds, false));
  if (real) {
    const cells = new Map<string, [string, number]>();
    for (const [name, [values, kind]] of real) {
      const difference = median(overSeeds.get(name)![0]) - median(values);
      const cell =
        kind === 'share'
          ? `${difference >= 0 ? '+' : ''}${(difference * 100).toFixed(1)}`
          : `${difference >= 0 ? '+' : ''}${Math.round(difference)}`;
      cells.set(name, [cell, difference]);
    }
    columns.push([`${shape} − ML-100K (points)`, cells]);
  }
}

console.log(`\n| measure | ${columns.map(([title]) => title).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---|').join('')}`);
for (const name of columns[0][1].keys()) {
  console.log(
    `| ${name} | ${columns.map(([, cells]) => cells.get(name)?.[0] ?? '—').join(' | ')} |`,
  );
}
