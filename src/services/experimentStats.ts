/**
 * The statistics of experiment results: pure functions, no I/O.
 * - Means get a normal (Wald) 95% interval: mean ± z·s/√n, s the sample standard deviation.
 * - Proportions get a Wilson score 95% interval (well behaved near 0 and 1 and for small n).
 * - Two variants are called different only when their 95% intervals do not overlap: a
 *   conservative reading (non-overlap implies p < 0.05, overlap does not imply "the same").
 */

/** The 97.5% quantile of the standard normal distribution. */
export const Z_95 = 1.959963984540054;

export interface Estimate {
  /** Observations (members, predictions) or trials (impressions). */
  n: number;
  /** The mean or proportion; null without data. */
  value: number | null;
  /** The 95% interval; null when it cannot be computed (n < 2 for a mean, n = 0 for a proportion). */
  low: number | null;
  high: number | null;
}

/** Mean with a normal (Wald) 95% interval over the first `count` values. */
export function meanInterval(values: ArrayLike<number>, count: number = values.length): Estimate {
  const n = count;
  if (n === 0) return { n, value: null, low: null, high: null };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  if (n === 1) return { n, value: mean, low: null, high: null };
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    squares += d * d;
  }
  const half = (Z_95 * Math.sqrt(squares / (n - 1))) / Math.sqrt(n);
  return { n, value: mean, low: mean - half, high: mean + half };
}

/** A proportion with its Wilson score 95% interval. */
export function wilsonInterval(successes: number, trials: number): Estimate {
  if (!(trials > 0)) return { n: 0, value: null, low: null, high: null };
  if (successes < 0 || successes > trials) {
    throw new RangeError(`successes (${successes}) must be between 0 and trials (${trials})`);
  }
  const p = successes / trials;
  const z2 = Z_95 * Z_95;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half =
    (Z_95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { n: trials, value: p, low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

export type Comparison = 'higher' | 'lower' | 'no-clear-difference' | 'not-enough-data';

/** How `a` compares with `b`: higher/lower only when the 95% intervals do not overlap. */
export function compareEstimates(a: Estimate, b: Estimate): Comparison {
  if (a.value === null || b.value === null || a.low === null || b.low === null)
    return 'not-enough-data';
  if (a.low > b.high!) return 'higher';
  if (a.high! < b.low) return 'lower';
  return 'no-clear-difference';
}

export interface MetricDescription {
  /** e.g. "click-through" */
  label: string;
  /** Which direction is better, if any (said in the reading). */
  better: 'higher' | 'lower' | 'neither';
  /** How values are written. */
  format: 'percent' | 'number';
}

export function formatValue(value: number, format: MetricDescription['format']): string {
  return format === 'percent' ? `${(value * 100).toFixed(1)}%` : value.toFixed(2);
}

function describe(
  estimate: Estimate,
  format: MetricDescription['format'],
  withCi: boolean,
): string {
  const value = formatValue(estimate.value!, format);
  if (estimate.low === null) return value;
  const range = `${formatValue(estimate.low, format)}–${formatValue(estimate.high!, format)}`;
  return `${value}, ${withCi ? '95% CI ' : ''}${range}`;
}

/**
 * A plain-language reading of one metric across variants, each compared with the first (the
 * baseline), e.g. "B's click-through (12.0%, 95% CI 10.1%–14.2%) is higher (better) than A's
 * (8.0%, 6.5%–9.8%); the 95% intervals do not overlap."
 */
export function readMetric(
  metric: MetricDescription,
  variants: ReadonlyArray<{ name: string; estimate: Estimate }>,
): string {
  if (variants.length < 2) return `Only one variant: nothing to compare.`;
  const [baseline, ...others] = variants;
  const sentences = others.map(({ name, estimate }) => {
    const comparison = compareEstimates(estimate, baseline.estimate);
    if (comparison === 'not-enough-data') {
      return `Not enough data yet to compare ${name}'s ${metric.label} with ${baseline.name}'s.`;
    }
    const mine = describe(estimate, metric.format, true);
    const theirs = describe(baseline.estimate, metric.format, false);
    if (comparison === 'no-clear-difference') {
      return (
        `No clear difference in ${metric.label} between ${name} (${mine}) and ${baseline.name} ` +
        `(${theirs}): the 95% intervals overlap.`
      );
    }
    const judgement =
      metric.better === 'neither' ? '' : comparison === metric.better ? ' (better)' : ' (worse)';
    return (
      `${name}'s ${metric.label} (${mine}) is ${comparison}${judgement} than ${baseline.name}'s ` +
      `(${theirs}); the 95% intervals do not overlap.`
    );
  });
  return sentences.join(' ');
}
