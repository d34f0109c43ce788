import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMarkdown } from '../../src/services/community.ts';
import { Client, describeApi, member } from './harness.ts';

let names = 0;
const username = () => `poster_${process.pid % 10000}_${++names}`;

interface Post {
  id: number;
  author: string | null;
  body: string;
  bodyHtml: string;
  editedAt: string | null;
  mine: boolean;
}

test('Markdown is rendered without raw HTML, scripts or javascript: links', () => {
  const html = renderMarkdown(
    '**bold** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://example.org) ![i](https://example.org/t.png)',
  );
  assert.match(html, /<strong>bold<\/strong>/);
  assert.ok(!html.includes('<script'));
  assert.ok(!html.includes('<img'));
  assert.ok(!/href="javascript:/i.test(html));
  assert.match(html, /<a href="https:\/\/example.org" rel="nofollow ugc noopener">ok<\/a>/);
});

describeApi('community API', (api) => {
  test('boards are listed; unknown boards and threads are 404', async () => {
    const anonymous = new Client(api.app);
    const boards = (await anonymous.get('/api/boards')).json as Array<{
      slug: string;
      name: string;
      threads: number;
    }>;
    assert.ok(boards.length >= 3);
    assert.ok(boards.some((b) => b.slug === 'general'));
    assert.equal((await anonymous.get('/api/boards/nope')).status, 404);
    assert.equal((await anonymous.get('/api/boards/Bad_Slug!')).status, 400);
    assert.equal((await anonymous.get('/api/threads/123456')).status, 404);
  });

  test('posting needs a login and a public username', async () => {
    assert.equal(
      (
        await new Client(api.app).request('POST', '/api/boards/general/threads', {
          title: 't',
          body: 'b',
        })
      ).status,
      401,
    );
    const { client } = await member(api);
    const refused = await client.request('POST', '/api/boards/general/threads', {
      title: 'Hi',
      body: 'there',
    });
    assert.equal(refused.status, 403);
    assert.match((refused.json as { detail: string }).detail, /username/);
  });

  test('threads and posts: create, read, reply, edit and delete own; render safely', async () => {
    const alice = await member(api);
    const aliceName = username();
    await alice.client.request('PATCH', '/api/me/privacy', { username: aliceName });
    const created = await alice.client.request('POST', '/api/boards/general/threads', {
      title: 'Favourite noir?',
      body: 'Mine is *The Third Man*. <script>alert("x")</script>',
    });
    assert.equal(created.status, 201);
    const threadId = (created.json as { id: number }).id;
    const board = (await new Client(api.app).get('/api/boards/general')).json as {
      threads: Array<{ id: number; author: string; posts: number }>;
      total: number;
    };
    const listed = board.threads.find((t) => t.id === threadId)!;
    assert.equal(listed.author, aliceName);
    assert.equal(listed.posts, 1);

    const bob = await member(api);
    await bob.client.request('PATCH', '/api/me/privacy', { username: username() });
    const reply = await bob.client.request('POST', `/api/threads/${threadId}/posts`, {
      body: 'Chinatown, obviously.',
    });
    assert.equal(reply.status, 201);
    const replyId = (reply.json as { id: number }).id;

    const view = (await alice.client.get(`/api/threads/${threadId}`)).json as {
      thread: { title: string; author: string };
      posts: Post[];
    };
    assert.equal(view.thread.title, 'Favourite noir?');
    assert.equal(view.posts.length, 2);
    assert.deepEqual(
      view.posts.map((p) => p.mine),
      [true, false],
    );
    assert.match(view.posts[0].bodyHtml, /<em>The Third Man<\/em>/);
    assert.ok(!view.posts[0].bodyHtml.includes('<script'));
    assert.ok(view.posts[0].bodyHtml.includes('&lt;script&gt;'));

    // Bob cannot edit or delete Alice's post.
    const aliceFirst = view.posts[0].id;
    assert.equal(
      (await bob.client.request('PATCH', `/api/posts/${aliceFirst}`, { body: 'hacked' })).status,
      403,
    );
    assert.equal((await bob.client.request('DELETE', `/api/posts/${aliceFirst}`)).status, 403);
    const edited = await bob.client.request('PATCH', `/api/posts/${replyId}`, {
      body: 'Chinatown, **obviously**.',
    });
    assert.equal(edited.status, 200);
    assert.match((edited.json as Post).bodyHtml, /<strong>obviously<\/strong>/);
    assert.ok((edited.json as Post).editedAt !== null);
    assert.equal(
      (await bob.client.request('PATCH', `/api/posts/${replyId}`, { body: '   ' })).status,
      400,
    );
    assert.equal((await bob.client.request('DELETE', `/api/posts/${replyId}`)).status, 204);
    assert.equal((await bob.client.request('DELETE', `/api/posts/${replyId}`)).status, 404);
    const after = (await new Client(api.app).get(`/api/threads/${threadId}`)).json as {
      posts: Post[];
    };
    assert.equal(after.posts.length, 1);
    assert.ok(after.posts.every((p) => !p.mine));

    // Deleting the last post removes the thread.
    assert.equal((await alice.client.request('DELETE', `/api/posts/${aliceFirst}`)).status, 204);
    assert.equal((await alice.client.get(`/api/threads/${threadId}`)).status, 404);
  });

  test('bad thread and post bodies are refused with 400', async () => {
    const { client } = await member(api);
    await client.request('PATCH', '/api/me/privacy', { username: username() });
    assert.equal(
      (await client.request('POST', '/api/boards/general/threads', { title: '', body: 'x' }))
        .status,
      400,
    );
    assert.equal(
      (await client.request('POST', '/api/boards/general/threads', { title: 'x', body: '' }))
        .status,
      400,
    );
    assert.equal(
      (
        await client.request('POST', '/api/boards/general/threads', {
          title: 'x'.repeat(201),
          body: 'x',
        })
      ).status,
      400,
    );
    assert.equal(
      (await client.request('POST', '/api/threads/abc/posts', { body: 'x' })).status,
      400,
    );
    assert.equal(
      (await client.request('POST', '/api/threads/1234567/posts', { body: 'x' })).status,
      404,
    );
    assert.equal(
      (await client.request('POST', '/api/boards/nope/threads', { title: 'x', body: 'y' })).status,
      404,
    );
  });
});
