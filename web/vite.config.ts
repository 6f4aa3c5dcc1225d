/**
 * Builds the dashboard into dist/web, which `distillguard serve` serves. No inline scripts or
 * styles end up in index.html (the server's CSP forbids them); the graph and chart libraries go
 * into their own chunks so the first page does not wait for them.
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
          if (
            id.includes('node_modules/sigma') ||
            id.includes('node_modules/graphology') ||
            id.includes('@react-sigma')
          )
            return 'graph';
          if (id.includes('node_modules/react')) return 'react';
          return undefined;
        },
      },
    },
  },
});
