/**
 * What an experiment is: the definition a researcher writes (checked with zod, every error naming
 * its field) and the stored experiment the service returns. See services/experiments.ts.
 */
import { z } from 'zod';
import { invalid, type FieldError } from './errors.ts';

export const POPULATIONS = ['new-members', 'all'] as const;
export type Population = (typeof POPULATIONS)[number];

const timeInput = z
  .union([z.date(), z.string(), z.number()], {
    error: 'must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z',
  })
  .transform((value, context) => {
    const ms =
      value instanceof Date
        ? value.getTime()
        : typeof value === 'number'
          ? value
          : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())
            ? Date.parse(value.trim())
            : NaN;
    if (!Number.isFinite(ms)) {
      context.addIssue({
        code: 'custom',
        message: `must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, got "${String(value)}"`,
      });
      return z.NEVER;
    }
    return Math.floor(ms / 1000);
  });

const variantSchema = z.object({
  name: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(40, { error: 'must be at most 40 characters' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, {
      error: 'use letters, digits, spaces, "-", "_" or "." (starting with a letter or digit)',
    }),
  weight: z
    .number({ error: 'must be a number' })
    .positive({ error: 'must be positive' })
    .max(1e6, { error: 'must be at most 1,000,000' }),
  description: z.string().trim().max(500, { error: 'must be at most 500 characters' }).optional(),
});

/** What a researcher writes (JSON from the console, or YAML/JSON from the command line). */
export const experimentDefinitionSchema = z
  .object({
    name: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(80, { error: 'must be at most 80 characters' }),
    hypothesis: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, { error: 'state the hypothesis the experiment tests' })
      .max(2000, { error: 'must be at most 2,000 characters' }),
    population: z.enum(POPULATIONS, { error: 'must be "new-members" or "all"' }),
    variants: z
      .array(variantSchema, { error: 'must be a list of variants' })
      .min(2, { error: 'an experiment needs at least two variants' })
      .max(20, { error: 'at most 20 variants' }),
    /** Default: now. */
    startsAt: timeInput.optional(),
    stopsAt: timeInput,
  })
  .superRefine((definition, context) => {
    const seen = new Set<string>();
    definition.variants.forEach((variant, i) => {
      const key = variant.name.toLowerCase();
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['variants', i, 'name'],
          message: `"${variant.name}" is used by another variant of this experiment`,
        });
      }
      seen.add(key);
    });
    const startsAt = definition.startsAt ?? Math.floor(Date.now() / 1000);
    if (!(startsAt < definition.stopsAt)) {
      context.addIssue({
        code: 'custom',
        path: ['stopsAt'],
        message: `must be after startsAt (${new Date(startsAt * 1000).toISOString()})`,
      });
    }
  });

export type ExperimentDefinition = z.input<typeof experimentDefinitionSchema>;

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return 'definition';
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** An invalid definition (400): the message names every field at fault. */
export function definitionError(fields: FieldError[]) {
  return invalid(fields.map((field) => `${field.path}: ${field.message}`).join('; '), fields);
}

/** Parses and checks a definition; throws an `invalid` ServiceError naming the fields. */
export function parseExperimentDefinition(input: unknown) {
  const parsed = experimentDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    throw definitionError(
      parsed.error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message })),
    );
  }
  return parsed.data;
}

export type ExperimentStatus = 'draft' | 'running' | 'stopped';
/** The status seen at a moment: a running experiment before its window is 'scheduled', after it 'ended'. */
export type ExperimentState = 'draft' | 'scheduled' | 'running' | 'ended' | 'stopped';

export interface Variant {
  name: string;
  weight: number;
  /** weight / sum of weights */
  share: number;
  description: string;
}

export interface Experiment {
  id: number;
  name: string;
  hypothesis: string;
  population: Population;
  startsAt: Date;
  stopsAt: Date;
  status: ExperimentStatus;
  state: ExperimentState;
  createdAt: Date;
  createdBy: number | null;
  startedAt: Date | null;
  stoppedAt: Date | null;
  variants: Variant[];
}
