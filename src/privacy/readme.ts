/**
 * The README of a release, generated from the data in the style of the MovieLens 1M README:
 * counts, formats, field meanings, licence and citation, and the policy that was applied.
 */
import { ML1M_OCCUPATIONS, type Dataset, type RatingScale } from '../datasets/dataset.ts';
import { COARSE_AGE_GROUPS, OCCUPATION_GROUPS } from './demographics.ts';
import { describePolicy } from './policy.ts';
import { appliedRatings, type TasteChoice } from './tasteChoice.ts';
import { REDACTED_EMAIL, surveyFileName } from './releaseSurveys.ts';
import {
  FIRM_ORDER,
  LEADERBOARD_MEMBERS,
  reorderedByMetric,
  unsettledByMetric,
  type ResearchUtility,
} from './leaderboard.ts';
import { BOOTSTRAP_DRAWS } from './pairOrder.ts';
import type { PrivacyReport, ReleaseFormat } from './report.ts';
import type { ScoreboardOutcome } from './scoreboard.ts';

const RULE = '='.repeat(80);

function section(title: string, body: string[]): string[] {
  return [title, RULE, '', ...body, ''];
}

const AGE_LABELS: Record<number, string> = {
  1: 'Under 18',
  18: '18-24',
  25: '25-34',
  35: '35-44',
  45: '45-49',
  50: '50-55',
  56: '56+',
};
const COARSE_LABELS: Record<number, string> = {
  1: 'Under 18',
  18: '18-34',
  35: '35-49',
  50: '50+',
};

/** The numbers a README states, so tests can compare them with the files. */
export interface ReadmeCounts {
  ratings: number;
  users: number;
  movies: number;
}

export function readmeCounts(dataset: Dataset): ReadmeCounts {
  return {
    ratings: dataset.ratings.length,
    users: dataset.ratings.userIds.size,
    movies: dataset.movies.length,
  };
}

const TASTE_MODEL_NAMES: Record<string, string> = { als: 'ALS', 'item-knn': 'item-kNN' };
const tasteModelName = (model: string) => TASTE_MODEL_NAMES[model] ?? model;

/** The chosen taste model and every candidate's held-out RMSE: "item-kNN (RMSE 0.9284; ALS 0.9423)". */
export function describeTasteChoice(choice: TasteChoice): string {
  const rmse = (k: number) => choice.candidates[k].heldOutRmse.toFixed(4);
  const others = choice.candidates
    .map((other, k) => `${tasteModelName(other.plausibility)} ${rmse(k)}`)
    .filter((_, k) => k !== choice.chosen);
  const chosen = tasteModelName(choice.candidates[choice.chosen].plausibility);
  return `${chosen} (held-out RMSE ${rmse(choice.chosen)}; ${others.join(', ')})`;
}

