// A survey's results: a chart of the counts of each choice or scale question, mean ratings with
// their 95% intervals, the scale answers by experiment arm, and the pseudonymous export.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useState } from 'react';
import { Bar } from 'react-chartjs-2';
import { Link, useParams } from 'react-router-dom';
import { ErrorMessage, Loading } from '../../../components/ErrorMessage.tsx';
import { InputField } from '../../../components/Form.tsx';
import { TableHead } from '../../../components/Table.tsx';
import { useDebounced, useLoad, useTitle } from '../../../hooks.ts';
import { extrasApi, type SurveyResults } from '../../extras/api.ts';

ChartJS.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

type QuestionResult = SurveyResults['questions'][number];
type Estimate = QuestionResult['options'][number]['share'];

const interval = (estimate: Estimate, digits = 2) =>
  estimate.value === null
    ? '—'
    : `${estimate.value.toFixed(digits)}${
        estimate.low === null
          ? ''
          : ` (${estimate.low.toFixed(digits)}–${estimate.high!.toFixed(digits)})`
      }`;

function CountChart({
  label,
  labels,
  counts,
}: {
  label: string;
  labels: string[];
  counts: number[];
}) {
  return (
    <figure className="console-chart">
      <div className="console-chart-canvas">
        <Bar
          role="img"
          aria-label={`${label}: ${labels.map((l, i) => `${l} ${counts[i]}`).join(', ')}`}
          data={{
            labels,
            datasets: [{ label: 'Answers', data: counts, backgroundColor: '#4f6df5' }],
          }}
          options={{
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            plugins: { legend: { display: false } },
            scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
          }}
        />
      </div>
    </figure>
  );
}

function QuestionView({ question }: { question: QuestionResult }) {
  return (
    <section className="card" aria-label={question.prompt}>
      <h3>
        {question.id}. {question.prompt}
      </h3>
      <p className="muted">{question.answered} answered</p>
      {question.options.length > 0 && (
        <>
          <CountChart
            label={question.prompt}
            labels={question.options.map((o) => o.label)}
            counts={question.options.map((o) => o.count)}
          />
          <table className="console-table">
            <TableHead columns={['Choice', 'Answers', 'Share (95% interval)']} />
            <tbody>
              {question.options.map((option) => (
                <tr key={option.label}>
                  <th scope="row">{option.label}</th>
                  <td>{option.count}</td>
                  <td>{interval(option.share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {question.kind === 'scale' && (
        <>
          <CountChart
            label={question.prompt}
            labels={['1', '2', '3', '4', '5']}
            counts={question.distribution}
          />
          <p>Mean (95% interval): {question.mean ? interval(question.mean) : '—'}</p>
        </>
      )}
      {question.movies.length > 0 && (
        <table className="console-table">
          <TableHead columns={['Movie', 'Ratings', 'Mean (95% interval)']} />
          <tbody>
            {question.movies.map((movie) => (
              <tr key={movie.movieId}>
                <th scope="row">{movie.title ?? `#${movie.movieId}`}</th>
                <td>{movie.mean.n}</td>
                <td>{interval(movie.mean)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {question.kind === 'text' && <p className="muted">Free-text answers are in the export.</p>}
    </section>
  );
}

export function ConsoleSurveyResults() {
  const id = Number(useParams().id);
  const [experiment, setExperiment] = useState('');
  const experimentId = useDebounced(Number(experiment) || undefined, 400);
  const results = useLoad(() => extrasApi.results(id, experimentId), [id, experimentId]);
  useTitle(results.data ? `${results.data.survey.title} · Console` : 'Survey · Console');
  if (!results.data) return results.error ? <ErrorMessage error={results.error} /> : <Loading />;
  const { survey, respondents, declined, questions, byArm } = results.data;
  return (
    <div className="console-section" data-testid="survey-results">
      <p>
        <Link to="/console/surveys">← All surveys</Link>
      </p>
      <h2>{survey.title}</h2>
      <p>
        {respondents} members answered, {declined} declined · {survey.state}
      </p>
      <p>
        <a className="button button-primary" href={extrasApi.exportUrl(id, 'csv')} download>
          Export answers (CSV)
        </a>{' '}
        <a className="button" href={extrasApi.exportUrl(id, 'jsonl')} download>
          JSON Lines
        </a>
      </p>
      <p className="muted">
        Exports hold pseudonymous member ids only; e-mail addresses in free text are removed, and
        every export is written to the access-audit log.
      </p>
      {results.error ? <ErrorMessage error={results.error} /> : null}
      {questions.map((question) => (
        <QuestionView key={question.id} question={question} />
      ))}
      <section className="card" aria-label="By experiment arm">
        <h3>By experiment arm</h3>
        <InputField
          label="Experiment id"
          inputMode="numeric"
          value={experiment}
          onChange={setExperiment}
        />
        {byArm && (
          <table className="console-table">
            <TableHead
              columns={[
                'Arm',
                'Respondents',
                ...questions
                  .filter((q) => q.kind === 'scale')
                  .map((q) => `${q.id} mean (95% interval)`),
              ]}
            />
            <tbody>
              {byArm.map((arm) => (
                <tr key={arm.variant}>
                  <th scope="row">{arm.variant}</th>
                  <td>{arm.respondents}</td>
                  {arm.means.map((mean) => (
                    <td key={mean.question}>{interval(mean.mean)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
