// A movie's ratings that members share (Privacy page: "public" by username with a link to the
// profile, "anonymous" as "a member"), newest first with the month only, ten a page.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { ErrorMessage } from './ErrorMessage.tsx';
import { Pager } from './Pager.tsx';
import { StarMeter } from './Stars.tsx';

const MONTH = new Intl.DateTimeFormat(undefined, {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * Give it `key={movieId}` (a new movie starts at page 1). `refreshKey`: a value that changes when
 * the list may have changed (the viewer rated).
 */
export function SharedRatings({ movieId, refreshKey }: { movieId: number; refreshKey?: unknown }) {
  const [page, setPage] = useState(1);
  const shared = useLoad(() => api.sharedRatings(movieId, page), [movieId, page, refreshKey]);
  const data = shared.data;
  return (
    <section className="shared-ratings" aria-labelledby="shared-ratings-heading">
      <h2 id="shared-ratings-heading">Recent ratings from members</h2>
      <ErrorMessage error={shared.error} title="Could not load the members' ratings." />
      {data && data.items.length === 0 && (
        <p className="muted">No member shares a rating of this movie yet.</p>
      )}
      {data && data.items.length > 0 && (
        <ul className="card shared-ratings-list">
          {data.items.map((entry, index) => (
            <li key={`${page}-${index}`}>
              {entry.username ? (
                <Link to={`/u/${entry.username}`}>{entry.username}</Link>
              ) : (
                <span className="muted">a member</span>
              )}
              <StarMeter value={entry.rating} kind="yours" />
              <span className="muted small">
                {MONTH.format(new Date(`${entry.month}-01T00:00:00Z`))}
              </span>
            </li>
          ))}
        </ul>
      )}
      {data && (
        <Pager
          page={data.page}
          pageSize={data.pageSize}
          total={data.total}
          onPage={setPage}
          label="Pages of members' ratings"
        />
      )}
    </section>
  );
}
