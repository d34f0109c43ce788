/**
 * privacy-report.html: a self-contained offline page (inline CSS and SVG charts, no scripts).
 */
import { auditOutcomes } from './audit.ts';
import {
  FIRM_ORDER,
  LEADERBOARD_MEMBERS,
  reorderedByMetric,
  unsettledByMetric,
  type ResearchUtility,
} from './leaderboard.ts';
import { BOOTSTRAP_DRAWS } from './pairOrder.ts';
import type { PrivacyReport } from './report.ts';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
/** τ with two decimals; NaN (JSON null: one side's scores all tied) as n/a. */
const tau = (value: number | null) =>
  value === null || Number.isNaN(value) ? 'n/a' : value.toFixed(2);
const signedPct = (share: number | null) =>
  share === null ? '' : `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%`;
const W = 560;
const H = 300;
const M = { left: 56, right: 20, top: 20, bottom: 44 };

interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
}

function axes(
  xLabel: string,
  yLabel: string,
  xTicks: Array<[number, string]>,
  yTicks: Array<[number, string]>,
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  const parts: string[] = [];
  parts.push(
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
  );
  parts.push(
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`,
  );
  for (const [v, label] of xTicks) {
    parts.push(
      `<text x="${x(v)}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  }
  for (const [v, label] of yTicks) {
    parts.push(
      `<line x1="${M.left}" y1="${y(v)}" x2="${W - M.right}" y2="${y(v)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${M.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${escapeHtml(label)}</text>`,
    );
  }
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" font-size="12" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${(M.top + H - M.bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(M.top + H - M.bottom) / 2})">${escapeHtml(yLabel)}</text>`,
  );
  return parts.join('');
}

function lineChart(
  title: string,
  series: Series[],
  xLabel: string,
  yLabel: string,
  xMax: number,
  threshold: number | null,
): string {
  const x = (v: number) => M.left + ((v - 1) / Math.max(1, xMax - 1)) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - v * (H - M.top - M.bottom);
  const xTicks: Array<[number, string]> = Array.from({ length: xMax }, (_, i) => [
    i + 1,
    String(i + 1),
  ]);
  const yTicks: Array<[number, string]> = [0, 0.25, 0.5, 0.75, 1].map((v) => [v, pct(v)]);
  const parts = [axes(xLabel, yLabel, xTicks, yTicks, x, y)];
  if (threshold !== null) {
    parts.push(
      `<line x1="${M.left}" y1="${y(threshold)}" x2="${W - M.right}" y2="${y(threshold)}" stroke="#c00" stroke-dasharray="4 3"/>`,
    );
  }
  series.forEach((s, i) => {
    const path = s.points
      .map(([px, py], k) => `${k === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [px, py] of s.points)
      parts.push(
        `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3" fill="${s.color}"><title>${escapeHtml(`${s.name}, m=${px}: ${pct(py)}`)}</title></circle>`,
      );
    parts.push(
      `<rect x="${W - 190}" y="${M.top + i * 16}" width="10" height="10" fill="${s.color}"/><text x="${W - 175}" y="${M.top + 9 + i * 16}" font-size="11">${escapeHtml(s.name)}</text>`,
    );
  });
  return figure(title, parts.join(''));
}

function figure(title: string, body: string): string {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${body}</svg></figure>`;
}

function stackedBars(
  title: string,
  bars: Array<{ label: string; values: number[] }>,
  names: string[],
  colors: string[],
  yLabel = 'share of targets',
): string {
  const plotW = W - M.left - M.right;
  const bw = plotW / Math.max(1, bars.length);
  const y = (v: number) => H - M.bottom - v * (H - M.top - M.bottom);
  const parts = [
    axes(
      '',
      yLabel,
      [],
      [0, 0.5, 1].map((v) => [v, pct(v)]),
      () => 0,
      y,
    ),
  ];
  bars.forEach((bar, i) => {
    let base = 0;
    const x0 = M.left + i * bw + bw * 0.15;
    bar.values.forEach((v, j) => {
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${(y(base) - y(base + v)).toFixed(1)}" fill="${colors[j]}"><title>${escapeHtml(`${bar.label}: ${names[j]} ${pct(v)}`)}</title></rect>`,
      );
      base += v;
    });
    parts.push(
      `<text x="${(x0 + bw * 0.35).toFixed(1)}" y="${H - M.bottom + 14}" font-size="9.5" text-anchor="middle">${escapeHtml(bar.label)}</text>`,
    );
  });
  names.forEach((name, j) =>
    parts.push(
      `<rect x="${W - 150}" y="${M.top + j * 16}" width="10" height="10" fill="${colors[j]}"/><text x="${W - 135}" y="${M.top + 9 + j * 16}" font-size="11">${escapeHtml(name)}</text>`,
    ),
  );
  return figure(title, parts.join(''));
}

