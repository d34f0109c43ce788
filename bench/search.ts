/**
 * The search benchmark (npm run bench:search): candidate engines for the catalog's title search
 * on an ML-latest-sized catalog (87,000 synthetic movies: invented titles with accents and
 * 'Title, The' forms; popularity from synthetic ratings). Prints a markdown table and writes
 * bench/out/search.json.
 *
 *   node --expose-gc --import tsx bench/search.ts [--movies 87000] [--queries 150]
 *
 * Per engine: index build seconds, index size, and per query kind (as you type, typos, folded
 * accents) the median and p99 latency of a first page of 24 results, and hit@24 (the movie the
 * query was made from is on that page). Engines: the old substring scan, MiniSearch beside the
 * catalog (the site's), SQLite FTS5 (unicode61, diacritics removed), PostgreSQL pg_trgm over
 * unaccent (LENSLAB_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test; skipped
 * with a note when unreachable or the extensions are missing).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { generateSynthetic } from '../src/datasets/synthetic.ts';
import { Catalog, type CatalogMovie } from '../src/services/catalog.ts';
import { fold, normalize, queryWords, titleForms } from '../src/services/titleText.ts';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const MOVIES = argument('movies', 87_000);
const QUERIES = argument('queries', 150);
const PAGE = 24;
const PG_URL = process.env.LENSLAB_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OUT = new URL('./out/', import.meta.url).pathname;

type Kind = 'as you type' | 'typos' | 'accents';
interface Query {
  kind: Kind;
  text: string;
  target: number;
}
interface Engine {
  name: string;
  buildSeconds: number;
  size: string;
  /** Catalog indexes of the first page. */
  search(text: string): Promise<number[]> | number[];
  close?(): Promise<void>;
}

// ---- the catalog and the queries ----------------------------------------------------------

const dataset = generateSynthetic({ users: 3000, movies: MOVIES, ratings: 300_000, seed: 11 });
const movies: CatalogMovie[] = dataset.movies.map((m) => ({ ...m, genres: [...m.genres] }));
const popularity = new Int32Array(movies.length);
const movieIndex = new Map(movies.map((m, i) => [m.id, i]));
for (let r = 0; r < dataset.ratings.length; r++) {
  popularity[movieIndex.get(dataset.ratings.itemIds.ids[dataset.ratings.itemIndex[r]])!]++;
}

let state = 12345;
const random = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};
const byPopularity = [...movies.keys()].sort((a, b) => popularity[b] - popularity[a]);
const popular = byPopularity.slice(0, 5000);
const accented = byPopularity.filter((i) => /[^\x20-\x7e]/.test(movies[i].title)).slice(0, 5000);
const pick = (list: number[]) => list[Math.floor(random() * list.length)];
/** The title as people say it: article first, without alternative titles. */
const spoken = (i: number) =>
  titleForms(movies[i].title).at(titleForms(movies[i].title).length > 1 ? 1 : 0)!;

function swapTypo(words: string[]): string[] | null {
  const k = words.findIndex((w) => w.length >= 5 && !/\d/.test(w));
  if (k < 0) return null;
  const word = words[k];
  const at = 1 + Math.floor(random() * (word.length - 2));
  if (word[at] === word[at + 1]) return null;
  const typo = word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
  return words.map((w, j) => (j === k ? typo : w));
}

const queries: Query[] = [];
for (let n = 0; n < QUERIES; n++) {
  const target = pick(popular);
  const words = spoken(target).split(' ');
  const typed = [3, 6, words[0].length + 3][n % 3];
  queries.push({ kind: 'as you type', text: words.join(' ').slice(0, typed), target });
  let typo: string[] | null = null;
  let typoTarget = target;
  while (!typo)
    typo = swapTypo(
      spoken((typoTarget = pick(popular)))
        .split(' ')
        .slice(0, 3),
    );
  queries.push({ kind: 'typos', text: typo.join(' '), target: typoTarget });
  const foreign = pick(accented);
  queries.push({ kind: 'accents', text: fold(spoken(foreign)), target: foreign });
}
const KINDS: Kind[] = ['as you type', 'typos', 'accents'];

