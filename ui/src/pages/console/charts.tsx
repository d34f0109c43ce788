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
import { Bar, Chart, Line } from 'react-chartjs-2';
import type { DatasetOverview, ExperimentResults } from './consoleApi.ts';

ChartJS.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

const ACCENT = '#4f6df5';

export function RatingsPerDayChart({ days }: { days: DatasetOverview['ratingsPerDay'] }) {
  return (
    <figure className="console-chart" data-testid="ratings-per-day">
      <figcaption>Ratings per day</figcaption>
      <div className="console-chart-canvas">
        <Line
          role="img"
          aria-label={`Ratings per day over ${days.length} days`}
          data={{
            labels: days.map((d) => d.day),
            datasets: [
              {
                label: 'Ratings',
                data: days.map((d) => d.ratings),
                borderColor: ACCENT,
                backgroundColor: 'rgba(79, 109, 245, 0.15)',
                fill: true,
                pointRadius: days.length > 60 ? 0 : 2,
                tension: 0.2,
              },
            ],
          }}
          options={{
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            plugins: { legend: { display: false } },
            scales: {
              x: { ticks: { maxTicksLimit: 8 }, grid: { display: false } },
              y: { beginAtZero: true, ticks: { precision: 0 } },
            },
          }}
        />
      </div>
    </figure>
  );
}

export function DistributionChart({
  distribution,
}: {
  distribution: DatasetOverview['ratingDistribution'];
}) {
  return (
    <figure className="console-chart" data-testid="rating-distribution">
      <figcaption>Rating distribution</figcaption>
      <div className="console-chart-canvas">
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
    <figure className="console-chart" data-testid={`metric-${chart.metric}`}>
      <figcaption>{chart.label}</figcaption>
      <div className="console-chart-canvas">
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
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            plugins: { legend: { display: true, position: 'bottom' } },
            scales: {
              y: {
                beginAtZero: true,
                title: { display: chart.format === 'percent', text: '%' },
              },
            },
          }}
        />
      </div>
      <table className="console-table">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Estimate</th>
            <th scope="col">95% interval</th>
          </tr>
        </thead>
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
      </table>
      <p className="console-reading">{reading}</p>
    </figure>
  );
}
