// web/build.mjs - bundles the web app with esbuild: src/main.js into app.js
// (ES modules; Chart.js, for the dashboard, in a chunk of its own),
// src/app.css into app.css, and copies src/index.html (with a modulepreload
// link for each chunk app.js imports statically), all into
// $VIGIL_WEB_OUT (default ../build/web), which tools/embed_web.c embeds in
// the vigil binary.  No inline script or style anywhere (the CSP forbids it).
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const out = process.env.VIGIL_WEB_OUT || '../build/web';
mkdirSync(out, { recursive: true });
// the chunks of an earlier build would be embedded too
for (const f of readdirSync(out)) if (f.endsWith('.js')) rmSync(`${out}/${f}`);
// ES modules split into app.js and the chunks it imports when needed
// (charts.js: Chart.js, for the dashboard only)
const app = await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  metafile: true,
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
// the chunks app.js imports statically are preloaded beside it (else the
// browser finds them only once app.js is parsed: one more round trip)
const appOut = Object.entries(app.metafile.outputs).find(([, o]) => o.entryPoint === 'src/main.js');
const preload = (appOut ? appOut[1].imports : []).filter((i) => i.kind === 'import-statement')
  .map((i) => `<link rel="modulepreload" href="/${basename(i.path)}">\n`).join('');
const html = readFileSync('src/index.html', 'utf8');
if (!html.includes('<script type="module" src="/app.js"></script>')) throw new Error('index.html: no app.js script');
writeFileSync(`${out}/index.html`, html.replace('<script type="module" src="/app.js"></script>',
  `${preload}<script type="module" src="/app.js"></script>`));
console.log(`web: bundled into ${out}`);
