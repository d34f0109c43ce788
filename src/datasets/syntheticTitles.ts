/**
 * Invented movie titles for the synthetic catalog (synthetic.ts): patterns over word lists, all
 * ISO-8859-1 so that ML-1M's movies.dat can hold them.
 */
import { Random } from '../util/random.ts';

/** Words for invented titles, separated by whitespace (or by commas for multi-word phrases). */
const words = (text: string, separator: RegExp = /\s+/): string[] => text.trim().split(separator);

const ADJECTIVES = words(`
  Silent Crimson Last Lost Broken Golden Midnight Wild Hidden Dark Electric Frozen Burning
  Little Lonely Savage Sweet Quiet Endless Distant Forgotten Restless Wicked Brave Velvet Hollow
  Iron Paper Glass Neon Scarlet Strange Final Happy Perfect Dangerous Blue Black White Silver
  Bitter Bright Cold Deadly Desperate Eternal Fallen Fatal Fearless Gentle Haunted Heavy Holy
  Hungry Invisible Jealous Lucky Naked Proud Reckless Royal Rusty Shattered Sleepless Stolen
  Tender Twisted Violent Wandering Young Northern Southern Atomic Cosmic Drunken Fragile Sacred
`);
/**
 * Nouns as singular/plural, spelled out: English plurals are not just "+s" (City/Cities,
 * Circus/Circuses, Thief/Thieves, Woman/Women).
 */
const NOUNS = words(`
  River/Rivers Kingdom/Kingdoms Road/Roads Heart/Hearts City/Cities Garden/Gardens Storm/Storms
  Mirror/Mirrors Promise/Promises Shadow/Shadows Harbor/Harbors Dream/Dreams Island/Islands
  Frontier/Frontiers Horizon/Horizons Letter/Letters Stranger/Strangers Machine/Machines
  Empire/Empires Voyage/Voyages Station/Stations Witness/Witnesses Game/Games Circus/Circuses
  Detective/Detectives Planet/Planets Orchard/Orchards Canyon/Canyons Diary/Diaries
  Affair/Affairs Mission/Missions Legend/Legends Wedding/Weddings Tide/Tides Hotel/Hotels
  Summer/Summers Winter/Winters Thief/Thieves Wolf/Wolves Knife/Knives Wife/Wives Life/Lives
  Leaf/Leaves Child/Children Man/Men Woman/Women Mouse/Mice Goose/Geese Hero/Heroes Echo/Echoes
  Volcano/Volcanoes Box/Boxes Fox/Foxes Kiss/Kisses Princess/Princesses Actress/Actresses
  Waltz/Waltzes Match/Matches Witch/Witches Church/Churches Bridge/Bridges Lady/Ladies
  Party/Parties Country/Countries Family/Families Enemy/Enemies Spy/Spies Story/Stories
  Valley/Valleys Journey/Journeys Monkey/Monkeys Key/Keys Cowboy/Cowboys Ghost/Ghosts
  Angel/Angels Soldier/Soldiers Sister/Sisters Brother/Brothers Daughter/Daughters
  Captain/Captains Doctor/Doctors Pilot/Pilots Dancer/Dancers Lover/Lovers Hunter/Hunters
  Secret/Secrets Song/Songs Night/Nights Desert/Deserts Ocean/Oceans Forest/Forests
  Mountain/Mountains Tower/Towers Castle/Castles Train/Trains Signal/Signals Comet/Comets
  Moon/Moons Star/Stars Crown/Crowns Sword/Swords Mask/Masks Rose/Roses Bird/Birds
  Horse/Horses Tiger/Tigers Dragon/Dragons Saint/Saints Sinner/Sinners Rebel/Rebels
  Exile/Exiles Giant/Giants Prophet/Prophets Memory/Memories Melody/Melodies Fantasy/Fantasies
  Odyssey/Odysseys Alibi/Alibis Tango/Tangos Piano/Pianos Radio/Radios Casino/Casinos
  Ranch/Ranches Beach/Beaches Lighthouse/Lighthouses Passenger/Passengers Sheriff/Sheriffs
  Chief/Chiefs Cliff/Cliffs Gentleman/Gentlemen Fisherman/Fishermen Crisis/Crises Oasis/Oases
  Bus/Buses Wish/Wishes Bullet/Bullets Badge/Badges Jury/Juries Alley/Alleys Galaxy/Galaxies
  Colony/Colonies Army/Armies Boy/Boys Girl/Girls Queen/Queens King/Kings
`).map((pair) => pair.split('/') as [singular: string, plural: string]);
/** First names that take a plain "'s" (none ends in s), some with ISO-8859-1 accents. */
const NAMES = words(`
  Johnny Maria Sam Eleanor Max Rosa Henry Lucy Oscar Vera Noël José Zoë Søren Chloé Renée André
  Björn Ingrid Amélie Raúl Joaquín Frida Hugo Clara Elena Felix Hannah Leo Mabel Nina Otto Ruby
  Simone Theo Walter Wanda Ada Ruth Ivan Jack Molly Frank Grace Harry Kate Ramón Françoise
`);
const PLACES = words(`
  Lisbon Berlin Vienna Paris Havana Tangier Marseille Zürich Málaga Göteborg Bogotá Kraków Malmö
  Montréal Québec Reykjavík Córdoba Tokyo Cairo Shanghai Brooklyn Chicago Memphis Nashville
  Tijuana Casablanca Istanbul Naples Venice Prague Budapest Odessa Dublin Glasgow Manhattan
  Alaska Texas Nevada Saigon Sevilla Duluth Minnesota
`);
const GERUNDS = words(`
  Finding Saving Chasing Loving Remembering Leaving Becoming Kissing Following Hunting Forgetting
  Trusting Seducing Meeting Missing Raising Burying Catching Stealing Watching
`);
/** Loanwords and foreign phrases, all ISO-8859-1 (so ML-1M's movies.dat can hold them). */
const FOREIGN = words(
  `Café, Déjà Vu, Señorita, Amour Fou, Château, Fräulein, Mañana, Coeur Brisé, Fiesta,
  Rendezvous, Femme Fatale, Belle Époque, Joie de Vivre, Doppelgänger, Wanderlust, Piñata,
  Fiancée, Protégé, Soirée, Cabaret, Bolero, Siesta, Vendetta, Dolce Vita, Débutante,
  Crème Brûlée, Tête-à-Tête, Naïveté, Niña`,
  /\s*,\s*/,
);
const SEQUELS = [' II', ' 2', ' 3: The Return', ' Returns', ' Forever', ' Reloaded', ': Part III'];

