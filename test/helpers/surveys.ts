/** Survey definitions for the API and browser tests. */

export const statement = {
  collected: 'Your answers to five questions about movie night, under your member id.',
  purpose: 'To learn how members choose movies, for a research paper.',
  access: 'The lenslab research team; published figures are aggregates.',
  retention: 'Until the end of 2027, then deleted.',
};

/** A survey definition with one question of each kind, open now for a day, for everyone. */
export function surveyDefinition(movieIds: number[], overrides: Record<string, unknown> = {}) {
  return {
    title: 'Movie night habits',
    statement,
    questions: [
      { kind: 'single', prompt: 'Where do you watch?', options: ['home', 'cinema'] },
      { kind: 'multiple', prompt: 'With whom?', options: ['alone', 'friends', 'family'] },
      { kind: 'scale', prompt: 'How much do you trust our recommendations?' },
      { kind: 'text', prompt: 'Anything else?' },
      { kind: 'movies', prompt: 'Rate these movies', movieIds },
    ],
    audience: { kind: 'all' },
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    releasable: false,
    ...overrides,
  };
}
