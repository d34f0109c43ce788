// The charts of the stats page (Chart.js, loaded with the page): your average against the
// site's, and your ratings per month; each with a text table for screen readers.
import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import { Bar, Line } from 'react-chartjs-2';

ChartJS.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip);

const OPTIONS = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false as const,
  plugins: { legend: { display: false } },
};

function TextTable({ caption, rows }: { caption: string; rows: Array<[string, string]> }) {
  return (
    <table className="visually-hidden">
      <caption>{caption}</caption>
      <tbody>
        {rows.map(([label, value]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AveragesChart({ yours, site }: { yours: number; site: number }) {
  const title = 'Your average rating and the site’s';
  return (
    <figure className="histogram">
      <figcaption>{title}</figcaption>
      <div className="histogram-chart">
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
      </div>
      <TextTable
        caption={title}
        rows={[
          ['You', String(yours)],
          ['Everyone', String(site)],
        ]}
      />
    </figure>
  );
}

export function MonthlyChart({ months }: { months: Array<{ month: string; count: number }> }) {
  const title = 'Your ratings per month';
  return (
    <figure className="histogram">
      <figcaption>{title}</figcaption>
      <div className="histogram-chart">
        <Line
          role="img"
          aria-label={`${title}: ${months.map((m) => `${m.month}: ${m.count}`).join(', ')}`}
          data={{
            labels: months.map((m) => m.month),
            datasets: [
              {
                label: 'Ratings',
                data: months.map((m) => m.count),
                borderColor: '#2a9d8f',
                backgroundColor: '#2a9d8f',
              },
            ],
          }}
          options={{ ...OPTIONS, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }}
        />
      </div>
      <TextTable caption={title} rows={months.map((m) => [m.month, String(m.count)])} />
    </figure>
  );
}
