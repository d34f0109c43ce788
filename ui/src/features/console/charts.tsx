// Charts of the researcher console (Chart.js): ratings per day, rating distribution, and one
// chart per experiment metric (value per variant with its 95% interval as a floating bar).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { ReactNode } from 'react';
import { Bar, Chart, Line } from 'react-chartjs-2';
import { Table, TableHead } from '../../components/Table.tsx';
import type { DatasetOverview, ExperimentResults } from './api.ts';

// Only the parts these charts use (bar and line charts, category and linear scales), so the
// bundle carries no more of Chart.js than needed.
ChartJS.register(BarController, BarElement, LineController, LineElement, PointElement, Filler);
ChartJS.register(CategoryScale, LinearScale, Legend, Tooltip);

const ACCENT = '#4f6df5';

/** Fixed-height canvases drawn without animation (so screenshots and tests see the chart). */
const STATIC = { responsive: true, maintainAspectRatio: false, animation: false } as const;
const NO_LEGEND = { legend: { display: false } };

/** A chart's figure: its caption and the canvas box; `after` goes below the canvas. */
function ChartFigure({
  testId,
  caption,
  children,
  after,
}: {
  testId: string;
  caption: string;
  children: ReactNode;
  after?: ReactNode;
}) {
  return (
    <figure className="console-chart" data-testid={testId}>
      <figcaption>{caption}</figcaption>
      <div className="console-chart-canvas">{children}</div>
      {after}
    </figure>
  );
}

const DAY_MS = 86_400_000;

/** Days since the epoch (UTC) of a YYYY-MM-DD day, and back. */
const dayNumber = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
const dayLabel = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * Ratings per calendar day on a time axis (days since the epoch on a linear scale, labelled as
 * dates): the API returns every day of the window, zeros included, so quiet spells show as such.
 */
export function RatingsPerDayChart({ days }: { days: DatasetOverview['ratingsPerDay'] }) {
  const points = days.map((d) => ({ x: dayNumber(d.day), y: d.ratings }));
  const first = days[0]?.day;
  const last = days.at(-1)?.day;
  return (
    <ChartFigure testId="ratings-per-day" caption="Ratings per day">
      <Line
        role="img"
        aria-label={
          first && last
            ? `Ratings per day from ${first} to ${last} (${days.length} days, ${days.filter((d) => d.ratings > 0).length} with ratings)`
            : 'Ratings per day: no ratings yet'
        }
        data={{
          datasets: [
            {
              label: 'Ratings',
              data: points,
              borderColor: ACCENT,
              backgroundColor: 'rgba(79, 109, 245, 0.15)',
              fill: true,
              pointRadius: days.length > 60 ? 0 : 2,
              tension: 0,
            },
          ],
        }}
        options={{
          ...STATIC,
          plugins: {
            ...NO_LEGEND,
            tooltip: {
              callbacks: { title: (items) => (items[0] ? dayLabel(items[0].parsed.x ?? 0) : '') },
            },
          },
          scales: {
            x: {
              type: 'linear',
              min: points[0]?.x,
              max: points.at(-1)?.x,
              ticks: {
                maxTicksLimit: 6,
                maxRotation: 0,
                callback: (value) => dayLabel(Number(value)),
              },
              grid: { display: false },
            },
            y: { beginAtZero: true, ticks: { precision: 0 } },
          },
        }}
      />
    </ChartFigure>
  );
}

export function DistributionChart({
  distribution,
}: {
  distribution: DatasetOverview['ratingDistribution'];
}) {
  return (
    <ChartFigure testId="rating-distribution" caption="Rating distribution">
      <Bar
        role="img"
        aria-label={distribution.map((d) => `${d.ratings} ratings of ${d.rating}`).join(', ')}
        data={{
          labels: distribution.map((d) => `${d.rating}★`),
          datasets: [
            {
              label: 'Ratings',
              data: distribution.map((d) => d.ratings),
              backgroundColor: ACCENT,
              borderRadius: 4,
            },
          ],
        }}
        options={{
          ...STATIC,
          plugins: NO_LEGEND,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        }}
      />
    </ChartFigure>
  );
}

type MetricChart = ExperimentResults['charts'][number];

function formatted(value: number | null, format: string): string {
  if (value === null) return '—';
  return format === 'percent' ? `${(value * 100).toFixed(1)}%` : value.toFixed(3);
}

/** One metric: a floating bar per variant for its 95% interval, a point for the estimate. */
export function MetricChartView({ chart, reading }: { chart: MetricChart; reading: string }) {
  const scale = chart.format === 'percent' ? 100 : 1;
  const labels = chart.points.map((p) => p.variant);
  return (
    <ChartFigure
      testId={`metric-${chart.metric}`}
      caption={chart.label}
      after={<MetricTable chart={chart} reading={reading} />}
    >
      <Chart
        type="bar"
        role="img"
        aria-label={`${chart.label}: ${chart.points
          .map((p) => `${p.variant} ${formatted(p.value, chart.format)}`)
          .join(', ')}`}
        data={{
          labels,
          datasets: [
            {
              type: 'bar' as const,
              label: '95% interval',
              data: chart.points.map((p) =>
                p.low === null || p.high === null
                  ? null
                  : ([p.low * scale, p.high * scale] as [number, number]),
              ) as unknown as number[],
              backgroundColor: 'rgba(79, 109, 245, 0.25)',
              borderColor: ACCENT,
              borderWidth: 1,
              maxBarThickness: 60,
            },
            {
              type: 'line' as const,
              label: 'estimate',
              data: chart.points.map((p) =>
                p.value === null ? null : p.value * scale,
              ) as number[],
              showLine: false,
              pointRadius: 6,
              pointBackgroundColor: '#1d2b6b',
              borderColor: '#1d2b6b',
            },
          ],
        }}
        options={{
          ...STATIC,
          plugins: { legend: { display: true, position: 'bottom' } },
          scales: {
            y: {
              beginAtZero: true,
              title: { display: chart.format === 'percent', text: '%' },
            },
          },
        }}
      />
    </ChartFigure>
  );
}

/** The metric's figures as a table (estimate and interval per variant) and its reading. */
function MetricTable({ chart, reading }: { chart: MetricChart; reading: string }) {
  return (
    <>
      <Table className="console-table">
        <TableHead columns={['Variant', 'Estimate', '95% interval']} />
        <tbody>
          {chart.points.map((p) => (
            <tr key={p.variant}>
              <th scope="row">{p.variant}</th>
              <td>{formatted(p.value, chart.format)}</td>
              <td>
                {p.low === null || p.high === null
                  ? '—'
                  : `${formatted(p.low, chart.format)} – ${formatted(p.high, chart.format)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      <p className="console-reading">{reading}</p>
    </>
  );
}