/** What the policy did to the ratings, in plain words (empty for an untouched release). */
function ratingNotes(report: PrivacyReport, scale: RatingScale): string[] {
  const policy = report.policy;
  const summary = report.summary;
  if (!policy || !summary) return [];
  const notes: string[] = [];
  const r = appliedRatings(policy, summary.tasteChoice);
  if (policy.utility.holdout > 0) {
    notes.push(
      `- ${Math.round(policy.utility.holdout * 100)}% of each member's ratings were held back (not released) to measure utility`,
    );
  }
  if (summary.withheldPublicRatings > 0) {
    notes.push(
      `- ${summary.withheldPublicRatings} ratings that the site shows anyone (members' shared ratings, and movies they named in board posts) were left out: anyone could copy them and look for them here`,
    );
  }
  if (r.swap.enabled && summary.swap) {
    const chosen = summary.calibration.at(-1);
    const share = chosen?.popularShare ?? r.swap.popularShare;
    const popularSigma = chosen?.popularSigma ?? r.swap.popularSigma;
    const popularMoves =
      popularSigma > 0
        ? "were shuffled among the group's raters of each (each value to a rater whose taste it fits)"
        : r.swap.popularMove === 'cycle'
          ? "moved along a random cycle of the group's members (each rater of a movie took the value of the next rater of it, so a member's values went mostly together to one neighbour)"
          : "were shuffled among the group's raters of each";
    notes.push(
      `- Ratings were swapped within ${summary.swap.groups} groups of about ${r.swap.groupSize} members with similar tastes: the ratings of movies rated by fewer than ${Math.round(share * 100)}% of the members were pooled in each group and dealt back (each member getting as many as it gave, each rating to a member whose taste it fits${r.swap.plausibility === 'als' ? '' : ` by ${tasteModelName(r.swap.plausibility)}'s predictions`}, with one of that member's own dates)${r.swap.shufflePopular ? `, and the values of the other movies' ratings ${popularMoves}` : ''}. ${summary.swap.movedRatings} ratings moved to another member; ${summary.swap.droppedRatings} could not be dealt and were left out.`,
      ...(summary.tasteChoice
        ? [
            `- The swap's taste model was chosen by the data: ${describeTasteChoice(summary.tasteChoice)} predicted a held-out tenth of these members' ratings best among the policy's models. A swap deals each rating to a member its model expects to have given it, so the data leans towards that model; the model nearest the true data leans it least, which keeps algorithms in their true order.`,
          ]
        : []),
      `- So records hold ratings their member never made: on average ${Math.round(summary.ownShare.mean * 100)}% of a record is its member's own (movie and value), and for one member in ten ${Math.round(summary.ownShare.p10 * 100)}% or less. Every movie keeps its ratings' values as its raters gave them (less those left out), and each record stays close to its member's taste, so popularity and item statistics are sound, and algorithms compare on it as the leaderboard under Research utility shows (it names every pair this release orders otherwise than the true data); studies of individual members (a member's history, sessions, time order, demographics against ratings) are not: a record is a member of a group of similar members, not one person.`,
    );
  }
  if (r.sampleFraction < 1 || r.maxPerUser !== null) {
    notes.push(
      `- A random ${Math.round(r.sampleFraction * 100)}% of each member's other ratings is released${r.maxPerUser !== null ? ` (at most ${r.maxPerUser})` : ''}`,
    );
  }
  if (r.minMovieRaters > 1)
    notes.push(
      `- Movies with fewer than ${r.minMovieRaters} raters were left out (${summary.suppressedMovies} movies)`,
    );
  if (r.perturbation.probability > 0) {
    const how =
      r.perturbation.method === 'step'
        ? `moved one ${scale.step === 1 ? 'star' : 'half star'} up or down`
        : 'replaced by a random rating';
    notes.push(
      `- Each rating was ${how} with probability ${r.perturbation.probability} (${summary.perturbedRatings} ratings)`,
    );
  }
  if (summary.riskReducedUsers > 0 || summary.riskSuppressedUsers > 0) {
    notes.push(
      `- ${summary.riskReducedUsers} members at high re-identification risk had ratings removed; ${summary.riskSuppressedUsers} were left out`,
    );
  }
  return notes;
}

const scoreboardLine = (o: ScoreboardOutcome) =>
  `    ${o.name.padEnd(22)} re-identified ${(o.reidentified * 100).toFixed(1)}%, wrong match ${(o.wrongMatch * 100).toFixed(1)}% (holding ${(o.wrongMatchHeld * 100).toFixed(0)}%)`;

