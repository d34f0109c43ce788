// The charts of the stats page (Chart.js, loaded with the page): your average against the
// site's, and your ratings per month; each with a text table for screen readers.
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import type { ReactNode } from 'react';
import { Bar } from 'react-chartjs-2';

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip);

const OPTIONS = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false as const,
  plugins: { legend: { display: false } },
};

/** A titled chart with its figures as a text table for screen readers. */
function ChartFigure(props: { title: string; rows: Array<[string, string]>; chart: ReactNode }) {
  return (
    <figure className="histogram">
      <figcaption>{props.title}</figcaption>
      <div className="histogram-chart">{props.chart}</div>
      <table className="visually-hidden">
        <caption>{props.title}</caption>
        <tbody>
          {props.rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function AveragesChart({ yours, site }: { yours: number; site: number }) {
  const title = 'Your average rating and the site’s';
  return (
    <ChartFigure
      title={title}
      rows={[
        ['You', String(yours)],
        ['Everyone', String(site)],
      ]}
      chart={
        <Bar
          role="img"
          aria-label={`${title}: you ${yours}, everyone ${site}`}
          data={{
            labels: ['You', 'Everyone'],
            datasets: [
              {
                label: 'Average',
                data: [yours, site],
                backgroundColor: ['#2a9d8f', '#9aa5b1'],
                borderRadius: 6,
                maxBarThickness: 64,
              },
            ],
          }}
          options={{ ...OPTIONS, scales: { y: { min: 0, max: 5 } } }}
        />
      }
    />
  );
}

export function MonthlyChart({ months }: { months: Array<{ month: string; count: number }> }) {
  const title = 'Your ratings per month';
  return (
    <ChartFigure
      title={title}
      rows={months.map((m) => [m.month, String(m.count)])}
      chart={
        <Bar
          role="img"
          aria-label={`${title}: ${months.map((m) => `${m.month}: ${m.count}`).join(', ')}`}
          data={{
            labels: months.map((m) => m.month),
            datasets: [
              {
                label: 'Ratings',
                data: months.map((m) => m.count),
                backgroundColor: '#2a9d8f',
                borderRadius: 4,
                maxBarThickness: 48,
              },
            ],
          }}
          options={{ ...OPTIONS, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }}
        />
      }
    />
  );
}
