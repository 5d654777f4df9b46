import { defineConfig } from 'vite';

// The dashboard is served as static files by `chengfang serve --web web/dist` at "/", and talks to
// the same origin's /api/v1. Relative asset paths keep it working behind a path prefix too.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev` against a running `chengfang serve --port 8080`.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/openapi.json': 'http://127.0.0.1:8080',
    },
  },
});
