/**
 * Builds the dashboard into dist/web, which `distillguard serve` serves. No inline scripts or
 * styles end up in index.html (the server's CSP forbids them). The entry script is tiny: it
 * starts the opened view's API requests before anything else (web/src/main.tsx); React and the
 * views follow in a chunk of their own, and the graph (sigma, graphology, its layout worker) and
 * chart (ECharts) libraries in theirs, loaded by the views that draw them.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  worker: { format: 'es' },
  logLevel: 'warn',
  build: {
    outDir: resolve(here, '../dist/web'),
    emptyOutDir: true,
    sourcemap: false,
    // Inlined assets would become data: URLs in CSS/JS; keep everything a file.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'charts';
          if (id.includes('node_modules/sigma') || id.includes('node_modules/graphology')) return 'graph';
          if (id.includes('node_modules/react')) return 'react';
          return undefined;
        },
      },
    },
  },
});
