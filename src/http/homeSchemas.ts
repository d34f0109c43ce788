/** Zod schemas of the home page's ready lists, onboarding groups and a member's statistics. */
import { z } from 'zod';
import { MovieSummary } from './schemas.ts';

export const ReadyLists = z
  .object({
    newAdditions: z.array(MovieSummary),
    topRated: z.array(MovieSummary).describe('by damped mean, among movies with ≥ minRatings'),
    recentlyReleased: z.array(MovieSummary),
    minRatings: z.number().int(),
  })
  .meta({ id: 'ReadyLists' });

export const MovieGroup = z
  .object({
    id: z.number().int(),
    genre: z.string().nullable().describe('the genre most of its movies share'),
    movies: z.array(MovieSummary).describe('the best-known titles, which name the group'),
  })
  .meta({ id: 'MovieGroup' });

export const MovieGroups = z.object({ groups: z.array(MovieGroup), minPicks: z.number().int() });

export const GroupPicks = z.object({
  groups: z
    .array(z.number().int().min(1).max(1000))
    .min(1)
    .max(50)
    .describe('ids of the picked groups (at least 3, distinct)'),
});

export const GroupRecommendations = z.object({ items: z.array(MovieSummary) });

export const MemberStats = z
  .object({
    ratingsCount: z.number().int(),
    histogram: z
      .array(z.number().int())
      .describe('counts of your ratings per half star: 0.5, 1 … 5'),
    yourAverage: z.number().nullable(),
    siteAverage: z.number().nullable(),
    perMonth: z.array(z.object({ month: z.string(), count: z.number().int() })),
    minRatings: z.number().int(),
    differences: z.array(
      z.object({
        movie: MovieSummary,
        yourRating: z.number(),
        average: z.number(),
        difference: z.number().describe('your rating − the average'),
      }),
    ),
  })
  .meta({ id: 'MemberStats' });
