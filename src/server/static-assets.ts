/**
 * The built dashboard (`npm run build:web` → dist/web), held in memory: a few files, read once at
 * start. Only paths present in the build are served, so no request path ever reaches the file
 * system (no traversal to guard against). Unknown non-API paths get index.html (the dashboard
 * routes in the browser).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Asset {
  body: Uint8Array;
  type: string;
  /** Vite puts a content hash in the names under assets/: cache those for a year. */
  immutable: boolean;
}

export class WebAssets {
  private constructor(
    readonly root: string | null,
    private readonly files: ReadonlyMap<string, Asset>,
  ) {}

  static load(root: string | null): WebAssets {
    const files = new Map<string, Asset>();
    if (root === null || !existsSync(join(root, 'index.html'))) return new WebAssets(null, files);
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const rel = `/${relative(root, p).split(sep).join('/')}`;
          files.set(rel, {
            body: readFileSync(p),
            type: TYPES[extname(name)] ?? 'application/octet-stream',
            immutable: rel.startsWith('/assets/'),
          });
        }
      }
    };
    walk(root);
    return new WebAssets(root, files);
  }

  get built(): boolean {
    return this.files.has('/index.html');
  }

  get(path: string): Asset | undefined {
    return this.files.get(path === '/' ? '/index.html' : path);
  }

  index(): Asset | undefined {
    return this.files.get('/index.html');
  }
}

export const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>distillguard</title>
<p>The dashboard is not built. Run <code>npm run build</code> (or <code>npm run build:web</code>), then restart
<code>distillguard serve</code>. The API under /api works without it.</p>`;
