// web/build.mjs - bundles the web app with esbuild: src/main.js (+ Chart.js)
// into app.js, src/app.css into app.css, and copies src/index.html, all into
// $VIGIL_WEB_OUT (default ../build/web), which tools/embed_web.c embeds in
// the vigil binary.  No inline script or style anywhere (the CSP forbids it).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const out = process.env.VIGIL_WEB_OUT || '../build/web';
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  legalComments: 'none',
  outfile: `${out}/app.js`,
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