// ---- the engines ------------------------------------------------------------------------

function timed<T>(build: () => T): [T, number] {
  const start = performance.now();
  const value = build();
  return [value, (performance.now() - start) / 1000];
}
const heapMb = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

function substringScan(): Engine {
  const [text, seconds] = timed(() =>
    movies.map((m) => `${m.title} ${m.year ?? ''}`.toLowerCase()),
  );
  return {
    name: 'substring scan (before)',
    buildSeconds: seconds,
    size: '—',
    search(query) {
      const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
      const found: number[] = [];
      for (let i = 0; i < text.length; i++)
        if (terms.every((t) => text[i].includes(t))) found.push(i);
      return found.sort((a, b) => popularity[b] - popularity[a] || a - b).slice(0, PAGE);
    },
  };
}

function miniSearch(): Engine {
  const before = heapMb();
  const [catalog, seconds] = timed(() => new Catalog(movies));
  const after = heapMb();
  catalog.counts.set(popularity);
  return {
    name: 'MiniSearch beside the catalog',
    buildSeconds: seconds,
    size: `${Math.round(after - before)} MB heap (with the catalog)`,
    search: (query) => catalog.search({ q: query, page: 1, pageSize: PAGE }).indexes,
  };
}

/** A quoted FTS5 phrase per word, the last one a prefix. */
const ftsQuery = (query: string) =>
  queryWords(query)
    .map((word, k, words) => `"${word}"${k === words.length - 1 ? '*' : ''}`)
    .join(' ');

