import { defineConfig } from 'vite';

// Preact through the JSX automatic runtime (no React, no Babel). `npm run dev` proxies the API
// to a running `securescan serve` (SECURESCAN_URL, default http://127.0.0.1:8000), so pages talk
// to the same origin in development as they do when the binary serves them.
const api = process.env.SECURESCAN_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2022', sourcemap: false, assetsInlineLimit: 0, chunkSizeWarningLimit: 150 },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/health', '/ready', '/openapi.json'].map((p) => [p, { target: api, changeOrigin: false }]),
    ),
  },
});
