// The researcher console (researchers and admins; the server checks the role on every request):
// dataset overview, experiments and their results, event-log export, model runs, dataset
// releases, and for admins roles, the access-audit log and the identity lookup.
import { useEffect, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { Link, NavLink, Navigate, Outlet, useLocation, useParams } from 'react-router-dom';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { useLoad, useTitle } from '../../hooks.ts';
import { useSession } from '../../session.tsx';
import { DistributionChart, MetricChartView, RatingsPerDayChart } from './charts.tsx';
import { consoleApi, type ConsoleRelease, type Experiment, type ModelRun } from './consoleApi.ts';

export function canUseConsole(roles: string[] | undefined): boolean {
  return !!roles && (roles.includes('researcher') || roles.includes('admin'));
}

function tabClass({ isActive }: { isActive: boolean }) {
  return isActive ? 'console-tab is-active' : 'console-tab';
}

/** The console frame: role check (for the UI; the server decides), tabs, the section. */
export function ConsoleLayout() {
  const { member, ready } = useSession();
  const location = useLocation();
  if (!ready) return <Loading />;
  if (!member) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (!canUseConsole(member.roles)) {
    return (
      <section className="console">
        <h1>Researcher console</h1>
        <p className="alert alert-error" role="alert">
          The console is for researchers and admins. Ask an admin to grant you the researcher role.
        </p>
      </section>
    );
  }
  const admin = member.roles.includes('admin');
  return (
    <section className="console">
      <h1>Researcher console</h1>
      <p className="muted">
        Pseudonymous data only: members appear as numbers. Identity lookups are admin-only and
        audited.
      </p>
      <nav className="console-tabs" aria-label="Console sections">
        <NavLink to="/console" end className={tabClass}>
          Overview
        </NavLink>
        <NavLink to="/console/experiments" className={tabClass}>
          Experiments
        </NavLink>
        <NavLink to="/console/runs" className={tabClass}>
          Model runs
        </NavLink>
        <NavLink to="/console/releases" className={tabClass}>
          Releases
        </NavLink>
        <NavLink to="/console/events" className={tabClass}>
          Event log
        </NavLink>
        {admin && (
          <NavLink to="/console/admin" className={tabClass}>
            Admin
          </NavLink>
        )}
      </nav>
      <Outlet />
    </section>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="console-stat">
      <dt>{label}</dt>
      <dd>{value.toLocaleString()}</dd>
    </div>
  );
}

export function ConsoleOverview() {
  useTitle('Console');
  const overview = useLoad(() => consoleApi.overview(365), []);
  return (
    <div className="console-section">
      <h2>Dataset overview</h2>
      <ErrorMessage error={overview.error} />
      {!overview.data ? (
        <Loading />
      ) : (
        <>
          <dl className="console-stats">
            <Stat label="Members" value={overview.data.members} />
            <Stat label="Movies" value={overview.data.movies} />
            <Stat label="Ratings" value={overview.data.ratings} />
          </dl>
          <div className="console-charts">
            <RatingsPerDayChart days={overview.data.ratingsPerDay} />
            <DistributionChart distribution={overview.data.ratingDistribution} />
          </div>
        </>
      )}
    </div>
  );
}

// ---- experiments ---------------------------------------------------------------------------

function StateBadge({ state }: { state: Experiment['state'] }) {
  return <span className={`console-badge console-badge-${state}`}>{state}</span>;
}

export function ConsoleExperiments() {
  useTitle('Experiments · Console');
  const experiments = useLoad(() => consoleApi.experiments(), []);
  const [actionError, setActionError] = useState<unknown>(null);

  async function act(work: () => Promise<unknown>) {
    setActionError(null);
    try {
      await work();
      experiments.reload();
    } catch (failure) {
      setActionError(failure);
    }
  }

  return (
    <div className="console-section">
      <h2>Experiments</h2>
      <ErrorMessage error={experiments.error ?? actionError} />
      {!experiments.data ? (
        <Loading />
      ) : experiments.data.items.length === 0 ? (
        <p className="muted">No experiments yet. Define one below.</p>
      ) : (
        <table className="console-table" aria-label="Experiments">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Variants</th>
              <th scope="col">Window</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {experiments.data.items.map((experiment) => (
              <tr key={experiment.id} data-experiment={experiment.name}>
                <th scope="row">
                  <Link to={`/console/experiments/${experiment.id}`}>{experiment.name}</Link>
                </th>
                <td>
                  <StateBadge state={experiment.state} />
                </td>
                <td>
                  {experiment.variants
                    .map((v) => `${v.name} (${Math.round(v.share * 100)}%)`)
                    .join(', ')}
                </td>
                <td>
                  {experiment.startsAt.slice(0, 10)} → {experiment.stopsAt.slice(0, 10)}
                </td>
                <td className="console-actions">
                  {experiment.status === 'draft' && (
                    <button
                      type="button"
                      className="button button-small button-primary"
                      onClick={() => void act(() => consoleApi.startExperiment(experiment.id))}
                    >
                      Start
                    </button>
                  )}
                  {experiment.status === 'running' && (
                    <button
                      type="button"
                      className="button button-small button-danger"
                      onClick={() => void act(() => consoleApi.stopExperiment(experiment.id))}
                    >
                      Stop
                    </button>
                  )}
                  <Link
                    className="button button-small"
                    to={`/console/experiments/${experiment.id}`}
                  >
                    Results
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CreateExperiment onCreated={experiments.reload} />
    </div>
  );
}

interface VariantDraft {
  name: string;
  weight: string;
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function CreateExperiment({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('predicted-stars');
  const [hypothesis, setHypothesis] = useState('');
  const [population, setPopulation] = useState('all');
  const [stopsAt, setStopsAt] = useState(inDays(28));
  const [variants, setVariants] = useState<VariantDraft[]>([
    { name: 'shown', weight: '1' },
    { name: 'hidden', weight: '1' },
  ]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  function setVariant(index: number, change: Partial<VariantDraft>) {
    setVariants((current) => current.map((v, i) => (i === index ? { ...v, ...change } : v)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const experiment = await consoleApi.createExperiment({
        name: name.trim(),
        hypothesis: hypothesis.trim(),
        population,
        stopsAt,
        variants: variants.map((v) => ({ name: v.name.trim(), weight: Number(v.weight) })),
      });
      setCreated(experiment.name);
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card form console-form"
      onSubmit={(e) => void submit(e)}
      aria-label="New experiment"
    >
      <h3>New experiment</h3>
      <p className="muted">
        Types the site acts on: <code>predicted-stars</code> (variants <code>shown</code> /{' '}
        <code>hidden</code>) and <code>recommender</code> (variants named after algorithms).
      </p>
      <ErrorMessage error={error} title="The experiment was not created." />
      {created && (
        <p className="alert alert-ok" role="status">
          Created “{created}” as a draft. Start it when you are ready.
        </p>
      )}
      <label className="field">
        <span>Name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} name="name" required />
      </label>
      <label className="field">
        <span>Hypothesis</span>
        <textarea
          value={hypothesis}
          onChange={(e) => setHypothesis(e.target.value)}
          name="hypothesis"
          rows={2}
        />
      </label>
      <label className="field">
        <span>Population</span>
        <select
          value={population}
          onChange={(e) => setPopulation(e.target.value)}
          name="population"
        >
          <option value="all">All members</option>
          <option value="new-members">New members only</option>
        </select>
      </label>
      <label className="field">
        <span>Stops on</span>
        <input
          type="date"
          value={stopsAt}
          onChange={(e) => setStopsAt(e.target.value)}
          name="stopsAt"
        />
      </label>
      <fieldset className="field console-variants">
        <legend>Variants and weights</legend>
        {variants.map((variant, index) => (
          <div className="console-variant" key={index}>
            <input
              aria-label={`Variant ${index + 1} name`}
              value={variant.name}
              onChange={(e) => setVariant(index, { name: e.target.value })}
            />
            <input
              aria-label={`Variant ${index + 1} weight`}
              type="number"
              step="any"
              value={variant.weight}
              onChange={(e) => setVariant(index, { weight: e.target.value })}
            />
            {variants.length > 2 && (
              <button
                type="button"
                className="button button-small button-ghost"
                onClick={() => setVariants((current) => current.filter((_, i) => i !== index))}
              >
                Remove
              </button>
            )}
          </div>
        ))}
        <button
          type="button"
          className="button button-small"
          onClick={() => setVariants((current) => [...current, { name: '', weight: '1' }])}
        >
          Add a variant
        </button>
      </fieldset>
      <button type="submit" className="button button-primary" disabled={busy}>
        Create experiment
      </button>
    </form>
  );
}

export function ConsoleExperimentResults() {
  const { id } = useParams();
  const experimentId = Number(id);
  const results = useLoad(() => consoleApi.results(experimentId), [experimentId]);
  useTitle(results.data ? `${results.data.experiment.name} · Console` : 'Experiment · Console');
  if (results.error) return <ErrorMessage error={results.error} />;
  if (!results.data) return <Loading />;
  const { experiment, variants, charts, readings } = results.data;
  return (
    <div className="console-section" data-testid="experiment-results">
      <p>
        <Link to="/console/experiments">← All experiments</Link>
      </p>
      <h2>
        {experiment.name} <StateBadge state={experiment.state} />
      </h2>
      <p>{experiment.hypothesis}</p>
      <p className="muted">
        Population: {experiment.population === 'all' ? 'all members' : 'new members only'} · counted
        until {results.data.until.slice(0, 16).replace('T', ' ')} UTC
      </p>
      <table className="console-table" aria-label="Members per variant">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Weight</th>
            <th scope="col">Members exposed</th>
            <th scope="col">Clicks / impressions</th>
          </tr>
        </thead>
        <tbody>
          {variants.map((v) => (
            <tr key={v.variant}>
              <th scope="row">{v.variant}</th>
              <td>{Math.round(v.share * 100)}%</td>
              <td data-testid={`exposed-${v.variant}`}>{v.exposed}</td>
              <td>
                {v.clickThrough.clicks} / {v.clickThrough.impressions}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="console-charts">
        {charts.map((chart) => (
          <MetricChartView
            key={chart.metric}
            chart={chart}
            reading={readings[chart.metric] ?? ''}
          />
        ))}
      </div>
    </div>
  );
}

// ---- event log -------------------------------------------------------------------------------

export function ConsoleEvents() {
  useTitle('Event log · Console');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const href = (format: string) => {
    const params = new URLSearchParams({ format });
    if (since) params.set('since', since);
    if (until) params.set('until', until);
    return `/api/console/events/export?${params.toString()}`;
  };
  return (
    <div className="console-section">
      <h2>Event-log export</h2>
      <p>
        Logins, failed logins, page requests, ratings, predictions and recommendations shown,
        searches and recommendation clicks — under pseudonymous member ids (or random visitor ids)
        only. Each export is written to the access-audit log.
      </p>
      <div className="form-inline">
        <label className="field">
          <span>Since (inclusive)</span>
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label className="field">
          <span>Until (exclusive)</span>
          <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
      </div>
      <p className="console-actions">
        <a className="button button-primary" href={href('csv')} download>
          Download CSV
        </a>
        <a className="button" href={href('jsonl')} download>
          Download JSON Lines
        </a>
      </p>
    </div>
  );
}

// ---- model runs ------------------------------------------------------------------------------

function metricText(metrics: Record<string, number>): ReactNode {
  const entries = Object.entries(metrics).filter(([name]) => name !== 'users');
  if (entries.length === 0) return '—';
  return entries.map(([name, value]) => `${name} ${value.toFixed(4)}`).join(', ');
}

export function ConsoleRuns() {
  useTitle('Model runs · Console');
  const runs = useLoad(() => consoleApi.runs(), []);
  const [kind, setKind] = useState('evaluate');
  const [algorithm, setAlgorithm] = useState('item-knn');
  const [protocol, setProtocol] = useState('');
  const [publish, setPublish] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const busy = runs.data?.busy ?? false;
  const { reload } = runs;

  // Poll while a job runs.
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [busy, reload]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await consoleApi.startRun({
        kind,
        algorithm,
        protocol: kind === 'evaluate' && protocol ? protocol : undefined,
        publish: kind === 'train' ? publish : undefined,
      });
      reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <div className="console-section">
      <h2>Model training and evaluation</h2>
      <form className="card form-inline" onSubmit={(e) => void submit(e)} aria-label="Start a run">
        <label className="field">
          <span>Run</span>
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="evaluate">evaluate</option>
            <option value="train">train</option>
          </select>
        </label>
        <label className="field">
          <span>Algorithm</span>
          <select value={algorithm} onChange={(e) => setAlgorithm(e.target.value)}>
            {(runs.data?.algorithms ?? [algorithm]).map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        {kind === 'evaluate' ? (
          <label className="field">
            <span>Protocol</span>
            <select value={protocol} onChange={(e) => setProtocol(e.target.value)}>
              <option value="">default</option>
              {(runs.data?.protocols ?? []).map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
        ) : (
          <label className="field console-check">
            <input
              type="checkbox"
              checked={publish}
              onChange={(e) => setPublish(e.target.checked)}
            />
            <span>Publish and serve the model</span>
          </label>
        )}
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'A run is in progress…' : 'Start'}
        </button>
      </form>
      <ErrorMessage error={error ?? runs.error} />
      {runs.data && runs.data.items.length > 0 && (
        <RunTable
          runs={runs.data.items}
          onCancel={(id) => {
            consoleApi.cancelRun(id).then(reload, setError);
          }}
        />
      )}
    </div>
  );
}

function RunTable({ runs, onCancel }: { runs: ModelRun[]; onCancel: (id: number) => void }) {
  return (
    <table className="console-table" aria-label="Model runs">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Run</th>
          <th scope="col">Algorithm</th>
          <th scope="col">Protocol</th>
          <th scope="col">Progress</th>
          <th scope="col">Results</th>
          <th scope="col">Fit s</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-run-status={run.status}>
            <td>{run.id}</td>
            <td>{run.kind}</td>
            <td>{run.algorithm}</td>
            <td>{run.protocol ?? '—'}</td>
            <td>
              <progress value={run.progress} max={1} aria-label={`Run ${run.id} progress`} />{' '}
              <span className="muted">{run.status === 'failed' ? run.error : run.phase}</span>
              {run.status === 'running' && (
                <>
                  {' '}
                  <button type="button" className="button" onClick={() => onCancel(run.id)}>
                    Cancel
                  </button>
                </>
              )}
            </td>
            <td>
              {metricText(run.metrics)}
              {run.modelVersion && <div className="muted">serving {run.modelVersion}</div>}
            </td>
            <td>{run.fitSeconds === null ? '—' : run.fitSeconds.toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// ---- dataset releases ------------------------------------------------------------------------

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

export function ConsoleReleases() {
  useTitle('Releases · Console');
  const releases = useLoad(() => consoleApi.releases(), []);
  const [preset, setPreset] = useState('default');
  const [format, setFormat] = useState('ml-1m');
  const [seed, setSeed] = useState('1');
  const [error, setError] = useState<unknown>(null);
  const busy = releases.data?.busy ?? false;
  const { reload } = releases;

  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [busy, reload]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await consoleApi.startRelease({ preset, format, seed: Number(seed) });
      reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <div className="console-section">
      <h2>Dataset releases</h2>
      <p>
        A release publishes the ratings of the members who agreed to research use, in a MovieLens
        format, under fresh pseudonyms. Before anything is written the release is attacked the way
        Narayanan and Shmatikov attacked the Netflix Prize data; when too many members are
        re-identified, the privacy gate refuses it and only the privacy report is kept. The mapping
        to live ids is never written from the console.
      </p>
      <form
        className="card form-inline"
        onSubmit={(e) => void submit(e)}
        aria-label="Start a release"
      >
        <label className="field">
          <span>Preset</span>
          <select value={preset} onChange={(e) => setPreset(e.target.value)}>
            {(releases.data?.presets ?? [preset]).map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Format</span>
          <select value={format} onChange={(e) => setFormat(e.target.value)}>
            {(releases.data?.formats ?? [format]).map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Seed</span>
          <input
            type="number"
            min={0}
            step={1}
            value={seed}
            onChange={(e) => setSeed(e.target.value)}
          />
        </label>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'A release is in progress…' : 'Start release'}
        </button>
      </form>
      <ErrorMessage error={error ?? releases.error} />
      {releases.data && releases.data.items.length === 0 && (
        <p className="muted">No releases yet.</p>
      )}
      {releases.data && releases.data.items.length > 0 && (
        <ReleaseTable
          releases={releases.data.items}
          onCancel={(id) => {
            consoleApi.cancelRelease(id).then(reload, setError);
          }}
        />
      )}
    </div>
  );
}

function ReleaseTable({
  releases,
  onCancel,
}: {
  releases: ConsoleRelease[];
  onCancel: (id: string) => void;
}) {
  return (
    <table className="console-table" aria-label="Releases">
      <thead>
        <tr>
          <th scope="col">Release</th>
          <th scope="col">Preset</th>
          <th scope="col">Gate</th>
          <th scope="col">Re-identified (scoreboard settings)</th>
          <th scope="col">Released</th>
          <th scope="col">Report</th>
        </tr>
      </thead>
      <tbody>
        {releases.map((release) => (
          <tr key={release.id} data-release-status={release.status}>
            <td>
              {release.id}
              <div className="muted">{release.startedAt.slice(0, 19).replace('T', ' ')} UTC</div>
            </td>
            <td>
              {release.preset} · {release.format}
              {release.seed !== null && <div className="muted">seed {release.seed}</div>}
            </td>
            <td>
              <ReleaseGate release={release} onCancel={onCancel} />
            </td>
            <td>
              {release.outcome ? (
                <ul style={{ margin: 0, paddingLeft: '1.1rem' }}>
                  {release.outcome.scoreboard.map((o) => (
                    <li key={o.setting}>
                      {o.setting}: {percent(o.reidentified)}
                    </li>
                  ))}
                </ul>
              ) : (
                '—'
              )}
            </td>
            <td>
              {release.outcome?.releasedRatings != null
                ? `${release.outcome.releasedRatings.toLocaleString()} ratings by ${(release.outcome.releasedUsers ?? 0).toLocaleString()} members`
                : '—'}
            </td>
            <td>
              {release.reportUrl ? (
                <a href={release.reportUrl} target="_blank" rel="noreferrer">
                  privacy-report.html
                </a>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReleaseGate({
  release,
  onCancel,
}: {
  release: ConsoleRelease;
  onCancel: (id: string) => void;
}) {
  if (release.status === 'running') {
    return (
      <>
        <progress value={release.progress} max={1} aria-label={`Release ${release.id} progress`} />{' '}
        <span className="muted">{release.phase}</span>{' '}
        <button type="button" className="button" onClick={() => onCancel(release.id)}>
          Cancel
        </button>
      </>
    );
  }
  if (release.status === 'failed')
    return <span className="alert-error">failed: {release.error}</span>;
  if (release.status === 'cancelled') return <span className="muted">cancelled</span>;
  if (release.status === 'passed') return <strong>passed</strong>;
  return (
    <div>
      <strong>refused</strong>
      <ul style={{ margin: 0, paddingLeft: '1.1rem' }} aria-label="Failed measures">
        {(release.outcome?.failures ?? []).map((failure) => (
          <li key={failure}>{failure}</li>
        ))}
      </ul>
      {release.outcome?.nearestPassingPreset && (
        <div className="muted">
          nearest preset that passes: {release.outcome.nearestPassingPreset}
        </div>
      )}
    </div>
  );
}

// ---- admin -----------------------------------------------------------------------------------

export function ConsoleAdmin() {
  useTitle('Admin · Console');
  const { member } = useSession();
  if (!member?.roles.includes('admin')) {
    return <p className="alert alert-error">This section is for admins.</p>;
  }
  return (
    <div className="console-section">
      <Roles />
      <IdentityLookup />
      <AuditLog />
    </div>
  );
}

function Roles() {
  const roles = useLoad(() => consoleApi.roles(), []);
  const [memberId, setMemberId] = useState('');
  const [role, setRole] = useState('researcher');
  const [error, setError] = useState<unknown>(null);

  async function change(action: 'grant' | 'revoke', id: number, which: string) {
    setError(null);
    try {
      await consoleApi.changeRole(action, id, which);
      roles.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <div className="card">
      <h2>Roles</h2>
      <ErrorMessage error={error ?? roles.error} />
      <table className="console-table" aria-label="Role grants">
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">Granted</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {(roles.data?.items ?? []).map((grant) => (
            <tr key={`${grant.memberId}:${grant.role}`}>
              <td>#{grant.memberId}</td>
              <td>{grant.role}</td>
              <td>{grant.grantedAt.slice(0, 10)}</td>
              <td>
                <button
                  type="button"
                  className="button button-small button-ghost"
                  onClick={() => void change('revoke', grant.memberId, grant.role)}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="form-inline"
        onSubmit={(e) => {
          e.preventDefault();
          void change('grant', Number(memberId), role);
        }}
      >
        <label className="field">
          <span>Member id</span>
          <input
            value={memberId}
            onChange={(e) => setMemberId(e.target.value)}
            inputMode="numeric"
          />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <option>researcher</option>
            <option>admin</option>
          </select>
        </label>
        <button type="submit" className="button">
          Grant
        </button>
      </form>
    </div>
  );
}

function IdentityLookup() {
  const [memberId, setMemberId] = useState('');
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState<{ memberId: number; email: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setAnswer(null);
    try {
      setAnswer(await consoleApi.lookupIdentity(Number(memberId), reason));
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label="Identity lookup">
      <h2>Identity lookup</h2>
      <p className="muted">
        Reveals a member’s e-mail. State why; the lookup is written to the access-audit log before
        the vault is asked, and the log cannot be edited.
      </p>
      <ErrorMessage error={error} title="No lookup." />
      <label className="field">
        <span>Member id</span>
        <input value={memberId} onChange={(e) => setMemberId(e.target.value)} inputMode="numeric" />
      </label>
      <label className="field">
        <span>Reason</span>
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
      </label>
      <button type="submit" className="button button-danger">
        Look up
      </button>
      {answer && (
        <p className="alert" role="status">
          Member #{answer.memberId}: {answer.email ?? 'no identity on file'}
        </p>
      )}
    </form>
  );
}

function AuditLog() {
  const audit = useLoad(() => consoleApi.audit(), []);
  return (
    <div className="card">
      <h2>Access-audit log</h2>
      <ErrorMessage error={audit.error} />
      <table className="console-table" aria-label="Access-audit log">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Member</th>
            <th scope="col">Reason / detail</th>
          </tr>
        </thead>
        <tbody>
          {(audit.data?.items ?? []).map((entry) => (
            <tr key={entry.id}>
              <td>{entry.occurredAt.slice(0, 19).replace('T', ' ')}</td>
              <td>{entry.actorId === null ? 'command line' : `#${entry.actorId}`}</td>
              <td>{entry.action}</td>
              <td>{entry.targetMemberId === null ? '' : `#${entry.targetMemberId}`}</td>
              <td>{entry.reason ?? (entry.detail ? JSON.stringify(entry.detail) : '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
