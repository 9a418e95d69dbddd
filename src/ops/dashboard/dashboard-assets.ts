import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** One static file of the dashboard, read once at startup. */
export interface DashboardAsset {
  body: Buffer;
  contentType: string;
  /** Strong validator (content hash) for conditional requests. */
  etag: string;
}

/**
 * Content-Security-Policy of the dashboard pages: scripts, styles and the event stream from the
 * gateway itself only (no CDN, no inline script), never framed.
 */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

function asset(body: Buffer, contentType: string): DashboardAsset {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/**
 * The dashboard's files: the page, its script and style (beside this module) and uPlot's
 * browser build and stylesheet, read from `node_modules/uplot/dist` (bundled with the gateway:
 * machines may be offline, so nothing comes from a CDN). Read once; throws at startup when a
 * file is missing rather than serving a broken page later.
 *
 * @example const assets = DashboardAssets.load(); assets.get('uplot.min.js')
 */
export class DashboardAssets {
  private constructor(readonly page: DashboardAsset, private readonly files: ReadonlyMap<string, DashboardAsset>) {}

  static load(): DashboardAssets {
    const require = createRequire(import.meta.url);
    const uplotDist = (name: string) => require.resolve(`uplot/dist/${name}`);
    const files = new Map<string, DashboardAsset>([
      ['dashboard.js', asset(readFileSync(here('./dashboard.js')), 'text/javascript; charset=utf-8')],
      ['dashboard-replicas.js', asset(readFileSync(here('./dashboard-replicas.js')), 'text/javascript; charset=utf-8')],
      ['dashboard.css', asset(readFileSync(here('./dashboard.css')), 'text/css; charset=utf-8')],
      ['uplot.min.js', asset(readFileSync(uplotDist('uPlot.iife.min.js')), 'text/javascript; charset=utf-8')],
      ['uplot.min.css', asset(readFileSync(uplotDist('uPlot.min.css')), 'text/css; charset=utf-8')],
    ]);
    return new DashboardAssets(asset(readFileSync(here('./page.html')), 'text/html; charset=utf-8'), files);
  }

  /** A file under `/dashboard/assets/`, by name. */
  get(name: string): DashboardAsset | undefined {
    return this.files.get(name);
  }

  /** Names of the files served under `/dashboard/assets/`. */
  names(): string[] {
    return [...this.files.keys()];
  }
}

/** The sign-in page shown when an admin key is configured and the browser has no session. */
export function loginPage(failed: boolean): DashboardAsset {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bulwark — sign in</title><link rel="stylesheet" href="/dashboard/assets/dashboard.css"></head>
<body><form class="login" method="post" action="/dashboard/login">
<h1>Bulwark dashboard</h1>
<p class="muted">The dashboard needs the gateway's admin key.</p>
${failed ? '<p class="error" role="alert">That is not the admin key.</p>' : ''}
<label for="key">Admin key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form></body></html>
`;
  return asset(Buffer.from(html), 'text/html; charset=utf-8');
}
