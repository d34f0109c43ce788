// Your ratings: the history, newest first, with edit (click a star) and remove.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { MovieLine } from '../components/MovieCard.tsx';
import { Pager } from '../components/Pager.tsx';
import { RequireMember } from '../components/RequireMember.tsx';
import { StarRating, starsText } from '../components/Stars.tsx';
import { Table, TableHead } from '../components/Table.tsx';
import { useLoad, useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';
import type { RatedMovie } from '../types.ts';

const PAGE_SIZE = 50;

export function RatingsPage() {
  return (
    <RequireMember>
      <Ratings />
    </RequireMember>
  );
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

function Ratings() {
  useTitle('Your ratings');
  const { patchMember } = useSession();
  const [page, setPage] = useState(1);
  const list = useLoad(() => api.ratings(page, PAGE_SIZE), [page]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [status, setStatus] = useState('');

  function replace(movieId: number, change: (row: RatedMovie) => RatedMovie | null) {
    list.setData((current) => {
      if (!current) return current;
      const items: RatedMovie[] = [];
      for (const row of current.items) {
        const next = row.id === movieId ? change(row) : row;
        if (next) items.push(next);
      }
      const removed = current.items.length - items.length;
      return { ...current, items, total: current.total - removed };
    });
  }

  async function edit(row: RatedMovie, rating: number) {
    setBusy(row.id);
    setError(null);
    try {
      const saved = await api.rate(row.id, rating);
      replace(row.id, (old) => ({ ...old, rating, ratedAt: saved?.ratedAt ?? old.ratedAt }));
      setStatus(`${row.title}: now ${starsText(rating)}.`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  async function remove(row: RatedMovie) {
    setBusy(row.id);
    setError(null);
    try {
      await api.unrate(row.id);
      replace(row.id, () => null);
      if (list.data) patchMember({ ratingsCount: list.data.total - 1 });
      setStatus(`Removed your rating of ${row.title}.`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  const data = list.data;
  return (
    <>
      <div className="section-head">
        <h1>Your ratings</h1>
        {data && (
          <p className="muted">
            {data.total.toLocaleString()} movie{data.total === 1 ? '' : 's'} rated
          </p>
        )}
      </div>
      <p className="save-status" role="status" aria-live="polite">
        {status}
      </p>
      <ErrorMessage error={list.error ?? error} />
      {list.loading && !data && <Loading />}
      {data && data.items.length === 0 && (
        <p className="empty">
          You have not rated anything yet. <Link to="/onboarding">Start rating</Link>.
        </p>
      )}
      {data && data.items.length > 0 && (
        <div className="card table-card">
          <Table className="ratings-table" stack>
            <TableHead
              columns={[
                'Movie',
                'Your rating',
                'Rated',
                <span className="visually-hidden">Actions</span>,
              ]}
            />
            <tbody>
              {data.items.map((row) => (
                <tr key={row.id}>
                  <td>
                    <MovieLine movie={row} />
                  </td>
                  <td>
                    <StarRating
                      value={row.rating}
                      label={`Your rating for ${row.title}`}
                      onRate={(rating) => void edit(row, rating)}
                      busy={busy === row.id}
                    />
                  </td>
                  <td className="muted nowrap">{formatDate(row.ratedAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="button button-ghost button-small"
                      aria-label={`Remove your rating of ${row.title}`}
                      disabled={busy === row.id}
                      onClick={() => void remove(row)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
      {data && (
        <Pager page={data.page} pageSize={data.pageSize} total={data.total} onPage={setPage} />
      )}
    </>
  );
}
