/**
 * How movie titles and queries are compared: accents and case folded away ('Misérables' →
 * 'miserables'), apostrophes dropped ("Schindler's" → 'schindlers'), and MovieLens's
 * 'Title, The' article order read both ways ('Godfather, The' is also 'the godfather').
 */

/** Letters that Unicode decomposition leaves alone but a reader takes for plain ones. */
const LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};
const SPECIAL_LETTERS = new RegExp(`[${Object.keys(LETTERS).join('')}]`, 'g');
const APOSTROPHES = /['’`´]/g;
const HAS_APOSTROPHE = /['’`´]/;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * Articles MovieLens moves to the end of a title ('Misérables, Les', 'Auberge espagnole, L'').
 * English, French, Spanish, Italian, Portuguese, German, Dutch and Scandinavian.
 */
export const ARTICLES = new Set(
  'the a an les le la l los las el lo il gli i un une uno una o os as die der das den det de het een ein eine'.split(
    ' ',
  ),
);
const TRAILING_ARTICLE = /^(.+), ([\p{L}]+'?)$/u;

/** Lower case, without accents or ligatures: 'Amélie' → 'amelie', 'Straße' → 'strasse'. */
export function fold(text: string): string {
  if (PLAIN_ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(SPECIAL_LETTERS, (letter) => LETTERS[letter]);
}

/** Folded words separated by single spaces: "Schindler's List!" → 'schindlers list'. */
export function normalize(text: string): string {
  return fold(text).replace(APOSTROPHES, '').replace(NOT_WORD, ' ').trim();
}

/** The words a query searches for. */
export function queryWords(query: string): string[] {
  const text = normalize(query);
  return text === '' ? [] : text.split(' ');
}

/**
 * The words a title is found by: those of its readings (so "Auberge espagnole, L'" is found by
 * 'lauberge') and, for words with an apostrophe, their parts ("L'auberge" → 'l', 'auberge').
 */
export function titleWords(title: string, forms = titleForms(title)): string[] {
  const words = new Set<string>();
  for (const form of forms) for (const word of form.split(' ')) words.add(word);
  if (HAS_APOSTROPHE.test(title)) {
    for (const word of fold(title).replace(NOT_WORD, ' ').trim().split(' ')) words.add(word);
  }
  words.delete('');
  return [...words];
}

/** 'Godfather, The' → 'The Godfather'; "Auberge espagnole, L'" → "L'Auberge espagnole". */
function articleFirst(title: string): string | null {
  const match = TRAILING_ARTICLE.exec(title);
  if (!match || !ARTICLES.has(normalize(match[2]))) return null;
  const [, rest, article] = match;
  return article.endsWith("'") ? `${article}${rest}` : `${article} ${rest}`;
}

/**
 * The normalized ways a title reads, for exact and prefix ranking: as written and with its
 * article in front, for the main title and for each alternative title in parentheses
 * ('City of Lost Children, The (Cité des enfants perdus, La)').
 */
export function titleForms(title: string): string[] {
  const open = title.indexOf(' (');
  const parts = [open < 0 ? title : title.slice(0, open)];
  for (const match of title.slice(Math.max(open, 0)).matchAll(/\(([^()]+)\)/g)) {
    parts.push(match[1].replace(/^a\.k\.a\.\s*/i, ''));
  }
  const forms = new Set<string>();
  for (const part of parts) {
    forms.add(normalize(part));
    const moved = articleFirst(part.trim());
    if (moved) forms.add(normalize(moved));
  }
  forms.delete('');
  return [...forms];
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit ('wras' → 'wars' is 1),
 * the commonest typo (optimal string alignment distance).
 */
export function typoDistance(a: string, b: string): number {
  const width = b.length + 1;
  let before = new Array<number>(width).fill(0);
  let previous = Array.from({ length: width }, (_, j) => j);
  let current = new Array<number>(width).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, before[j - 2] + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}