function sqliteFts(): Engine {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE pop (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
    CREATE VIRTUAL TABLE titles USING fts5(title, year, tokenize = 'unicode61 remove_diacritics 2')`);
  const [, seconds] = timed(() =>
    db.transaction(() => {
      const title = db.prepare('INSERT INTO titles (rowid, title, year) VALUES (?, ?, ?)');
      const pop = db.prepare('INSERT INTO pop (id, n) VALUES (?, ?)');
      movies.forEach((m, i) => {
        title.run(i, m.title, String(m.year ?? ''));
        pop.run(i, popularity[i]);
      });
    })(),
  );
  const pages = db.prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'titles%'");
  const statement =
    db.prepare(`SELECT titles.rowid AS i FROM titles JOIN pop ON pop.id = titles.rowid
    WHERE titles MATCH ? ORDER BY pop.n DESC LIMIT ${PAGE}`);
  let size = '?';
  try {
    size = `${Math.round((pages.get() as { bytes: number }).bytes / 2 ** 20)} MB on disk`;
  } catch {
    // dbstat is an optional SQLite module.
  }
  return {
    name: 'SQLite FTS5 (unicode61, no diacritics)',
    buildSeconds: seconds,
    size,
    search(query) {
      const match = ftsQuery(query);
      return match === '' ? [] : (statement.all(match) as Array<{ i: number }>).map((r) => r.i);
    },
    async close() {
      db.close();
    },
  };
}

async function postgresTrigram(): Promise<Engine | string> {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
  } catch (error) {
    return `PostgreSQL not reachable at ${PG_URL} (${(error as Error).message})`;
  }
  const schema = `bench_search_${process.pid}`;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await client.query('CREATE EXTENSION IF NOT EXISTS unaccent');
  } catch (error) {
    await client.end();
    return `pg_trgm/unaccent not installed (${(error as Error).message})`;
  }
  await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public`);
  await client.query('CREATE TABLE titles (i int PRIMARY KEY, title text, n int, folded text)');
  const start = performance.now();
  for (let from = 0; from < movies.length; from += 5000) {
    const batch = [...movies.keys()].slice(from, from + 5000);
    await client.query(
      `INSERT INTO titles SELECT i, t, n, lower(unaccent(t || ' ' || coalesce(y::text, '')))
       FROM unnest($1::int[], $2::text[], $3::int[], $4::int[]) AS u(i, t, n, y)`,
      [
        batch,
        batch.map((i) => movies[i].title),
        batch.map((i) => popularity[i]),
        batch.map((i) => movies[i].year),
      ],
    );
  }
  await client.query('CREATE INDEX titles_trgm ON titles USING gin (folded gin_trgm_ops)');
  await client.query('ANALYZE titles');
  const seconds = (performance.now() - start) / 1000;
  const size = await client.query(`SELECT pg_relation_size('titles_trgm') AS bytes`);
  return {
    name: 'PostgreSQL pg_trgm + unaccent',
    buildSeconds: seconds,
    size: `${Math.round(Number(size.rows[0].bytes) / 2 ** 20)} MB index`,
    async search(query: string) {
      // Words similar to the query's (typos), or the query inside the title (as you type).
      const result = await client.query<{ i: number }>(
        `WITH q AS (SELECT lower(unaccent($1)) AS q)
         SELECT i FROM titles, q WHERE q.q <% folded OR folded LIKE '%' || q.q || '%'
         ORDER BY word_similarity(q.q, folded) DESC, n DESC LIMIT ${PAGE}`,
        [normalize(query)],
      );
      return result.rows.map((row) => row.i);
    },
    async close() {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

// ---- measuring --------------------------------------------------------------------------

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(engine: Engine) {
  for (const query of queries) await engine.search(query.text); // warm-up
  const rows = KINDS.map((kind) => {
    return { kind, times: [] as number[], hits: 0, total: 0 };
  });
  for (const query of queries) {
    const row = rows[KINDS.indexOf(query.kind)];
    const start = performance.now();
    const page = await engine.search(query.text);
    row.times.push(performance.now() - start);
    row.total++;
    if (page.includes(query.target)) row.hits++;
  }
  return rows.map(({ kind, times, hits, total }) => {
    times.sort((a, b) => a - b);
    return {
      kind,
      medianMs: quantile(times, 0.5),
      p99Ms: quantile(times, 0.99),
      hitRate: hits / total,
    };
  });
}

const results = [];
const notes: string[] = [];
const engines: Array<() => Engine | Promise<Engine | string>> = [
  substringScan,
  miniSearch,
  sqliteFts,
  postgresTrigram,
];
for (const make of engines) {
  const engine = await make();
  if (typeof engine === 'string') {
    notes.push(engine);
    continue;
  }
  const kinds = await measure(engine);
  await engine.close?.();
  results.push({
    engine: engine.name,
    buildSeconds: engine.buildSeconds,
    size: engine.size,
    kinds,
  });
}

const f = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
console.log(
  `\n${MOVIES.toLocaleString('en')} movies, ${queries.length} queries (${QUERIES} per kind), first page of ${PAGE}\n`,
);
console.log(
  '| engine | build s | index | ' +
    KINDS.map((k) => `${k}: median / p99 ms, hit@24`).join(' | ') +
    ' |',
);
console.log('| --- | --- | --- | ' + KINDS.map(() => '---').join(' | ') + ' |');
for (const r of results) {
  const cells = r.kinds.map(
    (k) => `${f(k.medianMs)} / ${f(k.p99Ms)}, ${Math.round(k.hitRate * 100)}%`,
  );
  console.log(`| ${r.engine} | ${r.buildSeconds.toFixed(2)} | ${r.size} | ${cells.join(' | ')} |`);
}
for (const note of notes) console.log(`\nnot measured: ${note}`);
mkdirSync(OUT, { recursive: true });
writeFileSync(
  `${OUT}search.json`,
  JSON.stringify(
    { movies: MOVIES, queriesPerKind: QUERIES, node: process.version, results, notes },
    null,
    2,
  ),
);
