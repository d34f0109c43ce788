/**
 * Most popular: every user gets the items with the most training ratings (optionally counting
 * only ratings ≥ minRating). The non-personalized yardstick of top-N evaluation.
 */
import type { AlgorithmDefinition } from '../algorithm.ts';
import { num } from '../algorithm.ts';
import { BaseModel, coreFromMatrix } from '../model.ts';
import type { ModelCore, ModelParts, UserView } from '../modelTypes.ts';
import { fitBaseline } from './bias.ts';

export class PopularModel extends BaseModel {
  constructor(
    core: ModelCore,
    readonly popularity: Float64Array,
  ) {
    super(core);
  }

  protected scoreOne(_user: UserView, item: number): number {
    return this.popularity[item];
  }

  protected override scoreInto(_user: UserView, out: Float64Array): void {
    out.set(this.popularity);
  }

  override scoreView(_user: UserView, out = new Float64Array(this.items)): Float64Array {
    out.set(this.popularity);
    return out;
  }

  protected parts(): ModelParts {
    return { arrays: { popularity: this.popularity }, fields: {} };
  }
}

export const popular: AlgorithmDefinition = {
  name: 'popular',
  description: 'Most popular items (number of ratings), the same list for everyone',
  kind: 'ranking',
  params: {
    minRating: { default: 0, min: 0, description: 'count only ratings at or above this value' },
  },
  fit(matrix, params) {
    const minRating = num(params, 'minRating');
    const popularity = new Float64Array(matrix.items);
    for (let i = 0; i < matrix.items; i++) {
      let count = 0;
      for (let p = matrix.itemPtr[i]; p < matrix.itemPtr[i + 1]; p++)
        if (matrix.itemRatings[p] >= minRating) count++;
      popularity[i] = count;
    }
    return new PopularModel(
      coreFromMatrix(matrix, 'popular', 'ranking', params, fitBaseline(matrix)),
      popularity,
    );
  },
  restore(core, parts) {
    return new PopularModel(core, parts.arrays.popularity as Float64Array);
  },
};
