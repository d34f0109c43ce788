// Model runs: start an evaluation or a training run in the background, follow its progress.
import { useState } from 'react';
import type { ReactNode } from 'react';
import { SelectField } from '../../../components/Form.tsx';
import { Table, TableHead } from '../../../components/Table.tsx';
import { useDraft, useTitle } from '../../../hooks.ts';
import { consoleApi, type ModelRun, type RunRequest } from '../api.ts';
import { JobForm, JobProgress, useJobList } from '../jobs.tsx';

function metricText(metrics: Record<string, number>): ReactNode {
  const entries = Object.entries(metrics).filter(([name]) => name !== 'users');
  if (entries.length === 0) return '—';
  return entries.map(([name, value]) => `${name} ${value.toFixed(4)}`).join(', ');
}

type RunDraft = {
  kind: RunRequest['kind'];
  algorithm: string;
  protocol: NonNullable<RunRequest['protocol']> | '';
};

const NEW_RUN: RunDraft = { kind: 'evaluate', algorithm: 'item-knn', protocol: '' };

export function ConsoleRuns() {
  useTitle('Model runs · Console');
  const runs = useJobList(() => consoleApi.runs());
  const { draft, field } = useDraft(NEW_RUN);
  const [publish, setPublish] = useState(false);
  const data = runs.list.data;
  const { kind, algorithm, protocol } = draft;

  return (
    <div className="console-section">
      <h2>Model training and evaluation</h2>
      <JobForm
        label="Start a run"
        jobs={runs}
        job={() =>
          consoleApi.startRun({
            kind,
            algorithm,
            protocol: kind === 'evaluate' && protocol ? protocol : undefined,
            publish: kind === 'train' ? publish : undefined,
          })
        }
        submitLabel="Start"
        busyLabel="A run is in progress…"
      >
        <SelectField label="Run" {...field('kind')} options={['evaluate', 'train']} />
        <SelectField
          label="Algorithm"
          {...field('algorithm')}
          options={data?.algorithms ?? [algorithm]}
        />
        {kind === 'evaluate' ? (
          <SelectField label="Protocol" {...field('protocol')} options={data?.protocols ?? []}>
            <option value="">default</option>
          </SelectField>
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
      </JobForm>
      {data && data.items.length > 0 && (
        <RunTable
          runs={data.items}
          onCancel={(id) => runs.cancel(() => consoleApi.cancelRun(id))}
        />
      )}
    </div>
  );
}

function RunTable({ runs, onCancel }: { runs: ModelRun[]; onCancel: (id: number) => void }) {
  return (
    <Table className="console-table" aria-label="Model runs">
      <TableHead columns={['#', 'Run', 'Algorithm', 'Protocol', 'Progress', 'Results', 'Fit s']} />
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-run-status={run.status}>
            <td>{run.id}</td>
            <td>{run.kind}</td>
            <td>{run.algorithm}</td>
            <td>{run.protocol ?? '—'}</td>
            <td>
              <JobProgress
                label={`Run ${run.id} progress`}
                progress={run.progress}
                note={run.status === 'failed' ? run.error : run.phase}
                onCancel={run.status === 'running' ? () => onCancel(run.id) : undefined}
              />
            </td>
            <td>
              {metricText(run.metrics)}
              {run.modelVersion && <div className="muted">serving {run.modelVersion}</div>}
            </td>
            <td>{run.fitSeconds === null ? '—' : run.fitSeconds.toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
