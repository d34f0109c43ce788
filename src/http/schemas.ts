/** Zod schemas of the API (validation, response serialization and the OpenAPI document). */
import fastJson from 'fast-json-stringify';
import { z } from 'zod';
import { HALF_STARS } from '../datasets/dataset.ts';
import { RATINGS_VISIBILITIES, USERNAME_PATTERN } from '../services/privacy.ts';
import { RATING_RULE } from '../services/ratings.ts';
import { RECOMMENDER_CHOICES } from '../services/recommenderChoices.ts';

/** A query parameter holding a whole number; an empty value counts as absent. */
export function queryInt(min: number, max: number) {
  return z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce.number().int().min(min).max(max).optional(),
  );
}

/** A query string parameter; an empty value counts as absent. */
export function queryText(max: number) {
  return z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().max(max).optional(),
  );
}

export const idParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'An error (application/problem+json)' });

export const Member = z
  .object({
    id: z.number().int(),
    username: z.string().nullable(),
    onboarded: z.boolean(),
    ratingsCount: z.number().int(),
    roles: z.array(z.string()),
  })
  .meta({ id: 'Member' });

export const SessionInfo = z.object({ member: Member.nullable(), csrfToken: z.string() });
export const LoggedIn = z.object({ member: Member, csrfToken: z.string() });

/** A rating as members give it: half stars, 0.5 to 5. */
export const RatingValue = z
  .number(RATING_RULE)
  .min(HALF_STARS.min, RATING_RULE)
  .max(HALF_STARS.max, RATING_RULE)
  .multipleOf(HALF_STARS.step, RATING_RULE)
  .describe('0.5 to 5 in half stars');

export const MovieSummary = z
  .object({
    id: z.number().int(),
    title: z.string(),
    year: z.number().int().nullable(),
    genres: z.array(z.string()),
    averageRating: z.number().nullable().describe('the exact mean rating (not rounded)'),
    ratingsCount: z.number().int(),
    predictedRating: z.number().nullable(),
    yourRating: z.number().nullable(),
  })
  .meta({ id: 'MovieSummary' });

export const MovieDetail = MovieSummary.extend({
  histogram: z
    .array(z.number().int())
    .describe('10 counts: ratings of 0.5, 1, 1.5 … 5 stars (one bar per half star)'),
  similar: z.array(MovieSummary),
  links: z
    .object({ imdb: z.string().nullable(), tmdb: z.string().nullable() })
    .describe('https://www.imdb.com/… and https://www.themoviedb.org/… pages, when known'),
}).meta({ id: 'MovieDetail' });

/** One entry of a movie's shared ratings: no member id, and only the month. */
export const SharedRating = z
  .object({
    username: z.string().nullable().describe('null: a member who shares anonymously'),
    rating: z.number(),
    month: z.string().describe('YYYY-MM (UTC)'),
  })
  .meta({ id: 'SharedRating' });

export const Recommendation = MovieSummary.extend({
  predictedRating: z.number(),
  reason: z
    .object({
      becauseYouRated: z.array(
        z.object({ id: z.number().int(), title: z.string(), yourRating: z.number() }),
      ),
    })
    .nullable(),
}).meta({ id: 'Recommendation' });

const ModelInfo = z.object({ algorithm: z.string(), version: z.string() });
const RecommenderChoiceName = z.enum(RECOMMENDER_CHOICES);
/** Which models made a list: `model` predicted the stars, `ranking` ordered the list. */
const ListProvenance = { model: ModelInfo, ranking: ModelInfo, choice: RecommenderChoiceName };
export const RecommendationList = z.object({ items: z.array(Recommendation), ...ListProvenance });
/** The member's home page lists: no shelf repeats a movie shown above it. */
export const MemberHome = z.object({
  topPicks: z.array(Recommendation),
  shelves: z.array(z.object({ genre: z.string(), items: z.array(Recommendation) })),
  ...ListProvenance,
});
export const RecommenderChoiceState = z.object({
  choice: RecommenderChoiceName,
  choices: z.array(
    z.object({ name: RecommenderChoiceName, label: z.string(), description: z.string() }),
  ),
});

export const Visibility = z.enum(RATINGS_VISIBILITIES);

export const Username = z
  .string()
  .regex(USERNAME_PATTERN, 'must be 3 to 30 of a-z, 0-9 and _')
  .describe('public username: 3–30 of [a-z0-9_], unique');

export const Privacy = z
  .object({
    ratingsVisibility: Visibility,
    researchConsent: z.boolean(),
    emailUpdates: z.boolean(),
    username: z.string().nullable(),
  })
  .meta({ id: 'Privacy' });

export const RatedMovie = MovieSummary.extend({ rating: z.number(), ratedAt: z.string() });

/** One page of a list. */
export function Page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
  });
}

/** A page of search results; `didYouMean`: the query with its typos corrected, when only that found movies. */
export const MoviePage = Page(MovieSummary).extend({ didYouMean: z.string().nullable() });

export const Email = z.string().max(254).describe('e-mail address (the login name)');
export const Password = z.string().max(200).describe('10 to 200 characters');

/** The problem answers a route documents, e.g. `problems(400, 401)`. */
export function problems<S extends number>(...statuses: S[]): Record<S, typeof Problem> {
  return Object.fromEntries(statuses.map((status) => [status, Problem])) as Record<
    S,
    typeof Problem
  >;
}

// ---- compiled response serializers (hot routes) ------------------------------------------------

type JsonSchemaNode = { [key: string]: unknown };

/**
 * fast-json-stringify picks an `anyOf` branch by validating with Ajv on every call; the
 * `X | null` unions zod emits become `type: [X, 'null']`, which it serializes directly.
 */
function simplifyNullables(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplifyNullables);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== '$schema') out[key] = simplifyNullables(value);
  }
  const branches = out.anyOf;
  if (Array.isArray(branches) && branches.length === 2) {
    const isNull = (b: JsonSchemaNode) => b.type === 'null' && Object.keys(b).length === 1;
    const others = (branches as JsonSchemaNode[]).filter((b) => !isNull(b));
    if (others.length === 1 && typeof others[0].type === 'string') {
      delete out.anyOf;
      return { ...out, ...others[0], type: [others[0].type, 'null'] };
    }
  }
  return out;
}

/**
 * A route's `serializerCompiler` for its hot responses: fast-json-stringify compiled from the
 * zod schema's JSON Schema, instead of the type provider's zod encode + JSON.stringify (~3× the
 * cost for a list of 20 movies). Like zod it writes only the schema's properties (a stray field
 * never leaves the server) and fails on a missing required field or a NaN; it does not check
 * ranges and formats, which the handlers' types already guarantee.
 */
export function compiledSerializer({ schema }: { schema: unknown }): (data: unknown) => string {
  const json = z.toJSONSchema(schema as z.ZodType, { io: 'output' });
  return fastJson(simplifyNullables(json) as Parameters<typeof fastJson>[0]);
}