/** What a frontier chart plots on its y axis: a utility measure of each preset. */
interface FrontierMeasure {
  label: string;
  short: string;
  value: (point: PrivacyReport['frontier'][number]) => number | null;
  caption: string;
}

const FRONTIER_MEASURES: FrontierMeasure[] = [
  {
    label: 'RMSE on held-back ratings',
    short: 'RMSE',
    value: (p) => p.rmse,
    caption: 'Privacy–utility frontier across the presets (lower left is better; dashed: gate)',
  },
  {
    label: 'leaderboard τ (nDCG@10 order)',
    short: 'τ',
    // JSON turns an undefined τ (NaN) into null.
    value: (p) =>
      p.leaderboardTau === null || Number.isNaN(p.leaderboardTau) ? null : p.leaderboardTau,
    caption:
      'Research utility across the presets: Kendall τ of the leaderboard on the release against the untransformed data (upper left is better; dashed: gate)',
  },
];

function frontierChart(report: PrivacyReport, measure: FrontierMeasure): string {
  const points = report.frontier.filter((p) => measure.value(p) !== null);
  if (points.length === 0) return '';
  const valueOf = (p: (typeof points)[number]) => measure.value(p) as number;
  const values = points.map(valueOf);
  const low = Math.min(...values) - 0.02;
  const high = Math.max(...values) + 0.02;
  const x = (v: number) => M.left + v * (W - M.left - M.right);
  const y = (v: number) =>
    H - M.bottom - ((v - low) / Math.max(1e-9, high - low)) * (H - M.top - M.bottom);
  const parts = [
    axes(
      'highest re-identified share (scoreboard)',
      measure.label,
      [0, 0.25, 0.5, 0.75, 1].map((v) => [v, pct(v)]),
      [low, (low + high) / 2, high].map((v) => [v, v.toFixed(3)]),
      x,
      y,
    ),
  ];
  parts.push(
    `<line x1="${x(report.gate.thresholds.maxReidentified)}" y1="${M.top}" x2="${x(report.gate.thresholds.maxReidentified)}" y2="${H - M.bottom}" stroke="#c00" stroke-dasharray="4 3"/>`,
  );
  // Presets that coincide (same point) share one marker and one label.
  const groups = new Map<string, typeof points>();
  for (const p of points) {
    const key = `${x(p.maxReidentified).toFixed(0)},${y(valueOf(p)).toFixed(0)}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const group of groups.values()) {
    const p = group[0];
    const color = p.passed ? '#2a7' : '#c33';
    const names = group.map((q) => q.preset).join(', ');
    const [cx, cy] = [x(p.maxReidentified), y(valueOf(p))];
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5" fill="${color}"/>`);
    const anchor = cx > W / 2 ? 'end' : 'start';
    const dx = anchor === 'end' ? -8 : 8;
    parts.push(
      `<text x="${(cx + dx).toFixed(1)}" y="${(cy - 8).toFixed(1)}" font-size="11" text-anchor="${anchor}">${escapeHtml(`${names} (${measure.short} ${valueOf(p).toFixed(3)})`)}</text>`,
    );
  }
  return figure(measure.caption, parts.join(''));
}

