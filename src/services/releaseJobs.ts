/**
 * Dataset releases started from the researcher console: a policy (a preset, or one the operator
 * offers: releasePolicies.ts) and a format, run as a
 * background job on a worker thread (one at a time), written to a folder of the releases folder
 * (LENSLAB_RELEASES_DIR, default data/releases, beside data/models). The list of releases is read
 * from that folder, so it survives restarts: each release's gate outcome and re-identification
 * figures come from its privacy-report.json.
 *
 * Researchers never see live ids: the console offers no mapping file (`lenslab release
 * --keep-mapping` is for the data owner at the command line), and the folder holds only what
 * `lenslab release` publishes. A job writes into a hidden `.partial-…` folder that is renamed when
 * the job has finished, and removed when it fails or is cancelled.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Db } from '../db/connection.ts';
import {
  isPresetName,
  presetPolicy,
  PRESET_NAMES,
  type Policy,
  type ReleaseFormat,
} from '../privacy/index.ts';
import { appendAuditEntry } from './accessAudit.ts';
import { toWireDataset } from '../datasets/dataset.ts';
import { invalid } from './errors.ts';
import { JobSlot } from './jobSlot.ts';
import { compactTimestamp } from './models.ts';
import { loadOperatorPolicies, operatorPoliciesDir } from './releasePolicies.ts';
import {
  loadReleaseSource,
  readReleaseOutcome,
  type ReleaseOutcome,
  type ReleaseTaskInput,
} from './releases.ts';

export const DEFAULT_RELEASES_DIR = './data/releases';
export const RELEASE_FORMATS = ['ml-1m', 'ml-latest'] as const satisfies readonly ReleaseFormat[];
export const RELEASE_STATUSES = ['running', 'passed', 'refused', 'failed', 'cancelled'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/** `<UTC time>-<policy>-<format>[-n]`, e.g. 20261125T043000Z-default-ml-1m. */
const RELEASE_ID = /^(\d{8}T\d{6}Z)-([a-z][a-z0-9-]*?)-(ml-1m|ml-latest)(?:-(\d+))?$/;

export interface ConsoleRelease {
  /** The folder's name in the releases folder. */
  id: string;
  status: ReleaseStatus;
  preset: string;
  format: ReleaseFormat;
  seed: number | null;
  startedAt: string;
  finishedAt: string | null;
  /** Member id of the researcher who started it (null: before this server started). */
  startedBy: number | null;
  /** 0..1 of the current phase. */
  progress: number;
  phase: string;
  error: string | null;
  /** The gate outcome and figures (null while running, or when it failed). */
  outcome: ReleaseOutcome | null;
}

/** One file of a finished release's folder. */
export interface ReleaseFile {
  name: string;
  bytes: number;
}

/** A file name as a release writes them: no path, no leading dot. */
const RELEASE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface ReleaseRequest {
  preset: string;
  format: string;
  seed?: number;
}

export interface ReleaseJobsOptions {
  /** The releases folder (default LENSLAB_RELEASES_DIR or data/releases). */
  dir?: string;
  /** The operator's policies folder (default LENSLAB_POLICIES_DIR or data/policies). */
  policiesDir?: string;
  log?: (message: string) => void;
}

export class ReleaseJobs {
  readonly dir: string;
  /** The operator's policies by name, offered beside the presets. */
  private readonly policies: Map<string, Policy>;
  /** Releases started by this server, newest first. */
  private readonly started: ConsoleRelease[] = [];
  private readonly slot = new JobSlot('a release is in progress; wait for it to finish');

  constructor(
    private readonly db: Db,
    private readonly options: ReleaseJobsOptions = {},
  ) {
    this.dir = resolve(options.dir ?? process.env.LENSLAB_RELEASES_DIR ?? DEFAULT_RELEASES_DIR);
    this.policies = loadOperatorPolicies(operatorPoliciesDir(options.policiesDir));
  }

  /** The names of the operator's policies (the presets are PRESET_NAMES). */
  get policyNames(): string[] {
    return [...this.policies.keys()];
  }

  /** The policy a name stands for: a preset, or one of the operator's; null for neither. */
  private policyNamed(name: string): Policy | null {
    if (isPresetName(name)) return presetPolicy(name);
    return this.policies.get(name) ?? null;
  }

  get busy(): boolean {
    return this.slot.busy;
  }

  idle(): Promise<void> {
    return this.slot.idle();
  }

