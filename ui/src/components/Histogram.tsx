// The rating histogram of a movie (how many members gave 1..5 stars), as a Chart.js bar chart
// with a text table for screen readers.
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip);

const LABELS = ['1★', '2★', '3★', '4★', '5★'];
const COLOURS = ['#e76f51', '#f4a261', '#e9c46a', '#8ab17d', '#2a9d8f'];

export function RatingHistogram({ counts, title }: { counts: number[]; title: string }) {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return (
    <figure className="histogram">
      <figcaption>
        {title} <span className="muted">({total.toLocaleString()} ratings)</span>
      </figcaption>
      <div className="histogram-chart">
        <Bar
          aria-label={`${title}: ${counts.map((count, i) => `${count} × ${i + 1} stars`).join(', ')}`}
          role="img"
          data={{
            labels: LABELS,
            datasets: [
              {
                label: 'Ratings',
                data: counts,
                backgroundColor: COLOURS,
                borderRadius: 6,
                maxBarThickness: 48,
              },
            ],
          }}
          options={{
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            plugins: { legend: { display: false }, tooltip: { enabled: true } },
            scales: {
              x: { grid: { display: false } },
              y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#eef0f4' } },
            },
          }}
        />
      </div>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Stars</th>
            <th scope="col">Ratings</th>
          </tr>
        </thead>
        <tbody>
          {counts.map((count, index) => (
            <tr key={index}>
              <th scope="row">{index + 1}</th>
              <td>{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