function table(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function researchUtilitySection(r: ResearchUtility): string {
  const score = (value: number | null) => (value === null ? '—' : value.toFixed(4));
  return [
    '<h2>Research utility (leaderboard)</h2>',
    `<p>The fixed leaderboard (${r.algorithms.map((row) => escapeHtml(row.algorithm)).join(', ')}; modest parameters) run on the released data and on the untransformed data of the same members, each split alike (20% of each member's ratings held out): RMSE for the rating predictors, nDCG@10 for all. To keep releases fast it runs on the ${r.movies} movies the members rated most and on every released member up to ${LEADERBOARD_MEMBERS.toLocaleString('en')} (a fixed seeded sample beyond): ${r.members} members (${r.releasedRatings} released and ${r.untransformedRatings} untransformed ratings). Kendall τ-b: RMSE order ${tau(r.tau.rmse)}, nDCG@10 order ${tau(r.tau.ndcgAt10)} (1 = the same order).</p>`,
    table(
      [
        'algorithm',
        'RMSE released',
        'RMSE untransformed',
        'error',
        'nDCG@10 released',
        'nDCG@10 untransformed',
        'error',
      ],
      r.algorithms.map((row) => [
        row.algorithm,
        score(row.released.rmse),
        score(row.untransformed.rmse),
        signedPct(row.relativeError.rmse),
        score(row.released.ndcgAt10),
        score(row.untransformed.ndcgAt10),
        signedPct(row.relativeError.ndcgAt10),
      ]),
    ),
    `<p>Pairs in another order than on the true data, not to be compared on this release: ${reorderedByMetric(
      r,
    )
      .map(({ name, pairs }) => `${name}: ${escapeHtml(pairs.join('; ') || 'none')}`)
      .join('. ')}.</p>`,
    ...(r.pairs
      ? [
          `<p>How firmly the true data orders each pair (a paired bootstrap: ${BOOTSTRAP_DRAWS} resamples of the leaderboard's members; a pair held in fewer than ${FIRM_ORDER * 100}% is within the test sample's noise), not firm: ${unsettledByMetric(
            r,
          )
            .map(({ name, pairs }) => `${name}: ${escapeHtml(pairs.join('; ') || 'none')}`)
            .join('. ')}.</p>`,
        ]
      : []),
  ].join('\n');
}

export function renderReportHtml(report: PrivacyReport): string {
  const { audit, gate } = report;
  const body: string[] = [];
  body.push(`<h1>lenslab privacy report</h1>`);
  body.push(
    `<p class="${gate.passed ? 'pass' : 'fail'}"><strong>Gate: ${gate.passed ? 'passed' : 'refused'}</strong> (thresholds: ≤ ${pct(gate.thresholds.maxReidentified)} re-identified in every scoreboard setting, ≤ ${pct(gate.thresholds.maxReidentifiedStronger)} by every stronger adversary; every quasi-identifier class ≥ k = ${gate.thresholds.k})</p>`,
  );
  if (gate.failures.length > 0)
    body.push(`<ul>${gate.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`);
  if (gate.nearestPassingPreset)
    body.push(
      `<p>Nearest preset that passes: <code>${escapeHtml(gate.nearestPassingPreset)}</code></p>`,
    );
  if (report.policy)
    body.push(
      `<p>Policy <code>${escapeHtml(report.policy.name)}</code>, seed ${report.seed}, format ${report.format}.</p>`,
    );
  if (report.summary) {
    const s = report.summary;
    body.push('<h2>Release</h2>');
    body.push(
      table(
        ['measure', 'value'],
        Object.entries(s).map(([key, value]) => [
          key,
          key === 'surveys'
            ? s.surveys
                .map(
                  (c) =>
                    `survey ${c.surveyId}: ${c.answers} answers by ${c.respondents} members (${c.redactedEmails} e-mail addresses replaced, ${c.droppedMovieRatings} movie ratings left out)`,
                )
                .join('; ') || 'none'
            : String(value),
        ]),
      ),
    );
  }
  body.push('<h2>Re-identification (scoreboard)</h2>');
  body.push(
    `<p>${audit.targets} targets among ${audit.releasedUsers} released users; the attack sees only the released data; the release ${audit.hasDates ? 'has' : 'has no'} dates.</p>`,
  );
  body.push(
    table(
      [
        'setting',
        're-identified',
        'wrong match',
        "wrong match's ratings that are the target's",
        'no match',
        'posterior entropy (bits)',
        'prior (bits)',
      ],
      auditOutcomes(audit).map((o) => [
        o.name,
        pct(o.reidentified),
        pct(o.wrongMatch),
        o.wrongMatch > 0 ? pct(o.wrongMatchHeld) : '–',
        pct(o.noMatch),
        o.meanEntropyBits.toFixed(2),
        o.priorEntropyBits.toFixed(2),
      ]),
    ),
  );
  body.push(
    `<p>A confident match re-identifies a member when it is the member's record or a record at least half of whose ratings (beyond the movies the adversary knew) are the member's own, same movie and stars: a transform that moved records whole between members would otherwise look safe. Of a wrong match's ratings, on average the share shown are the target's own; of a released record drawn at random, ${pct(audit.heldByChance)}, so a wrong match close to that teaches the adversary nothing about the target.</p>`,
  );
  body.push(
    `<p>${audit.publicKnowledge ? `The public-knowledge adversary knows what the site shows of each member: the ratings they share (stars and month) and the movies they named in board posts; it attacks every released member of whom something is public (${audit.publicKnowledge.targets}) and is gated like the five. ` : ''}The last ${audit.strongerAdversaries.length} settings are stronger adversaries (gated at ${pct(gate.thresholds.maxReidentifiedStronger)}): more known ratings, and one that knows the policy (its known ratings only on the movies the policy leaves most intact: a swap's popular movies, else the movies the release keeps; no dates since the policy shifts them).</p>`,
  );
  body.push(
    stackedBars(
      'Outcome per adversary setting',
      auditOutcomes(audit).map((o) => ({
        label: o.name,
        values: [o.reidentified, o.wrongMatch, o.noMatch],
      })),
      ['re-identified', 'wrong match', 'no match'],
      ['#c33', '#e90', '#8bd'],
    ),
  );
  if (audit.knowledgeCurve.length > 0) {
    body.push(
      lineChart(
        'Re-identified share against adversary knowledge (m known ratings, w = 0)',
        [
          {
            name: 'dates within ±14 days',
            color: '#c33',
            points: audit.knowledgeCurve.map((p) => [p.m, p.withDates]),
          },
          {
            name: 'no dates',
            color: '#36c',
            points: audit.knowledgeCurve.map((p) => [p.m, p.withoutDates]),
          },
        ],
        'm (ratings the adversary knows)',
        're-identified',
        Math.max(...audit.knowledgeCurve.map((p) => p.m)),
        gate.thresholds.maxReidentified,
      ),
    );
  }
  const qi = audit.quasiIdentifiers;
  if (qi) {
    body.push('<h2>Quasi-identifiers</h2>');
    body.push(
      table(
        ['measure', 'value'],
        [
          ['unique on (gender, age, occupation, zip)', pct(qi.uniqueGenderAgeOccupationZip)],
          ['unique on (gender, age, zip)', pct(qi.uniqueGenderAgeZip)],
          [
            'unique on (gender, age, 3-digit zip)',
            qi.uniqueGenderAgeZip3 === null ? 'n/a' : pct(qi.uniqueGenderAgeZip3),
          ],
          [`classes on (${qi.quasiIdentifiers.join(', ')})`, String(qi.classes)],
          ['smallest class', String(qi.minClassSize)],
          [
            'prosecutor risk: highest / success rate / records at risk',
            `${pct(qi.prosecutor.highest)} / ${pct(qi.prosecutor.successRate)} / ${pct(qi.prosecutor.recordsAtRisk)}`,
          ],
          [
            'journalist risk: highest / success rate',
            `${pct(qi.journalist.highest)} / ${pct(qi.journalist.successRate)} (population ${qi.journalist.populationSize})`,
          ],
          ['marketer risk', pct(qi.marketer)],
        ],
      ),
    );
    body.push(
      stackedBars(
        'Users by equivalence-class size',
        [
          { label: 'size 1', values: [qi.histogram.size1] },
          { label: '2–4', values: [qi.histogram.size2to4] },
          { label: '5–9', values: [qi.histogram.size5to9] },
          { label: '≥ 10', values: [qi.histogram.size10plus] },
        ],
        ['share of users'],
        ['#36c'],
        'share of users',
      ),
    );
  }
  if (report.utility) {
    const u = report.utility;
    body.push('<h2>Utility</h2>');
    body.push(
      `<p>Model <code>${escapeHtml(u.algorithm)}</code> (the policy's <code>utility.algorithm</code>, default parameters), tested on ${u.testRatings} held-back true ratings (nDCG@10 over ${u.rankingUsers} users).</p>`,
    );
    body.push(
      table(
        ['trained on', 'RMSE', 'nDCG@10'],
        [
          ['released data', u.released.rmse.toFixed(4), u.released.ndcgAt10.toFixed(4)],
          [
            'untransformed data',
            u.untransformed.rmse.toFixed(4),
            u.untransformed.ndcgAt10.toFixed(4),
          ],
        ],
      ),
    );
  }
  if (report.researchUtility) body.push(researchUtilitySection(report.researchUtility));
  if (report.dp) {
    const d = report.dp;
    body.push('<h2>Differential privacy budget</h2>');
    body.push(
      table(
        ['release', 'ε', 'sensitivity', 'Laplace scale'],
        [
          [
            'movie rating counts',
            String(d.counts.epsilon),
            String(d.counts.sensitivity),
            String(d.counts.laplaceScale),
          ],
          [
            'movie rating sums (means)',
            String(d.sums.epsilon),
            String(d.sums.sensitivity),
            String(d.sums.laplaceScale),
          ],
          ['total (sequential composition, unit: one rating)', String(d.epsilon), '', ''],
        ],
      ),
    );
  }
  if (report.frontier.length > 0) {
    body.push('<h2>Presets</h2>');
    body.push(
      table(
        [
          'preset',
          'gate',
          'highest re-identified',
          'stronger adversaries',
          'released ratings',
          'RMSE',
          'nDCG@10',
          'leaderboard τ',
        ],
        report.frontier.map((p) => [
          p.preset,
          p.passed ? 'passes' : 'refused',
          pct(p.maxReidentified),
          pct(p.maxReidentifiedStronger),
          String(p.releasedRatings),
          p.rmse?.toFixed(4) ?? '',
          p.ndcgAt10?.toFixed(4) ?? '',
          p.leaderboardTau === null ? '' : tau(p.leaderboardTau),
        ]),
      ),
    );
    for (const measure of FRONTIER_MEASURES) body.push(frontierChart(report, measure));
  }
  const style =
    'body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.pass{color:#176}.fail{color:#a11}figure{margin:1em 0}figcaption{font-weight:600}';
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>lenslab privacy report</title><style>${style}</style></head><body>${body.join('\n')}</body></html>\n`;
}
