// The single-page app builds with Vite from vite.config.ts (as `lenslab serve` does) into a page
// that runs under the server's Content-Security-Policy: no inline scripts or styles in the HTML,
// every asset served from the site itself.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './harness.ts';

test('the web app builds into CSP-friendly static files', { timeout: 120_000 }, async () => {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'lenslab-ui-build-'));
  try {
    await build({
      configFile: join(REPO_ROOT, 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1, 'one entry script');
    assert.match(scripts[0][1], /type="module"/);
    assert.match(scripts[0][1], /src="\/assets\/[^"]+\.js"/, 'the script is a same-origin file');
    assert.equal(scripts[0][2].trim(), '', 'no inline script body');
    assert.doesNotMatch(html, /\sstyle=|<style/, 'no inline styles in the page shell');
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no third-party assets');
    assert.match(html, /<link rel="stylesheet"[^>]*href="\/assets\/[^"]+\.css"/);
    const assets = readdirSync(join(outDir, 'assets'));
    assert.ok(assets.some((name) => name.endsWith('.js')));
    assert.ok(assets.some((name) => name.endsWith('.css')));
    const css = readFileSync(
      join(
        outDir,
        'assets',
        assets.find((n) => n.endsWith('.css'))!,
      ),
      'utf8',
    );
    assert.match(css, /--star-predicted/, 'the stylesheet with its theme variables is bundled');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  assert.equal(existsSync(outDir), false);
});
