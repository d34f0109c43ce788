import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Dataset, Tag } from '../../src/datasets/dataset.ts';
import { readMlLatest } from '../../src/datasets/mlLatest.ts';
import { validatePolicy } from '../../src/privacy/policy.ts';
import { releaseWithAudit } from '../../src/privacy/report.ts';
import { writeRelease } from '../../src/services/releases.ts';
import { lenientPolicy, quickReleaseOptions, smallDataset } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'lenslab-tags-'));
after(() => rmSync(root, { recursive: true, force: true }));

const base = smallDataset({ users: 200, movies: 300, perUser: [20, 60], seed: 5 });
/** Every member tags every movie they rated, and movie 1 whether rated or not; some write e-mails. */
function withTags(dataset: Dataset): Dataset {
  const { ratings } = dataset;
  const tags: Tag[] = [];
  for (let r = 0; r < ratings.length; r++) {
    const userId = ratings.userIds.ids[ratings.userIndex[r]];
    const movieId = ratings.itemIds.ids[ratings.itemIndex[r]];
    const tag =
      ratings.userIndex[r] % 7 === 3
        ? `write me: fan${r} @ example.org`
        : `tag ${userId}-${movieId}`;
    tags.push({ userId, movieId, tag, timestamp: ratings.timestamp[r] + 60 });
  }
  for (const userId of ratings.userIds.ids)
    tags.push({ userId, movieId: 1, tag: `unrated? ${userId}`, timestamp: 956703932 });
  return { ...dataset, tags };
}
const source = withTags(base);
const consents = (id: number) => id % 5 !== 0;
const policy = (tags: boolean) => lenientPolicy({ tags: { release: tags } });
const options = quickReleaseOptions(consents);

test('tags are released only when the policy says so (default off)', () => {
  assert.equal(validatePolicy({}).tags.release, false);
  const result = releaseWithAudit(source, policy(false), options);
  assert.equal(result.published.tags, undefined);
  assert.equal(result.release.summary.releasedTags, 0);
  const out = join(root, 'off');
  const written = writeRelease(result, { out, overwrite: false });
  assert.ok(!written.written.includes('tags.csv'));
  assert.ok(!existsSync(join(out, 'tags.csv')));
  assert.match(readFileSync(join(out, 'README'), 'utf8'), /No tags are released/);
});

test('released tags: pseudonymous, consenting, surviving pairs only, dated like the rating, no e-mails', async () => {
  const result = releaseWithAudit(source, policy(true), options);
  const { published, release } = result;
  const tags = published.tags ?? [];
  const liveOf = new Map(
    Array.from(release.mapping.releaseIds, (id, k) => [id, release.mapping.userIds[k]]),
  );
  const releasedPair = new Map<string, number>();
  const r = published.ratings;
  for (let k = 0; k < r.length; k++)
    releasedPair.set(
      `${r.userIds.ids[r.userIndex[k]]}:${r.itemIds.ids[r.itemIndex[k]]}`,
      r.timestamp[k],
    );

  // What must go out: every source tag of a consenting member whose rating survived, minus e-mails.
  const expected = new Set<string>();
  let emails = 0;
  const releaseOf = new Map(Array.from(liveOf, ([releaseId, live]) => [live, releaseId]));
  for (const tag of source.tags!) {
    const releaseId = releaseOf.get(tag.userId);
    const time =
      releaseId === undefined ? undefined : releasedPair.get(`${releaseId}:${tag.movieId}`);
    if (time === undefined) continue;
    if (tag.tag.includes('@')) emails++;
    else expected.add(`${releaseId}:${tag.movieId}:${tag.tag}:${time}`);
  }
  assert.ok(expected.size > 100, 'the test releases tags');
  assert.ok(emails > 0, 'the test has e-mail-like tags on released pairs');
  assert.deepEqual(
    new Set(tags.map((t) => `${t.userId}:${t.movieId}:${t.tag}:${t.timestamp}`)),
    expected,
  );
  assert.equal(release.summary.releasedTags, expected.size);
  assert.equal(release.summary.droppedTags, emails);
  // Sampling left pairs out, and their tags too (the 'unrated?' tags never had a rating).
  assert.ok(tags.length < source.tags!.length / 2);
  assert.ok(tags.every((t) => !t.tag.startsWith('unrated?') || releasedPair.has(`${t.userId}:1`)));
  for (const tag of tags) {
    assert.ok(consents(liveOf.get(tag.userId)!), 'only consenting members');
  }

  const out = join(root, 'on');
  assert.ok(writeRelease(result, { out, overwrite: false }).written.includes('tags.csv'));
  const read = await readMlLatest(out);
  assert.equal(read.tags?.length, tags.length);
  assert.ok(read.tags!.every((t) => !t.tag.includes('@')));
  const readme = readFileSync(join(out, 'README'), 'utf8');
  assert.match(readme, new RegExp(`${tags.length} tags are in "tags\\.csv"`));
  assert.match(readme, /No usernames/);
  const report = JSON.parse(readFileSync(join(out, 'privacy-report.json'), 'utf8'));
  assert.equal(report.summary.releasedTags, tags.length);
  assert.equal(report.policy.tags.release, true);
});

test('an unknown tags option is refused with the key named', () => {
  assert.throws(() => validatePolicy({ tags: { release: 'yes' } }), /tags\.release/);
  assert.throws(
    () => validatePolicy({ tags: { usernames: true } }),
    /tags\.usernames: unknown key/,
  );
});
