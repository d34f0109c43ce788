// Experiments: the list (start, stop, results) and the form for a new one.
import { Link } from 'react-router-dom';
import { ErrorMessage, Loading } from '../../../components/ErrorMessage.tsx';
import { Table, TableHead } from '../../../components/Table.tsx';
import { useAction, useLoad, useTitle } from '../../../hooks.ts';
import { consoleApi, type Experiment } from '../api.ts';
import { CreateExperiment } from './CreateExperiment.tsx';

export function StateBadge({ state }: { state: Experiment['state'] }) {
  return <span className={`console-badge console-badge-${state}`}>{state}</span>;
}

/** What a draft (start) or running experiment (stop) can do next. */
const NEXT_STEP = {
  draft: { label: 'Start', className: 'button-primary', call: consoleApi.startExperiment },
  running: { label: 'Stop', className: 'button-danger', call: consoleApi.stopExperiment },
  stopped: null,
};

function NextStep({
  experiment,
  act,
}: {
  experiment: Experiment;
  act: (work: () => Promise<unknown>) => void;
}) {
  const step = NEXT_STEP[experiment.status];
  if (!step) return null;
  return (
    <button
      type="button"
      className={`button button-small ${step.className}`}
      onClick={() => act(() => step.call(experiment.id))}
    >
      {step.label}
    </button>
  );
}

export function ConsoleExperiments() {
  useTitle('Experiments · Console');
  const experiments = useLoad(() => consoleApi.experiments(), []);
  const action = useAction();
  const act = (work: () => Promise<unknown>) =>
    void action.run(async () => {
      await work();
      experiments.reload();
    });

  return (
    <div className="console-section">
      <h2>Experiments</h2>
      <p>
        <Link to="/console/recommender-choices">The recommenders members chose →</Link> (each
        member's own choice on the home page, as another experiment dimension)
      </p>
      <ErrorMessage error={experiments.error ?? action.error} />
      {!experiments.data ? (
        <Loading />
      ) : experiments.data.items.length === 0 ? (
        <p className="muted">No experiments yet. Define one below.</p>
      ) : (
        <Table className="console-table" aria-label="Experiments">
          <TableHead columns={['Name', 'State', 'Variants', 'Window', 'Actions']} />
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
                  <NextStep experiment={experiment} act={act} />
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
        </Table>
      )}
      <CreateExperiment onCreated={experiments.reload} />
    </div>
  );
}
