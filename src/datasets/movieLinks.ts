/**
 * Links from a movie to IMDb and TMDb. Only ids are kept (and, for ML-100K, the title an IMDb
 * search URL asked for), never a URL from the data: the site builds every link itself on a fixed
 * https host, so a hostile catalog cannot make a movie page point anywhere else.
 */

export interface MovieLinks {
  /** IMDb's numeric title id (tt0114709 → 114709). */
  imdbId: number | null;
  tmdbId: number | null;
  /** The title an IMDb search URL of the data asked for (ML-100K's u.item), when it has no id. */
  imdbSearch: string | null;
}

/** Hosts a link in the data may name for IMDb (ML-100K says us.imdb.com). */
function isImdbHost(hostname: string): boolean {
  return hostname === 'imdb.com' || hostname.endsWith('.imdb.com');
}

/**
 * What an IMDb URL of the data says, or null when it is not an http(s) URL on imdb.com: a title
 * id (…/title/tt0114709/) or the title of a search (…/M/title-exact?Toy%20Story%20(1995)).
 */
export function parseImdbUrl(raw: string): MovieLinks | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !isImdbHost(url.hostname))
    return null;
  const title = /^\/title\/tt(\d{1,10})\/?$/.exec(url.pathname);
  if (title) return { imdbId: Number(title[1]), tmdbId: null, imdbSearch: null };
  let search: string;
  try {
    search = decodeURIComponent(url.search.slice(1).replaceAll('+', ' ')).trim();
  } catch {
    return null;
  }
  if (search === '' || search.length > 300) return null;
  return { imdbId: null, tmdbId: null, imdbSearch: search };
}

/** An id column of links.csv: empty → null; otherwise a positive whole number, or undefined. */
export function parseLinkId(text: string): number | null | undefined {
  if (text === '') return null;
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const id = Number(text);
  return id > 0 && id <= 2 ** 31 - 1 ? id : undefined;
}

/** IMDb ids are written zero-padded to 7 digits (links.csv, tt-URLs). */
export function formatImdbId(imdbId: number): string {
  return String(imdbId).padStart(7, '0');
}

export interface MovieLinkUrls {
  imdb: string | null;
  tmdb: string | null;
}

/** The links a movie page shows, built on fixed hosts from ids (or a search title). */
export function movieLinkUrls(links: MovieLinks | undefined): MovieLinkUrls {
  if (!links) return { imdb: null, tmdb: null };
  const imdb =
    links.imdbId !== null
      ? `https://www.imdb.com/title/tt${formatImdbId(links.imdbId)}/`
      : links.imdbSearch !== null
        ? `https://www.imdb.com/find/?q=${encodeURIComponent(links.imdbSearch)}&s=tt`
        : null;
  const tmdb = links.tmdbId !== null ? `https://www.themoviedb.org/movie/${links.tmdbId}` : null;
  return { imdb, tmdb };
}
