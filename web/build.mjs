// web/build.mjs - bundles the web app with esbuild: src/main.js into app.js
// (ES modules; Chart.js, for the dashboard, in a chunk of its own),
// src/app.css into app.css, and copies src/index.html, all into
// $VIGIL_WEB_OUT (default ../build/web), which tools/embed_web.c embeds in
// the vigil binary.  No inline script or style anywhere (the CSP forbids it).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const out = process.env.VIGIL_WEB_OUT || '../build/web';
mkdirSync(out, { recursive: true });
// the chunks of an earlier build would be embedded too
for (const f of readdirSync(out)) if (f.endsWith('.js')) rmSync(`${out}/${f}`);
// ES modules split into app.js and the chunks it imports when needed
// (charts.js: Chart.js, for the dashboard only)
await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  legalComments: 'none',
  outdir: out,
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
await esbuild.build({
  entryPoints: ['src/app.css'],
  bundle: true,
  minify: true,
  outfile: `${out}/app.css`,
  logLevel: 'warning',
});
copyFileSync('src/index.html', `${out}/index.html`);
console.log(`web: bundled into ${out}`);