/** The leaderboard on this release against the untransformed data, as a fixed-width table. */
function researchUtilityLines(r: ResearchUtility): string[] {
  const score = (value: number | null) => (value === null ? '-' : value.toFixed(4)).padStart(8);
  const error = (value: number | null) =>
    (value === null ? '-' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`).padStart(8);
  const tau = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(2));
  return [
    'Research utility: a fixed leaderboard run on this release and on the untransformed ratings of',
    `the same ${r.members} members (every one up to ${LEADERBOARD_MEMBERS.toLocaleString('en')}; the ${r.movies} movies they rated most;`,
    "20% of each member's ratings held out): RMSE (rating predictors) and nDCG@10 (all).",
    `    ${'algorithm'.padEnd(10)}${'RMSE'.padStart(8)}${'(true)'.padStart(8)}${'error'.padStart(8)}${'nDCG@10'.padStart(8)}${'(true)'.padStart(8)}${'error'.padStart(8)}`,
    ...r.algorithms.map(
      (row) =>
        `    ${row.algorithm.padEnd(10)}${score(row.released.rmse)}${score(row.untransformed.rmse)}${error(row.relativeError.rmse)}${score(row.released.ndcgAt10)}${score(row.untransformed.ndcgAt10)}${error(row.relativeError.ndcgAt10)}`,
    ),
    `Same order of the algorithms (Kendall tau-b, 1 = same): RMSE ${tau(r.tau.rmse)}, nDCG@10 ${tau(r.tau.ndcgAt10)}.`,
    ...reorderedByMetric(r).map(({ name, pairs }) =>
      pairs.length === 0
        ? `${name}: every pair in the true order.`
        : `${name}: in another order than on the true data, so not to be compared on this release: ${pairs.join('; ')}.`,
    ),
    ...unsettledLines(r),
  ];
}

/**
 * The pairs the true data itself orders only by the luck of the test sample (a paired bootstrap
 * over the leaderboard's members), so that a reader weighs a reordered pair by how firm it was.
 */
function unsettledLines(r: ResearchUtility): string[] {
  if (!r.pairs) return [];
  return [
    `How firmly the true data orders each pair: in ${BOOTSTRAP_DRAWS} resamples of the members, a pair held in fewer than ${FIRM_ORDER * 100}% is within the test sample's noise.`,
    ...unsettledByMetric(r).map(({ name, pairs }) =>
      pairs.length === 0
        ? `${name}: every pair firm on the true data.`
        : `${name}: not firm on the true data: ${pairs.join('; ')}.`,
    ),
  ];
}

/** What the release says about tags: none unless the policy released them, and how. */
function tagNotes(dataset: Dataset, report: PrivacyReport, format: ReleaseFormat): string[] {
  if (!report.policy?.tags.release || !dataset.tags)
    return [
      'No tags are released: the policy keeps the text members wrote private (tags.release: false).',
    ];
  const file =
    format === 'ml-1m'
      ? '"tags.dat" as UserID::MovieID::Tag::Timestamp (ISO-8859-1)'
      : '"tags.csv" as userId,movieId,tag,timestamp (tags quoted when they hold commas; UTF-8)';
  return [
    `${dataset.tags.length} tags are in ${file}.`,
    '',
    '- Only tags of members who agreed to research use, and only on movies whose rating by the',
    '  same member is in this release; UserIDs are the same pseudonyms as in the ratings',
    '- A tag is dated like that rating (the same shift and truncation of its timestamp)',
    `- No usernames; tags that looked like an e-mail address were dropped (${report.summary?.droppedTags ?? 0})`,
    '- Tags are text members wrote: they are shown as written, trimmed and NFKC-normalized',
  ];
}

const KIND_TEXT = {
  single: 'one choice',
  multiple: 'choices',
  scale: 'scale 1-5',
  text: 'free text',
  movies: 'rate these movies, 1-5',
} as const;

/** What the release says about survey answers: none unless the policy released them, and how. */
function surveyNotes(dataset: Dataset, report: PrivacyReport): string[] {
  if (!report.policy?.surveys.release)
    return [
      'No survey answers are released: the policy keeps what members told researchers private',
      '(surveys.release: false).',
    ];
  const surveys = dataset.surveys ?? [];
  const counts = report.summary?.surveys ?? [];
  if (surveys.length === 0)
    return [
      'The policy releases survey answers (surveys.release: true), but no closed survey whose',
      'privacy statement allows a release has answers of members in this release.',
    ];
  const lines: string[] = [];
  for (const survey of surveys) {
    const count = counts.find((c) => c.surveyId === survey.id);
    lines.push(
      `"${surveyFileName(survey.id)}": survey ${survey.id}, "${survey.title}": ${count?.answers ?? 0} answers by ${survey.responses.length} members.`,
    );
    for (const question of survey.questions) {
      lines.push(`    ${question.id} (${KIND_TEXT[question.kind]}): ${question.prompt}`);
      if (question.options)
        lines.push(`        choices: ${question.options.map((o) => `"${o}"`).join(', ')}`);
      if (question.movieIds)
        lines.push(`        MovieIDs in this release: ${question.movieIds.join(', ') || 'none'}`);
    }
    lines.push('');
  }
  const redacted = counts.reduce((sum, c) => sum + c.redactedEmails, 0);
  const dropped = counts.reduce((sum, c) => sum + c.droppedMovieRatings, 0);
  return [
    ...lines,
    'Each file is userId,questionId,item,answer (one header line; UTF-8; a field is quoted when it',
    'holds a comma, a quote or a line break). Both formats use CSV: free-text answers may hold line',
    'breaks, "::" and characters that ISO-8859-1 cannot encode, which a .dat file cannot carry.',
    '',
    '- A choice: item is the choice, answer 1 (one row per choice made); a scale: answer 1-5;',
    '  free text: the answer; rate these movies: item is the MovieID, answer the rating 1-5',
    '- Only surveys whose privacy statement said the answers may be released, and only once they',
    '  closed (no member can withdraw any more); withdrawn answers are deleted and never released',
    '- Only members who agreed to research use and are in this release; userIds are the same',
    '  pseudonyms as in the ratings; no usernames, no dates',
    `- E-mail addresses in free text were replaced by "${REDACTED_EMAIL}" (${redacted})`,
    `- Ratings of movies this release does not keep were left out (${dropped}); survey ratings are`,
    '  as the member gave them (not sampled or perturbed), and the re-identification audit above',
    '  does not use the answers',
  ];
}

export function generateReadme(
  dataset: Dataset,
  report: PrivacyReport,
  format: ReleaseFormat,
): string {
  const counts = readmeCounts(dataset);
  const policy = report.policy;
  const levels = report.kAnonymity?.levels;
  const lines: string[] = [];
  lines.push('SUMMARY', RULE, '');
  lines.push(
    `This dataset contains ${counts.ratings} anonymous ratings of ${counts.movies} movies made by ${counts.users}`,
    'lenslab members who agreed to research use of their ratings.',
    '',
    `Counts: ratings: ${counts.ratings}; users: ${counts.users}; movies: ${counts.movies}.`,
    '',
    'Members who declined research use, and members with fewer than',
    `${policy?.minRatings ?? 20} ratings, are left out. Each user is identified by a pseudonym drawn at random`,
    'for this release only; no other information about members is included. Movie ids are',
    "lenslab's public movie ids. The release was transformed by the anonymization policy below",
    'and audited by a re-identification attack (see privacy-report.html) before it was published.',
    '',
  );
  lines.push(
    ...section('USAGE LICENSE', [
      'Neither lenslab nor any of its contributors guarantee the accuracy of the data, its',
      'suitability for any purpose, or the validity of results based on it. The data may be used',
      'for research purposes under the following conditions:',
      '',
      '    * The user may not state or imply any endorsement from lenslab.',
      '    * The user must acknowledge the use of the data set in publications resulting from',
      '      its use by citing the work below.',
      '    * The user may not redistribute the data without separate permission.',
      '    * The user may not use this information for any commercial or revenue-bearing purposes',
      '      without first obtaining permission from the data owner.',
      '    * The user may not attempt to re-identify any member in the data.',
    ]),
  );
  lines.push(
    ...section('CITATION', [
      'To acknowledge use of the dataset in publications, please cite:',
      '',
      `    lenslab research release (seed ${report.seed ?? 'n/a'}, policy "${policy?.name ?? 'n/a'}"),`,
      `    ${counts.ratings} ratings by ${counts.users} users of ${counts.movies} movies.`,
    ]),
  );
  if (format === 'ml-1m') {
    const timeText =
      !policy || policy.time.drop
        ? '- Timestamps were dropped: every Timestamp is 0'
        : `- Timestamp is represented in seconds since the epoch (UTC)${policy.time.granularity !== 'second' ? `, truncated to the ${policy.time.granularity}` : ''}${policy.time.shiftDays > 0 ? `,\n  after shifting each user's dates by one random offset of up to ${policy.time.shiftDays} days` : ''}`;
    lines.push(
      ...section('RATINGS FILE DESCRIPTION', [
        'All ratings are contained in the file "ratings.dat" and are in the following format:',
        '',
        'UserID::MovieID::Rating::Timestamp',
        '',
        `- UserIDs range between 1 and ${counts.users}`,
        '- MovieIDs are lenslab movie ids',
        `- Ratings are made on a ${dataset.scale.min}-${dataset.scale.max} star scale${dataset.scale.step === 1 ? ' (whole-star ratings only)' : ', with half-star increments'}`,
        timeText,
        `- Each line is one rating; the file holds ${counts.ratings} lines, sorted by user then movie`,
        ...ratingNotes(report, dataset.scale),
      ]),
    );
    const ageLines =
      levels?.age === 'none'
        ? ['- Age is not released (empty)']
        : levels?.age === 'coarse'
          ? [
              '- Age is chosen from the following ranges:',
              '',
              ...COARSE_AGE_GROUPS.map(
                (age) => `\t* ${String(age).padStart(2)}:  "${COARSE_LABELS[age]}"`,
              ),
            ]
          : [
              '- Age is chosen from the following ranges:',
              '',
              ...Object.entries(AGE_LABELS).map(
                ([age, label]) => `\t* ${age.padStart(2)}:  "${label}"`,
              ),
            ];
    const occupationLines =
      levels?.occupation === 'none'
        ? ['- Occupation is not released (empty)']
        : levels?.occupation === 'grouped'
          ? [
              '- Occupation is one of these groups, written as the code of its first member:',
              '',
              ...OCCUPATION_GROUPS.map(
                (group) =>
                  `\t* ${String(group.codes[0]).padStart(2)}:  "${group.name}" (${group.codes.join(', ')})`,
              ),
            ]
          : [
              '- Occupation is chosen from the following choices:',
              '',
              ...ML1M_OCCUPATIONS.map(
                (name, code) => `\t* ${String(code).padStart(2)}:  "${name}"`,
              ),
            ];
    const zipText: Record<string, string> = {
      full: '- Zip-code is the zip code the member gave',
      '3-digit': '- Zip-code is the first 3 characters of the zip code the member gave',
      region: '- Zip-code is the first character of the zip code (the region)',
      none: '- Zip-code is not released (empty)',
    };
    lines.push(
      ...section('USERS FILE DESCRIPTION', [
        'User information is in the file "users.dat" and is in the following format:',
        '',
        'UserID::Gender::Age::Occupation::Zip-code',
        '',
        'All demographic information is provided voluntarily by the members and is not checked for',
        'accuracy. A field is empty when the member did not give it or when it was suppressed to',
        `keep every combination of (${report.kAnonymity ? (policy?.demographics.quasiIdentifiers.join(', ') ?? '') : ''}) shared by at least`,
        `k = ${policy?.demographics.k ?? 1} users (${report.kAnonymity?.suppressed ?? 0} users suppressed). The file holds ${counts.users} lines.`,
        '',
        levels?.gender === 'none'
          ? '- Gender is not released (empty)'
          : '- Gender is denoted by a "M" for male and "F" for female',
        ...ageLines,
        ...occupationLines,
        zipText[levels?.zip ?? 'full'],
      ]),
    );
    lines.push(
      ...section('MOVIES FILE DESCRIPTION', [
        'Movie information is in the file "movies.dat" and is in the following format:',
        '',
        'MovieID::Title::Genres',
        '',
        '- Titles are identical to titles provided by the IMDB (including year of release)',
        '- Genres are pipe-separated',
        `- The file holds ${counts.movies} lines: every movie rated in this release`,
        '- The files are encoded in ISO-8859-1',
      ]),
    );
  } else {
    lines.push(
      ...section('FILES', [
        'ratings.csv: userId,movieId,rating,timestamp (one header line, then one rating per line,',
        `  ${counts.ratings} ratings, sorted by user then movie; timestamps in seconds since the epoch,`,
        `  ${!policy || policy.time.drop ? 'dropped (0)' : `granularity ${policy.time.granularity}, per-user shift up to ${policy.time.shiftDays} days`}).`,
        `movies.csv: movieId,title,genres (${counts.movies} movies; genres pipe-separated). UTF-8.`,
        'No demographic information is released in this format.',
      ]),
    );
  }
  lines.push(...section('TAGS', tagNotes(dataset, report, format)));
  lines.push(...section('SURVEYS', surveyNotes(dataset, report)));
  if (report.dp) {
    lines.push(
      ...section('DIFFERENTIALLY PRIVATE MOVIE STATISTICS', [
        "movie-stats.csv: movieId,count,mean over all consenting members' true ratings, with Laplace",
        `noise: epsilon = ${report.dp.epsilon} per release (unit: one rating), epsilon = ${report.dp.counts.epsilon} for counts (scale`,
        `${report.dp.counts.laplaceScale}) and epsilon = ${report.dp.sums.epsilon} for rating sums (scale ${report.dp.sums.laplaceScale}).`,
      ]),
    );
  }
  if (policy)
    lines.push(
      ...section(
        'ANONYMIZATION POLICY',
        describePolicy(policy).map((line) => `    ${line}`),
      ),
    );
  const audit = report.audit;
  lines.push(
    ...section('PRIVACY AUDIT', [
      `Scoreboard re-identification attack (Narayanan & Shmatikov), ${audit.targets} targets. A confident`,
      "match re-identifies a member when it is the member's record or one at least half of whose other",
      'ratings are the member\'s own (same movie and stars); "holding" is that share for a wrong match\'s',
      `record, against ${(audit.heldByChance * 100).toFixed(0)}% for a record drawn at random:`,
      ...audit.scoreboard.map(scoreboardLine),
      ...(audit.publicKnowledge
        ? [
            'Public knowledge (the ratings members share on the site, with their month, and the',
            `movies they named in board posts; ${audit.publicKnowledge.targets} released members with any):`,
            scoreboardLine(audit.publicKnowledge),
          ]
        : []),
      'Stronger adversaries (more known ratings; one that knows the policy and uses only the',
      "ratings it leaves most intact: a swap's popular movies, else the movies kept; no dates):",
      ...audit.strongerAdversaries.map(scoreboardLine),
      ...(audit.quasiIdentifiers
        ? [
            `Unique on (gender, age, occupation, zip): ${(audit.quasiIdentifiers.uniqueGenderAgeOccupationZip * 100).toFixed(1)}%;`,
            `unique on (gender, age, zip): ${(audit.quasiIdentifiers.uniqueGenderAgeZip * 100).toFixed(1)}%; smallest class: ${audit.quasiIdentifiers.minClassSize}.`,
          ]
        : []),
      ...(report.utility
        ? [
            `Utility: model ${report.utility.algorithm} (default parameters) trained on this release and tested on`,
            `${report.utility.testRatings} held-back true ratings: RMSE ${report.utility.released.rmse.toFixed(4)}, nDCG@10 ${report.utility.released.ndcgAt10.toFixed(4)}`,
            `(trained on the untransformed ratings: RMSE ${report.utility.untransformed.rmse.toFixed(4)}, nDCG@10 ${report.utility.untransformed.ndcgAt10.toFixed(4)}).`,
          ]
        : []),
      ...(report.researchUtility ? researchUtilityLines(report.researchUtility) : []),
      `Gate: ${report.gate.passed ? 'passed' : 'refused'}.`,
    ]),
  );
  return `${lines.join('\n')}\n`;
}
