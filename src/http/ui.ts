/**
 * The single-page app: built with Vite's JS API when dist/ui is missing or older than the
 * sources, served from dist/ui with an SPA fallback (see server.ts's not-found handler).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const UI_SOURCE_DIR = 'ui';
export const UI_BUILD_DIR = 'dist/ui';
export const VITE_CONFIG = 'vite.config.ts';
/** The checkout this module lives in (src/http/ → ../..). */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** True when the built app is missing or older than ui/ or vite.config.ts. */
export function uiNeedsBuild(root = REPOSITORY_ROOT): boolean {
  const built = resolve(root, UI_BUILD_DIR, 'index.html');
  if (!existsSync(built)) return true;
  const sources = Math.max(
    newestMtime(resolve(root, UI_SOURCE_DIR)),
    newestMtime(resolve(root, VITE_CONFIG)),
  );
  return sources > statSync(built).mtimeMs;
}

/**
 * Builds the SPA when needed; returns the folder to serve, or null when there is no UI source
 * (and no earlier build) in this checkout.
 */
export async function ensureUiBuilt(
  root = REPOSITORY_ROOT,
  log: (message: string) => void = console.log,
): Promise<string | null> {
  const out = resolve(root, UI_BUILD_DIR);
  const hasSources =
    existsSync(resolve(root, UI_SOURCE_DIR, 'index.html')) &&
    existsSync(resolve(root, VITE_CONFIG));
  if (!hasSources) return existsSync(join(out, 'index.html')) ? out : null;
  if (!uiNeedsBuild(root)) return out;
  log('lenslab: building the web app with Vite (dist/ui is missing or older than ui/)…');
  const started = Date.now();
  try {
    const { build } = await import('vite');
    await build({ configFile: resolve(root, VITE_CONFIG), logLevel: 'warn' });
  } catch (error) {
    const fallback = existsSync(join(out, 'index.html'));
    log(
      `lenslab: could not build the web app (${(error as Error).message.split('\n')[0]}); ${fallback ? 'serving the previous build' : 'serving the API only'}`,
    );
    return fallback ? out : null;
  }
  log(`lenslab: built the web app in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

/** Serves the built app's files; returns false when the folder holds no index.html. */
export async function registerUi(app: FastifyInstance, dir: string): Promise<boolean> {
  if (!existsSync(join(dir, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root: resolve(dir),
    prefix: '/',
    wildcard: true,
    index: ['index.html'],
  });
  return true;
}
