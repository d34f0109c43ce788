/**
 * The research services the web server shares between route plugins (the console, the member's
 * experiments): one `Experiments` instance per server, so its cache of running experiments and
 * assignments is the one the console invalidates when it starts or stops an experiment, and one
 * `ModelRuns` (at most one background training/evaluation job at a time) and one `ReleaseJobs`
 * (at most one dataset release at a time); both run their work on worker threads.
 *
 * Also the research event log (`EventLog`, see eventHooks.ts), the running experiments as the
 * site acts on them, and the models of `recommender` experiment variants. `buildServer` creates
 * them once, as `services.research`, and closes them when the server closes.
 */
import type { Db } from '../db/connection.ts';
import type { Catalog } from '../services/catalog.ts';
import { EventLog } from '../services/events.ts';
import { Experiments } from '../services/experiments.ts';
import { ModelRuns } from '../services/modelRuns.ts';
import type { Recommender } from '../services/recommendations.ts';
import { ReleaseJobs } from '../services/releaseJobs.ts';
import { RunningExperiments } from '../services/runningExperiments.ts';
import { VariantRecommenders } from '../services/variantRecommenders.ts';

export interface ResearchServices {
  /** The research event log (off with LENSLAB_EVENTS=off). */
  events: EventLog;
  experiments: Experiments;
  /** The names of the running experiments (cached) and a member's variants of them. */
  running: RunningExperiments;
  /** The models serving the members of `recommender` experiment variants. */
  variants: VariantRecommenders;
  modelRuns: ModelRuns;
  /** Dataset releases started from the console (one at a time). */
  releases: ReleaseJobs;
}

export function createResearchServices(options: {
  db: Db;
  catalog: Catalog;
  recommender: Recommender;
  /** This app node's id in the change log (models published by a console run). */
  node: string;
  log: (message: string) => void;
}): ResearchServices {
  const { db, catalog, recommender, node, log } = options;
  const experiments = new Experiments(db);
  const running = new RunningExperiments(experiments);
  return {
    events: new EventLog(db, { enabled: process.env.LENSLAB_EVENTS !== 'off' }),
    experiments,
    running,
    variants: new VariantRecommenders({ db, catalog, site: recommender, running, log }),
    modelRuns: new ModelRuns(db, recommender, { node, log }),
    releases: new ReleaseJobs(db, { log }),
  };
}

/** Background jobs are cancelled (their threads end), then what is still queued is written. */
export async function closeResearchServices(research: ResearchServices): Promise<void> {
  await Promise.all([
    research.variants.stop(),
    research.modelRuns.close(),
    research.releases.close(),
  ]);
  await research.events.close();
}