/**
 * Title patterns with their weights. Each pattern's first two words come from a large enough
 * space (or the pattern is rare enough) that no prefix dominates a catalog.
 */
const TITLE_PATTERNS: Array<
  [weight: number, invent: (pick: <T>(list: readonly T[]) => T) => string]
> = [
  [14, (pick) => `${pick(ADJECTIVES)} ${pick(NOUNS)[0]}`],
  [8, (pick) => `${pick(ADJECTIVES)} ${pick(NOUNS)[0]}, ${pick(['The', 'The', 'A'])}`],
  [8, (pick) => `${pick(ADJECTIVES)} ${pick(NOUNS)[1]}`],
  [7, (pick) => `${pick(NAMES)}'s ${pick(NOUNS)[0]}`],
  [6, (pick) => `${pick(PLACES)} ${pick(NOUNS)[1]}`],
  [6, (pick) => `${pick(GERUNDS)} ${pick(NAMES)}`],
  [5, (pick) => `${pick(ADJECTIVES)} ${pick(NOUNS)[0]}${pick(SEQUELS)}`],
  [5, (pick) => `${pick(ADJECTIVES)} ${pick(NOUNS)[0]}: A ${pick(NOUNS)[0]} Story`],
  [5, (pick) => `${pick(NOUNS)[1]} of ${pick(PLACES)}`],
  [4, (pick) => `${pick(NOUNS)[0]} of the ${pick(ADJECTIVES)} ${pick(NOUNS)[1]}`],
  [4, (pick) => pair(pick(NOUNS)[0], pick(NOUNS)[0], (a, b) => `${a} and the ${b}, The`)],
  [4, (pick) => `${pick(NOUNS)[0]} from ${pick(PLACES)}, The`],
  [4, (pick) => `${pick(ADJECTIVES)} ${pick(FOREIGN)}`],
  [3, (pick) => `${pick(NOUNS)[0]} in ${pick(PLACES)}`],
  [2, (pick) => `${pick(NAMES)} and the ${pick(ADJECTIVES)} ${pick(NOUNS)[0]}`],
  [3, (pick) => `${pick(NAMES)}'s ${pick(ADJECTIVES)} ${pick(NOUNS)[1]}`],
  [2, (pick) => `${pick(FOREIGN)} in ${pick(PLACES)}`],
  [1, (pick) => pick(FOREIGN)],
  [1, (pick) => pick(NOUNS)[1]],
];
/** Two different words in a pattern, or '' (drawn again) when both draws gave the same word. */
const pair = (a: string, b: string, join: (a: string, b: string) => string): string =>
  a === b ? '' : join(a, b);
const TITLE_WEIGHTS = TITLE_PATTERNS.map(([weight]) => weight);
const ROMAN = ['II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];

/**
 * `count` distinct titles from their own stream (derived from the seed), so the titles can
 * change without changing the ratings. A title already taken is drawn again, and after a few
 * tries becomes a sequel ("…: Part II"), so every title is unique within the catalog.
 */
export function inventTitles(count: number, seed: number): string[] {
  const random = new Random((Math.imul(seed, 0x2c1b3c6d) ^ 0x5eed71e5) >>> 0);
  const pick = <T>(list: readonly T[]): T => list[random.int(list.length)];
  const taken = new Set<string>();
  const titles: string[] = [];
  for (let i = 0; i < count; i++) {
    let title = '';
    for (let attempt = 0; title === '' || (attempt < 8 && taken.has(title)); attempt++)
      title = TITLE_PATTERNS[random.weighted(TITLE_WEIGHTS)][1](pick);
    const original = title;
    for (let part = 0; taken.has(title); part++) title = sequel(original, part);
    taken.add(title);
    titles.push(title);
  }
  return titles;
}

/** "Silent River, The" as its part-th sequel: "Silent River: Part II, The". */
function sequel(title: string, part: number): string {
  const article = /, (The|A)$/.exec(title);
  const base = article ? title.slice(0, article.index) : title;
  const number = part < ROMAN.length ? ROMAN[part] : String(part + 2);
  return `${base}: Part ${number}${article ? article[0] : ''}`;
}
