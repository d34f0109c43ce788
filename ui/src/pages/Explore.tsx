// Explore: search as you type, filter by genre, year range and (members) list, sort, page. The state lives in
// the URL, so a search can be bookmarked and the back button works.
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api.ts';
import { DidYouMean } from '../components/DidYouMean.tsx';
import { ErrorMessage, Loading } from '../components/ErrorMessage.tsx';
import { InputField, SelectField } from '../components/Form.tsx';
import { MovieCard, MovieGrid } from '../components/MovieCard.tsx';
import { Pager } from '../components/Pager.tsx';
import { useDebounced, useLoad, useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';

const PAGE_SIZE = 24;

const YEAR_FIELDS = [
  { key: 'yearFrom', label: 'From year', placeholder: '1900' },
  { key: 'yearTo', label: 'To year', placeholder: '2030' },
] as const;

export function ExplorePage() {
  useTitle('Explore');
  const { member } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const genre = params.get('genre') ?? '';
  const yearFrom = params.get('yearFrom') ?? '';
  const yearTo = params.get('yearTo') ?? '';
  const sort = params.get('sort') ?? 'popularity';
  const list = member ? (params.get('list') ?? '') : '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);

  // The search box updates the URL only after typing pauses.
  const [typed, setTyped] = useState(q);
  const settled = useDebounced(typed, 250);
  useEffect(() => {
    if (settled.trim() !== q) update({ q: settled.trim() });
  }, [settled]);
  // Back/forward or a link changed the search: show it in the box.
  useEffect(() => {
    setTyped((current) => (current.trim() === q ? current : q));
  }, [q]);

  const genres = useLoad(() => api.genres(), []);
  const results = useLoad(
    () =>
      api.movies({
        q,
        genre,
        yearFrom: /^\d{4}$/.test(yearFrom) ? yearFrom : undefined,
        yearTo: /^\d{4}$/.test(yearTo) ? yearTo : undefined,
        sort: sort === 'predicted' && !member ? 'popularity' : sort,
        list,
        page,
        pageSize: PAGE_SIZE,
      }),
    [q, genre, yearFrom, yearTo, sort, list, page, member?.id],
  );

  /** The current URL's filters with another search (from the first page). */
  function withQuery(text: string): string {
    const next = new URLSearchParams(params);
    next.set('q', text);
    next.delete('page');
    return next.toString();
  }

  function update(changes: Record<string, string>, keepPage = false) {
    // The functional form always starts from the newest URL, so a debounced search and a
    // filter change made meanwhile cannot undo each other.
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value) next.set(key, value);
          else next.delete(key);
        }
        if (!keepPage) next.delete('page');
        return next;
      },
      { replace: true },
    );
  }

  const data = results.data;
  return (
    <>
      <div className="section-head">
        <h1>Explore movies</h1>
        {data && (
          <p className="muted" aria-live="polite">
            {data.total.toLocaleString()} movie{data.total === 1 ? '' : 's'}
          </p>
        )}
      </div>
      <form className="filters card" role="search" onSubmit={(event) => event.preventDefault()}>
        <InputField
          label="Search"
          className="field-grow"
          type="search"
          name="q"
          placeholder="Title…"
          value={typed}
          onChange={setTyped}
        />
        <SelectField
          label="Genre"
          value={genre}
          onChange={(value) => update({ genre: value })}
          options={genres.data ?? []}
        >
          <option value="">All genres</option>
        </SelectField>
        {YEAR_FIELDS.map(({ key, label, placeholder }) => (
          <InputField
            key={key}
            label={label}
            className="field-year"
            type="number"
            inputMode="numeric"
            min={1900}
            max={2100}
            placeholder={placeholder}
            value={key === 'yearFrom' ? yearFrom : yearTo}
            onChange={(value) => update({ [key]: value })}
          />
        ))}
        {member && (
          <SelectField label="Show" value={list} onChange={(value) => update({ list: value })}>
            <option value="">All but hidden</option>
            <option value="wishlist">My wishlist</option>
            <option value="hidden">Hidden movies</option>
          </SelectField>
        )}
        <SelectField label="Sort by" value={sort} onChange={(value) => update({ sort: value })}>
          <option value="popularity">Popularity</option>
          <option value="average">Average rating</option>
          {member && <option value="predicted">For you</option>}
          <option value="title">Title</option>
          <option value="year">Year</option>
        </SelectField>
      </form>
      <ErrorMessage error={results.error} title="Could not search." />
      {data?.didYouMean && (
        <DidYouMean suggestion={data.didYouMean} to={{ search: withQuery(data.didYouMean) }} />
      )}
      {results.loading && !data && <Loading />}
      {data && data.items.length === 0 && (
        <p className="empty">No movies match. Try fewer filters or another word.</p>
      )}
      {data && data.items.length > 0 && (
        <div className={results.loading ? 'is-stale' : undefined} aria-busy={results.loading}>
          <MovieGrid label="Search results">
            {data.items.map((movie) => (
              <MovieCard key={movie.id} movie={movie} rateable />
            ))}
          </MovieGrid>
          <Pager
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            onPage={(next) => {
              update({ page: String(next) }, true);
              window.scrollTo({ top: 0 });
            }}
          />
        </div>
      )}
    </>
  );
}