  /** Every release: those of this server, then the folders written before; newest first. */
  list(): ConsoleRelease[] {
    const known = new Set(this.started.map((release) => release.id));
    const found: ConsoleRelease[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch {
      // No releases folder yet.
    }
    for (const name of names) {
      if (known.has(name) || !RELEASE_ID.test(name)) continue;
      const release = this.fromFolder(name);
      if (release) found.push(release);
    }
    const all = [...this.started.map((release) => this.present(release)), ...found];
    return all.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  }

  get(id: string): ConsoleRelease | null {
    const mine = this.started.find((release) => release.id === id);
    if (mine) return this.present(mine);
    return RELEASE_ID.test(id) ? this.fromFolder(id) : null;
  }

  /** The release's privacy-report.html, or null (unknown id, or no report). */
  reportFile(id: string): string | null {
    if (!RELEASE_ID.test(id)) return null;
    const path = join(this.dir, id, 'privacy-report.html');
    return existsSync(path) ? path : null;
  }

  /**
   * The files of a release's folder (regular files only, sorted by name), or null when there is
   * no such release. A running, failed or cancelled release has none.
   */
  files(id: string): ReleaseFile[] | null {
    if (!this.get(id) || !RELEASE_ID.test(id)) return null;
    const folder = join(this.dir, id);
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((entry) => entry.isFile() && RELEASE_FILE_NAME.test(entry.name))
      .map((entry) => ({ name: entry.name, bytes: statSync(join(folder, entry.name)).size }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * The path of one of a release's files, or null. `name` is never used as a path: it must be
   * the name of one of the files `files(id)` lists, so `..`, slashes and anything outside the
   * release's folder are refused.
   */
  file(id: string, name: string): string | null {
    const found = this.files(id)?.find((file) => file.name === name);
    return found ? join(this.dir, id, found.name) : null;
  }

  /** Starts a release in the background; throws a `conflict` ServiceError while another one runs. */
  async start(request: ReleaseRequest, startedBy: number | null = null): Promise<ConsoleRelease> {
    this.slot.checkFree();
    const { preset } = request;
    const policy = this.policyNamed(preset);
    if (!policy)
      throw invalid(`preset: must be one of ${[...PRESET_NAMES, ...this.policyNames].join(', ')}`);
    if (!(RELEASE_FORMATS as readonly string[]).includes(request.format))
      throw invalid(`format: must be one of ${RELEASE_FORMATS.join(', ')}`);
    const seed = request.seed ?? 1;
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw invalid(`seed: must be a whole number ≥ 0, got ${seed}`);
    const now = new Date();
    const base = `${compactTimestamp(now)}-${preset}-${request.format}`;
    let id = base;
    for (let n = 2; this.get(id) || existsSync(join(this.dir, id)); n++) id = `${base}-${n}`;
    const release: ConsoleRelease = {
      id,
      status: 'running',
      preset,
      format: request.format as ReleaseFormat,
      seed,
      startedAt: now.toISOString(),
      finishedAt: null,
      startedBy,
      progress: 0,
      phase: 'queued',
      error: null,
      outcome: null,
    };
    this.started.unshift(release);
    // Finished releases stay listed from their folders; only the newest 50 are kept here.
    if (this.started.length > 50) this.started.length = 50;
    const partial = join(this.dir, `.partial-${release.id}`);
    this.slot.run(
      release,
      () => this.execute(release, policy, partial),
      () => rmSync(partial, { recursive: true, force: true }),
    );
    await appendAuditEntry(this.db, {
      actorId: startedBy,
      action: 'release_started',
      detail: { release: release.id, preset: release.preset, format: release.format },
    });
    return this.present(release);
  }

  /** Stops a running release (its thread ends, its partial folder is removed). */
  cancel(id: string): Promise<boolean> {
    return this.slot.cancel(this.started.find((candidate) => candidate.id === id));
  }

  /** Server shutdown: cancels the running release. */
  close(): Promise<void> {
    return this.slot.close(this.started);
  }

  private present(release: ConsoleRelease): ConsoleRelease {
    return { ...release };
  }

  private fromFolder(id: string): ConsoleRelease | null {
    const match = RELEASE_ID.exec(id);
    const outcome = match ? readReleaseOutcome(join(this.dir, id)) : null;
    if (!match || !outcome) return null;
    const [, stamp, preset, format] = match;
    const startedAt = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.000Z`;
    return {
      id,
      status: outcome.passed ? 'passed' : 'refused',
      preset,
      format: format as ReleaseFormat,
      seed: outcome.seed,
      startedAt,
      finishedAt: null,
      startedBy: null,
      progress: 1,
      phase: 'done',
      error: null,
      outcome,
    };
  }

  private async execute(release: ConsoleRelease, policy: Policy, partial: string) {
    release.phase = 'loading the database';
    const source = await loadReleaseSource(this.db);
    if (release.status !== 'running') return;
    mkdirSync(this.dir, { recursive: true });
    const input: ReleaseTaskInput = {
      policy,
      format: release.format,
      seed: release.seed ?? 1,
      out: partial,
      dataset: toWireDataset(source.dataset),
      consenting: source.consentingIds,
    };
    await this.slot.onWorker<string[]>(
      release,
      new URL('./releases.ts', import.meta.url),
      'releaseTask',
      input,
    );
    if (release.status !== 'running') return; // cancelled just as it finished
    const out = join(this.dir, release.id);
    renameSync(partial, out);
    release.outcome = readReleaseOutcome(out);
    if (!release.outcome) throw new Error(`${out} holds no privacy-report.json`);
    release.status = release.outcome.passed ? 'passed' : 'refused';
    release.progress = 1;
    release.phase = 'done';
    this.options.log?.(`console: release ${release.id} ${release.status} (${out})`);
  }
}
