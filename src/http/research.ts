/**
 * The research services the web server shares between route plugins (the console, the member's
 * experiments): one `Experiments` instance per server, so its cache of running experiments and
 * assignments is the one the console invalidates when it starts or stops an experiment, and one
 * `ModelRuns` (at most one background training/evaluation job at a time).
 *
 * They hang off the server's `Services` object (a WeakMap, so nothing in `context.ts` changes);
 * `researchOf(app.services)` creates them on first use.
 */
import { Experiments } from '../services/experiments.ts';
import { ModelRuns } from '../services/modelRuns.ts';
import type { Services } from './context.ts';

export interface ResearchServices {
  experiments: Experiments;
  modelRuns: ModelRuns;
}

const byServices = new WeakMap<Services, ResearchServices>();

export function researchOf(services: Services): ResearchServices {
  let research = byServices.get(services);
  if (!research) {
    research = {
      experiments: new Experiments(services.db),
      modelRuns: new ModelRuns(services.db, services.recommender, { log: services.log }),
    };
    byServices.set(services, research);
  }
  return research;
}

/** The experiment whose variant decides whether predicted stars are shown. */
export const PREDICTED_STARS_EXPERIMENT = 'predicted-stars';
export const PREDICTED_STARS_VARIANTS = ['shown', 'hidden'] as const;
