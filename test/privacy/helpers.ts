import {
  FIVE_STARS,
  ratingsFromExternalIds,
  type Dataset,
  type UserProfile,
} from '../../src/datasets/dataset.ts';
import { validatePolicy } from '../../src/privacy/policy.ts';
import { Random } from '../../src/util/random.ts';

/** A small random dataset: users rate a random number (≥ minRatings) of movies with popularity skew. */
export function smallDataset(options: {
  users: number;
  movies: number;
  perUser: [number, number];
  seed: number;
}): Dataset {
  const random = new Random(options.seed);
  const userIds: number[] = [];
  const itemIds: number[] = [];
  const ratings: number[] = [];
  const times: number[] = [];
  const start = 956703932;
  for (let u = 0; u < options.users; u++) {
    const id = 1000 + u * 7;
    const count = options.perUser[0] + random.int(options.perUser[1] - options.perUser[0] + 1);
    const seen = new Set<number>();
    while (seen.size < Math.min(count, options.movies)) {
      // Popularity skew: low movie ids are rated more.
      const movie = 1 + Math.floor(options.movies * Math.pow(random.next(), 2));
      if (seen.has(movie)) continue;
      seen.add(movie);
      userIds.push(id);
      itemIds.push(movie);
      ratings.push(1 + random.int(5));
      times.push(start + random.int(3 * 365 * 86400));
    }
  }
  const genders = ['M', 'F'] as const;
  const users: UserProfile[] = [];
  for (let u = 0; u < options.users; u++) {
    users.push({
      id: 1000 + u * 7,
      gender: genders[random.int(2)],
      age: [1, 18, 25, 35, 45, 50, 56][random.int(7)],
      occupation: random.int(21),
      zip: `${55100 + random.int(900)}`,
    });
  }
  const movies = Array.from({ length: options.movies }, (_, i) => ({
    id: i + 1,
    title: `Movie ${i + 1}`,
    year: 1990 + (i % 20),
    genres: ['Drama'],
  }));
  return {
    ratings: ratingsFromExternalIds(
      Int32Array.from(userIds),
      Int32Array.from(itemIds),
      Float32Array.from(ratings),
      Uint32Array.from(times),
    ),
    movies,
    users,
    scale: FIVE_STARS,
  };
}

export const ML100K_DIR = new URL('../../../shared/data/ml-100k', import.meta.url).pathname;

/** A gate that lets every release pass (tests of what a release holds, not of the gate). */
export const LENIENT_GATE = { maxReidentified: 1, maxReidentifiedStronger: 1, targets: 'all' };

/** The default policy with the lenient gate, no risk targeting, and `overrides` on top. */
export function lenientPolicy(overrides: Record<string, unknown>) {
  return validatePolicy({
    gate: LENIENT_GATE,
    ratings: { riskTargeting: { enabled: false } },
    ...overrides,
  });
}

/** A quick ml-latest release for tests: seed 3, no utility, no knowledge curve. */
export function quickReleaseOptions(consents: (id: number) => boolean) {
  return { seed: 3, format: 'ml-latest' as const, consents, utility: false, knowledgeCurve: false };
}
