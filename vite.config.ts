// Vite configuration for the lenslab single-page app (ui/ → dist/ui).
// Used by `npm run dev:ui`-style development (`npx vite`) and by `lenslab serve`, which calls
// Vite's `build({ configFile: 'vite.config.ts' })` when dist/ui is missing or stale.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the dev server sends /api requests: a running `lenslab serve`. */
const apiTarget = process.env.LENSLAB_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: resolve(here, 'ui'),
  base: '/',
  plugins: [react()],
  publicDir: false,
  logLevel: process.env.VITE_LOG_LEVEL === 'info' ? 'info' : 'warn',
  build: {
    outDir: resolve(here, 'dist/ui'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    strictPort: false,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
});
