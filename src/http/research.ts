/**
 * The research services the web server shares between route plugins (the console, the member's
 * experiments): one `Experiments` instance per server, so its cache of running experiments and
 * assignments is the one the console invalidates when it starts or stops an experiment, and one
 * `ModelRuns` (at most one background training/evaluation job at a time) and one `ReleaseJobs`
 * (at most one dataset release at a time); both run their work on worker threads.
 *
 * Also the research event log (`EventLog`), flushed when the server closes (see eventHooks.ts).
 *
 * They hang off the server's `Services` object (a WeakMap, so nothing in `context.ts` changes);
 * `researchOf(app.services)` creates them on first use.
 */
import { EventLog } from '../services/events.ts';
import { Experiments } from '../services/experiments.ts';
import { ModelRuns } from '../services/modelRuns.ts';
import { ReleaseJobs } from '../services/releaseJobs.ts';
import type { Services } from './context.ts';

export interface ResearchServices {
  /** The research event log (off with LENSLAB_EVENTS=off). */
  events: EventLog;
  experiments: Experiments;
  modelRuns: ModelRuns;
  /** Dataset releases started from the console (one at a time). */
  releases: ReleaseJobs;
}

const byServices = new WeakMap<Services, ResearchServices>();

export function researchOf(services: Services): ResearchServices {
  let research = byServices.get(services);
  if (!research) {
    research = {
      events: new EventLog(services.db, {
        enabled: process.env.LENSLAB_EVENTS !== 'off',
      }),
      experiments: new Experiments(services.db),
      modelRuns: new ModelRuns(services.db, services.recommender, { log: services.log }),
      releases: new ReleaseJobs(services.db, { log: services.log }),
    };
    byServices.set(services, research);
  }
  return research;
}

/** The experiment whose variant decides whether predicted stars are shown. */
export const PREDICTED_STARS_EXPERIMENT = 'predicted-stars';
export const PREDICTED_STARS_VARIANTS = ['shown', 'hidden'] as const;

const RUNNING_CACHE_MS = 5000;
const runningCache = new WeakMap<Services, { at: number; names: Promise<string[]> }>();

/** Names of the experiments running now (cached for 5 s; refreshed after start/stop here). */
export function runningExperimentNames(services: Services): Promise<string[]> {
  const cached = runningCache.get(services);
  if (cached && Date.now() - cached.at < RUNNING_CACHE_MS) return cached.names;
  const names = researchOf(services)
    .experiments.list()
    .then((experiments) => experiments.filter((e) => e.state === 'running').map((e) => e.name));
  runningCache.set(services, { at: Date.now(), names });
  names.catch(() => runningCache.delete(services));
  return names;
}

/** Forgets the cached running experiments (after a start or stop). */
export function forgetRunningExperiments(services: Services): void {
  runningCache.delete(services);
}
