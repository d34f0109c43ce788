// An experiment's results: members per variant, and a chart and reading per metric.
import { Link, useParams } from 'react-router-dom';
import { ErrorMessage, Loading } from '../../../components/ErrorMessage.tsx';
import { Table, TableHead } from '../../../components/Table.tsx';
import { useLoad, useTitle } from '../../../hooks.ts';
import { consoleApi, type ExperimentResults } from '../api.ts';
import { MetricChartView } from '../charts.tsx';
import { StateBadge } from './ConsoleExperiments.tsx';

export function ConsoleExperimentResults() {
  const { id } = useParams();
  const experimentId = Number(id);
  const results = useLoad(() => consoleApi.results(experimentId), [experimentId]);
  useTitle(results.data ? `${results.data.experiment.name} · Console` : 'Experiment · Console');
  if (results.error) return <ErrorMessage error={results.error} />;
  if (!results.data) return <Loading />;
  const { experiment } = results.data;
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
      <GroupResults results={results.data} group="Variant" />
    </div>
  );
}

/**
 * Members, clicks and a chart and reading per metric for each group: an experiment's variants,
 * or the recommenders members chose.
 */
export function GroupResults({
  results,
  group,
  share = 'Weight',
}: {
  results: Pick<ExperimentResults, 'variants' | 'charts' | 'readings'>;
  group: string;
  /** The heading of the share column. */
  share?: string;
}) {
  const { variants, charts, readings } = results;
  return (
    <>
      <Table className="console-table" aria-label={`Members per ${group.toLowerCase()}`}>
        <TableHead columns={[group, share, 'Members exposed', 'Clicks / impressions']} />
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
      </Table>
      <div className="console-charts">
        {charts.map((chart) => (
          <MetricChartView
            key={chart.metric}
            chart={chart}
            reading={readings[chart.metric] ?? ''}
          />
        ))}
      </div>
    </>
  );
}
