/**
 * The running experiments as the web site sees them: their names (cached for a few seconds) and a
 * member's variant of the experiments of a type the site acts on (the README):
 * - `predicted-stars` (or a name starting with `predicted-stars-`): variants `shown` / `hidden`;
 * - `recommender` (or `recommender-…`): variant names are algorithm names (`item-knn`, `als`, …).
 */
import type { Experiments } from './experiments.ts';

export const PREDICTED_STARS_EXPERIMENT_TYPE = 'predicted-stars';
export const RECOMMENDER_EXPERIMENT_TYPE = 'recommender';
/** The types whose variant decides what a member is shown (their predictions are logged with it). */
export const DISPLAY_EXPERIMENT_TYPES = [
  RECOMMENDER_EXPERIMENT_TYPE,
  PREDICTED_STARS_EXPERIMENT_TYPE,
];

const CACHE_MS = 5000;

export class RunningExperiments {
  private cached: { at: number; names: Promise<string[]> } | null = null;

  constructor(private readonly experiments: Experiments) {}

  /** Names of the experiments running now (cached for 5 s; `forget` after a start or stop). */
  names(): Promise<string[]> {
    const cached = this.cached;
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.names;
    const names = this.experiments
      .list()
      .then((experiments) => experiments.filter((e) => e.state === 'running').map((e) => e.name));
    const entry = { at: Date.now(), names };
    this.cached = entry;
    names.catch(() => {
      if (this.cached === entry) this.cached = null;
    });
    return names;
  }

  forget(): void {
    this.cached = null;
  }

  /** experiment name → the member's variant, for every running experiment they take part in. */
  async variantsOf(memberId: number): Promise<Record<string, string>> {
    const variants: Record<string, string> = {};
    for (const name of await this.names()) {
      const variant = await this.experiments.variantFor(name, memberId);
      if (variant !== null) variants[name] = variant;
    }
    return variants;
  }

  /**
   * The member's variant of the first running experiment of one of `types` (named as the type or
   * `type-…`) they take part in, or null.
   */
  async variantOfType(
    types: readonly string[],
    memberId: number,
  ): Promise<{ experiment: string; variant: string } | null> {
    for (const experiment of await this.names()) {
      if (!types.some((type) => experiment === type || experiment.startsWith(`${type}-`))) continue;
      const variant = await this.experiments.variantFor(experiment, memberId);
      if (variant !== null) return { experiment, variant };
    }
    return null;
  }
}
