/**
 * Title search over the catalog: MiniSearch's inverted index (a radix tree of folded title words
 * and years, searched by prefix and by edit distance) beside the in-memory catalog, built with
 * it. Every query word must match; the last one may be a prefix (search as you type). When no
 * title matches, typos are forgiven and the corrected query is offered as "did you mean".
 * Measurements and the choice against the databases' full-text search: README, "Search".
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import type { CatalogMovie } from './catalog.ts';
import {
  ARTICLES,
  normalize,
  queryWords,
  titleForms,
  titleWords,
  typoDistance,
} from './titleText.ts';

export interface SearchHits {
  /** Catalog indexes, best match first. */
  indexes: number[];
  /** The query with its typos corrected, when only the typo-forgiving search found titles. */
  didYouMean: string | null;
}

/** Longer queries are not searched with typos: each word multiplies the work. */
const MAX_TYPO_WORDS = 6;

/** Edits forgiven in a query word: 1 in 3 letters, 2 from 4 letters; none in numbers (years). */
function typoAllowance(word: string): number | false {
  if (/^\d+$/.test(word)) return false;
  return word.length === 3 ? 1 : 2;
}

/**
 * Words left to the titles' readings rather than the index: articles and other little words are
 * in a third of all titles, and a word of one or two letters (as typing starts) is the prefix
 * of thousands; the index would list all of those titles only for the other words to discard.
 */
const COMMON_WORDS = new Set([...ARTICLES, 'of', 'and', 'in']);
const isCommon = (word: string) => word.length <= 2 || COMMON_WORDS.has(word);

interface TitleDocument {
  id: number;
  /** The title's words (titleWords), separated by spaces. */
  words: string;
  year: string;
}

const NO_HITS: SearchHits = { indexes: [], didYouMean: null };

/** Bits of a sort key (a float64 holds 53 exactly): cost, popularity, catalog index. */
const INDEX_BITS = 2 ** 21;
const POPULARITY_BITS = 2 ** 28;

export class MovieSearch {
  private readonly engine: MiniSearch<TitleDocument>;
  /** Normalized readings of each title (see titleForms), for ranking. */
  private readonly forms: string[][];
  /** Per title, its readings' words, each after a space: ' the godfather godfather the'. */
  private readonly wordStarts: string[];

  constructor(private readonly movies: readonly CatalogMovie[]) {
    if (movies.length > INDEX_BITS) throw new RangeError(`over ${INDEX_BITS} movies to search`);
    this.engine = new MiniSearch<TitleDocument>({
      fields: ['words', 'year'],
      tokenize: (words) => (words === '' ? [] : words.split(' ')),
      processTerm: (word) => word,
      searchOptions: { tokenize: queryWords, processTerm: (word) => word, combineWith: 'AND' },
    });
    this.forms = movies.map((movie) => titleForms(movie.title));
    this.wordStarts = this.forms.map((forms) => ` ${forms.join(' ')}`);
    this.engine.addAll(
      movies.map((movie, id) => ({
        id,
        words: titleWords(movie.title, this.forms[id]).join(' '),
        year: String(movie.year ?? ''),
      })),
    );
  }

  /**
   * Movies matching `query`: titles that read exactly as the query first, then titles that
   * start with it, then the other matches; `popularity` (by catalog index) breaks ties.
   * A query without letters or digits finds nothing.
   */
  find(query: string, popularity: ArrayLike<number>): SearchHits {
    const words = queryWords(query);
    if (words.length === 0) return NO_HITS;
    const text = words.join(' ');
    const indexed = words.filter((word) => !isCommon(word));
    const common = words.filter(isCommon);
    // The last word may be unfinished (search as you type).
    const lastIndexed = !isCommon(words[words.length - 1]);
    const matches = this.withCommonWords(
      indexed.length === 0 ? null : this.indexMatches(indexed, lastIndexed, false),
      common,
    );
    if (matches.length > 0) {
      const ids = matches.map((match) => match.id as number);
      const tiers = ids.map((id) => this.tier(id, text));
      return { indexes: rank(ids, tiers, popularity), didYouMean: null };
    }
    if (indexed.length === 0 || words.length > MAX_TYPO_WORDS) return NO_HITS;
    const nearMatches = this.withCommonWords(
      this.indexMatches(indexed, lastIndexed, true),
      common,
    ) as SearchResult[];
    if (nearMatches.length === 0) return NO_HITS;
    const typos = new TypoCosts(indexed, lastIndexed);
    const ids = nearMatches.map((match) => match.id as number);
    const indexes = rank(
      ids,
      nearMatches.map((match) => typos.of(match.terms)),
      popularity,
    );
    const meant = typos.nearest(nearMatches[ids.indexOf(indexes[0])].terms);
    const corrected = words.map((word) => (isCommon(word) ? null : meant.shift()!));
    return { indexes, didYouMean: this.correction(words, corrected, indexes[0]) };
  }

