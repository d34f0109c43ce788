// The rating histogram of a movie (how many members gave 0.5, 1 … 5 stars: one bar per half
// star), as a Chart.js bar chart with a text table for screen readers.
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip);

/** The star value of each bar: 0.5, 1 … 5. */
const STARS = Array.from({ length: 10 }, (_, bar) => (bar + 1) / 2);
const LABELS = STARS.map((stars) => `${stars}★`);
/** Red to green, one shade per whole star; a half star takes its whole star's colour. */
const WHOLE_COLOURS = ['#e76f51', '#f4a261', '#e9c46a', '#8ab17d', '#2a9d8f'];
const COLOURS = STARS.map((stars) => WHOLE_COLOURS[Math.ceil(stars) - 1]);

export function RatingHistogram({ counts, title }: { counts: number[]; title: string }) {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return (
    <figure className="histogram">
      <figcaption>
        {title} <span className="muted">({total.toLocaleString()} ratings)</span>
      </figcaption>
      <div className="histogram-chart">
        <Bar
          aria-label={`${title}: ${counts.map((count, i) => `${count} × ${STARS[i]} stars`).join(', ')}`}
          role="img"
          data={{
            labels: LABELS,
            datasets: [
              {
                label: 'Ratings',
                data: counts,
                backgroundColor: COLOURS,
                borderRadius: 6,
                maxBarThickness: 32,
              },
            ],
          }}
          options={{
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            plugins: { legend: { display: false }, tooltip: { enabled: true } },
            scales: {
              x: { grid: { display: false }, ticks: { autoSkip: false, font: { size: 10 } } },
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
              <th scope="row">{STARS[index]}</th>
              <td>{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