  /** Titles with every word (with typos if asked); only the last word may be a prefix. */
  private indexMatches(words: string[], lastIsPrefix: boolean, typos: boolean): SearchResult[] {
    const prefix = (_word: string, k: number, all: string[]) =>
      lastIsPrefix && k === all.length - 1;
    return this.engine.search(words.join(' '), { prefix, fuzzy: typos && typoAllowance });
  }

  /** Of `matches` (null: every movie), those whose readings have words starting so. */
  private withCommonWords(
    matches: SearchResult[] | null,
    common: string[],
  ): Array<{ id: number } | SearchResult> {
    const starts = common.map((word) => ` ${word}`);
    const hasAll = (id: number) => starts.every((start) => this.wordStarts[id].includes(start));
    if (matches) return starts.length === 0 ? matches : matches.filter((m) => hasAll(m.id));
    const found: Array<{ id: number }> = [];
    for (let id = 0; id < this.movies.length; id++) if (hasAll(id)) found.push({ id });
    return found;
  }

  /** 0: a reading of the title is the query; 1: one starts with it; 2: the words match. */
  private tier(id: number, text: string): number {
    const year = this.movies[id].year;
    let tier = 2;
    for (const form of this.forms[id]) {
      if (form === text) return 0;
      if (form.startsWith(text)) tier = 1;
      else if (year !== null && text.startsWith(form)) {
        const withYear = `${form} ${year}`;
        if (withYear === text) return 0;
        if (withYear.startsWith(text)) tier = 1;
      }
    }
    return tier;
  }

  /** The query with each mistyped word replaced by the word of the title it meant, as spelled there. */
  private correction(words: string[], meant: Array<string | null>, index: number): string | null {
    const spelled = new Map<string, string>();
    for (const word of this.movies[index].title.split(/\s+/))
      spelled.set(normalize(word), word.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ''));
    const corrected = words.map((word, k) => {
      const term = meant[k];
      return term === null ? word : (spelled.get(term) ?? term);
    });
    return corrected.some((word, k) => word !== words[k]) ? corrected.join(' ') : null;
  }
}

/**
 * Catalog indexes by cost (lower first), popularity (higher first), index: each packed into
 * one number so that a native numeric sort orders tens of thousands of matches quickly.
 */
function rank(ids: number[], costs: number[], popularity: ArrayLike<number>): number[] {
  const keys = new Float64Array(ids.length);
  ids.forEach((id, k) => {
    const unpopularity = POPULARITY_BITS - 1 - Math.min(popularity[id], POPULARITY_BITS - 1);
    keys[k] = (costs[k] * POPULARITY_BITS + unpopularity) * INDEX_BITS + id;
  });
  keys.sort();
  return Array.from(keys, (key) => key % INDEX_BITS);
}

/**
 * How far a near match is from the query: for each query word, the typo distance to the closest
 * title word the index matched it to (a prefix of the last word costs nothing).
 */
class TypoCosts {
  private readonly distances = new Map<string, number>();

  constructor(
    private readonly words: string[],
    private readonly lastIsPrefix: boolean,
  ) {}

  of(terms: readonly string[]): number {
    let total = 0;
    for (let k = 0; k < this.words.length; k++) total += this.closest(k, terms).distance;
    return total;
  }

  /** Per query word, the title word it was corrected to (null: typed right or a prefix). */
  nearest(terms: readonly string[]): Array<string | null> {
    return this.words.map((_, k) => {
      const { term, distance } = this.closest(k, terms);
      return distance === 0 ? null : term;
    });
  }

  private closest(k: number, terms: readonly string[]): { term: string; distance: number } {
    let best = { term: this.words[k], distance: Infinity };
    for (const term of terms) {
      const distance = this.distance(k, term);
      if (distance < best.distance) best = { term, distance };
    }
    return best;
  }

  private distance(k: number, term: string): number {
    const word = this.words[k];
    const key = `${k} ${term}`;
    let distance = this.distances.get(key);
    if (distance === undefined) {
      const isPrefix = this.lastIsPrefix && k === this.words.length - 1 && term.startsWith(word);
      distance = isPrefix ? 0 : typoDistance(word, term);
      this.distances.set(key, distance);
    }
    return distance;
  }
}
