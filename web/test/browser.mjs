// web/test/browser.mjs - the web app tested as its users use it, in
// Debian's Chromium driven by playwright-core (no browser is downloaded).
// It builds a store with the CLI, starts its own `vigil serve` on a free
// port of 127.0.0.1, runs the flows of an action day, and writes
// screenshots of the main pages at 1280 and 800 px to docs/ui/.
// Usage: node test/browser.mjs VIGIL_BINARY [SCREENSHOT_DIR]
// Ends with "N passed, N failed, N skipped" (skipped when Chromium or
// playwright-core is missing).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const VIGIL = resolve(process.argv[2] || '../build/vigil');
const SHOTS = resolve(process.argv[3] || '../docs/ui');
const CHROMIUM = process.env.VIGIL_CHROMIUM || '/usr/bin/chromium';
let passed = 0, failed = 0;

function skipAll(why) {
  console.log(`skip browser: ${why}`);
  console.log('browser: 0 passed, 0 failed, 1 skipped');
  process.exit(0);
}

if (!existsSync(CHROMIUM)) skipAll(`no Chromium at ${CHROMIUM} (Debian package chromium)`);
if (!existsSync(VIGIL)) skipAll(`no vigil binary at ${VIGIL}`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  skipAll('playwright-core is not installed (npm ci in web/)');
}

// a setup failure is a failure, with the summary line
const setupFailed = (e) => {
  console.log(`FAIL browser/setup\n    ${e && e.stderr ? e.stderr.toString() : ''}${e && e.stack ? e.stack : e}`);
  console.log(`browser: ${passed} passed, ${failed + 1} failed, 0 skipped`);
  process.exit(1);
};
process.on('uncaughtException', setupFailed);
process.on('unhandledRejection', setupFailed);

// ---- the store and the server -------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'vigil-browser-'));
const db = join(dir, 'b.db');
const cli = (args, input) => execFileSync(VIGIL, ['--db', db, '-q', ...args],
  { input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] }).toString().trim();
const PW = {
  ana: 'ana-first-password', rev: 'rev-password-12', coord: 'coord-password-12',
  tg: 'tg-liaison-password', yt: 'yt-liaison-password', admin: 'admin-password-12', ana2: 'ana-own-password-2',
};
cli(['agency', 'add', 'EU']);
cli(['agency', 'add', 'DE']);
cli(['user', 'add', 'ana', '--role', 'analyst', '--agency', 'EU']);
cli(['user', 'add', 'rev', '--role', 'reviewer', '--agency', 'EU']);
cli(['user', 'add', 'coord', '--role', 'coordinator', '--agency', 'EU']);
cli(['user', 'add', 'admin', '--role', 'admin', '--agency', 'EU']);
cli(['user', 'add', 'tg', '--role', 'liaison', '--platform', 'Telegram']);
cli(['user', 'add', 'yt', '--role', 'liaison', '--platform', 'YouTube']);
cli(['user', 'passwd', 'ana'], `${PW.ana}\n`); // set by the admin: must be changed
for (const u of ['rev', 'coord', 'tg', 'yt', 'admin']) cli(['user', 'passwd', u, '--by', u], `${PW[u]}\n`);
const coordToken = cli(['user', 'token', 'coord']);
cli(['op', 'create', 'op1', '--coordinator', 'EU', '--participant', 'DE']);
cli(['item', 'add', 'op1', 'https://t.me/chan/1', '--type', 'post', '--by', 'ana']);
cli(['item', 'add', 'op1', 'https://t.me/chan/7', '--type', 'video', '--by', 'ana']);
cli(['item', 'add', 'op1', 'https://youtu.be/EXAMPLE0001', '--type', 'video', '--by', 'ana']);
cli(['order', 'create', '--authority', 'EU', '--url', 'https://t.me/orderchan/5']);

const server = spawn(VIGIL, ['--db', db, 'serve', '--listen', '127.0.0.1:0', '--access-log', 'off'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
const base = await new Promise((res, rej) => {
  let err = '';
  const t = setTimeout(() => rej(new Error(`vigil serve did not start: ${err}`)), 15000);
  server.stderr.on('data', (d) => {
    err += d;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
    if (m) { clearTimeout(t); res(m[1]); }
  });
  server.on('exit', (c) => rej(new Error(`vigil serve exited (${c}): ${err}`)));
});

const apiAs = async (method, path, body) => {
  const r = await fetch(base + path, { method, headers: { Authorization: `Bearer ${coordToken}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, json: await r.json().catch(() => null) };
};

// ---- the browser ----------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
const cspErrors = [];
async function newPage(width) {
  const ctx = await browser.newContext({ viewport: { width: width || 1280, height: 900 } });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) cspErrors.push(m.text()); });
  page.on('pageerror', (e) => cspErrors.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { cspErrors.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  page.setDefaultTimeout(30000); // generous: CI machines are loaded, and a wait ends as soon as it is met
  return page;
}
async function signIn(page, user, pw) {
  await page.goto(`${base}/#/signin`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password', { exact: true }).fill(pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}
async function shoot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  for (const w of [1280, 800]) {
    await page.setViewportSize({ width: w, height: 900 });
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(SHOTS, `${name}-${w}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   browser/${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL browser/${name}`);
    console.log(`    ${String(e && e.stack ? e.stack : e).split('\n').slice(0, 12).join('\n    ')}`);
  }
}
function expect(cond, what) { if (!cond) throw new Error(`expected: ${what}`); }

const XSS = ['<script>window.__xss=1</script>', '"><img src=x onerror="window.__xss=1">', 'javascript:window.__xss=1'];

let ana, rev, coord, tg;
try {
  await test('security_headers_and_no_inline_code', async () => {
    const r = await fetch(`${base}/`);
    const csp = r.headers.get('content-security-policy') || '';
    expect(csp.includes("default-src 'self'") && !csp.includes('unsafe-inline'), `a strict CSP (${csp})`);
    expect(r.headers.get('x-frame-options') === 'DENY', 'X-Frame-Options: DENY');
    expect(r.headers.get('x-content-type-options') === 'nosniff', 'nosniff');
    const html = await r.text();
    expect(!/<script>[^<]/.test(html) && !/ style=/.test(html) && !/<style/.test(html), 'no inline script or style');
    // the app's files are revalidated by ETag: unchanged, 304 and no body
    const js = await fetch(`${base}/app.js`);
    const tag = js.headers.get('etag');
    expect(tag && js.headers.get('cache-control') === 'no-cache', `an ETag (${tag})`);
    const again = await fetch(`${base}/app.js`, { headers: { 'If-None-Match': tag } });
    expect(again.status === 304 && (await again.text()) === '', `304 when unchanged (${again.status})`);
  });

  await test('analyst_signs_in_and_changes_the_first_password', async () => {
    ana = await newPage();
    await ana.goto(`${base}/`);
    await ana.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shoot(ana, 'signin');
    await signIn(ana, 'ana', PW.ana);
    await ana.getByRole('heading', { name: 'Change password' }).waitFor();
    await ana.getByLabel('Current password').fill(PW.ana);
    await ana.getByLabel('New password', { exact: true }).fill(PW.ana2);
    await ana.getByLabel('New password again').fill(PW.ana2);
    await ana.getByRole('button', { name: 'Change password' }).click();
    await ana.getByRole('heading', { name: 'Operations' }).waitFor();
    const ls = await ana.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie);
    expect(!/[0-9a-f]{64}/.test(ls), 'no session id or CSRF token in storage or in document.cookie');
  });

  await test('analyst_pastes_urls_sees_duplicate_and_new_platform', async () => {
    await ana.goto(`${base}/#/ops/op1/intake`);
    await ana.getByLabel('URLs, one per line').fill(
      'https://t.me/chan/1?utm_source=share\nhttps://brand-new-platform.example/post/9\nhttps://t.me/chan/2\nnot a url');
    await ana.getByRole('button', { name: 'Preview' }).click();
    await ana.getByTestId('preview').waitFor();
    const dup = await ana.getByTestId('duplicate').first().textContent();
    expect(/merged into item 1/.test(dup), `duplicate merged into item 1 (${dup})`);
    expect(await ana.getByTestId('new-platform').count() === 1, 'one new platform flagged');
    expect(await ana.getByText(/refused:/).count() === 1, 'the bad line refused');
    await shoot(ana, 'intake');
    await ana.getByRole('button', { name: 'Save all' }).click();
    const saved = await ana.getByTestId('saved').textContent();
    expect(/2 new items, 1 merged/.test(saved), `saved (${saved})`);
  });

  await test('analyst_imports_a_csv_with_progress_and_refused_rows', async () => {
    await ana.goto(`${base}/#/ops/op1/intake`);
    const csv = 'url,type,language\nhttps://t.me/csvchan/1,post,ar\n"https://t.me/csvchan/2",video,xx\nhttps://t.me/csvchan/3,post,en\n';
    await ana.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'items.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await ana.getByRole('button', { name: 'Import' }).click();
    const t = await ana.getByTestId('imported').textContent();
    expect(/Imported 3 rows: 2 new items, 0 merged, 0 held, 1 refused/.test(t), `imported (${t})`);
    const bad = await ana.getByTestId('bad-rows').textContent();
    expect(/3/.test(bad) && /language/i.test(bad), `the refused row named (${bad})`);
    expect(await ana.evaluate(() => document.querySelector('progress').value) === 3, 'progress at the end');
  });

  await test('analyst_files_items_with_a_video_hash_file', async () => {
    // a made-up vpdq1 value (vigil/video.h): 20 frames of random PDQ bits; the
    // second item's copy has 8 bits a frame flipped, so only the vPDQ rule joins them
    const frames = Array.from({ length: 20 }, () => Buffer.from(Array.from({ length: 32 }, () => Math.floor(Math.random() * 256))));
    const vpdq = (flip) => {
      const b = Buffer.alloc(8 + frames.length * 41);
      b.writeUInt32BE(1000, 0);
      b.writeUInt32BE(frames.length, 4);
      frames.forEach((f, k) => {
        const o = 8 + k * 41;
        b.writeUInt32BE(k * 1000, o);
        b.writeUInt32BE(1000, o + 4);
        b.writeUInt8(100, o + 8);
        f.copy(b, o + 9);
        for (let j = 0; flip && j < 8; j++) b[o + 9 + j * 4] ^= 1;
      });
      return `vpdq1:${b.toString('base64')},clip.mp4\n`; // as `vigil hash --vpdq` prints it
    };
    const ids = [];
    for (const [url, flip] of [['https://t.me/vidchan/1', false], ['https://x.com/vidchan/status/1', true]]) {
      await ana.goto(`${base}/#/items/1`); // a fresh intake page each time
      await ana.getByRole('heading', { name: /Item 1/ }).waitFor();
      await ana.goto(`${base}/#/ops/op1/intake`);
      const form = ana.getByRole('form', { name: 'One item' });
      await form.getByLabel('URL').fill(url);
      await form.getByLabel('Video hash file').setInputFiles({ name: 'clip.vpdq', mimeType: 'text/plain', buffer: Buffer.from(vpdq(flip)) });
      await form.getByRole('button', { name: 'File item' }).click();
      const link = ana.getByRole('link', { name: /Open item/ });
      await link.waitFor();
      ids.push(Number((await link.textContent()).replace(/\D/g, '')));
    }
    await ana.goto(`${base}/#/items/${ids[1]}`);
    const c = await ana.getByTestId('item-cluster').textContent();
    expect(c.includes(`Cluster #${ids[0]}`) && /1 other item/.test(c), `the video copy joined item ${ids[0]}'s cluster (${c})`);
    const via = (await ana.locator(`tr[data-copy="${ids[0]}"] [data-testid="copy-via"]`).textContent()).trim();
    expect(via === 'matching video', `linked by the video (${via})`);
    // a file that holds no video hash: refused, named
    await ana.getByRole('heading', { name: new RegExp(`Item ${ids[1]}`) }).waitFor();
    await ana.goto(`${base}/#/ops/op1/intake`);
    const form = ana.getByRole('form', { name: 'One item' });
    await form.getByLabel('URL').fill('https://t.me/vidchan/9');
    await form.getByLabel('Video hash file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a hash') });
    await form.getByRole('button', { name: 'File item' }).click();
    await ana.getByText(/vpdq: bad video value/).waitFor();
    await form.getByLabel('Video hash file').setInputFiles([]);
    await ana.goto(`${base}/#/items/${ids[0]}`); // leave the intake page as the next test finds it
  });

  await test('hostile_strings_stay_text', async () => {
    await ana.goto(`${base}/#/ops/op1/intake`);
    const form = ana.getByRole('form', { name: 'One item' });
    await form.getByLabel('URL').fill('https://t.me/xsschan/5');
    await form.getByLabel('Affiliation').fill(XSS[0]);
    await form.getByLabel('Outlet').fill(XSS[1]);
    await form.getByLabel('Notes').fill(XSS.join(' '));
    await form.getByRole('button', { name: 'File item' }).click();
    await ana.getByRole('link', { name: /Open item/ }).click();
    await ana.getByRole('heading', { name: /Item \d+/ }).waitFor();
    const body = await ana.textContent('main');
    expect(body.includes(XSS[0]) && body.includes(XSS[1]), 'the payloads shown as text');
    // a payload URL in the intake preview is shown as text too
    await ana.goto(`${base}/#/ops/op1/intake`);
    await ana.getByLabel('URLs, one per line').fill(`${XSS[2]}\nhttps://t.me/x/1"><img src=x onerror="window.__xss=1">`);
    await ana.getByRole('button', { name: 'Preview' }).click();
    await ana.getByTestId('preview').waitFor();
    await ana.waitForTimeout(300);
    const state = await ana.evaluate(() => ({
      xss: window.__xss, imgs: document.querySelectorAll('img').length, scripts: document.querySelectorAll('script:not([src])').length,
      js: [...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href'))).length,
    }));
    expect(state.xss === undefined && state.imgs === 0 && state.scripts === 0 && state.js === 0, `inert (${JSON.stringify(state)})`);
  });

  await test('reviewer_assesses_with_the_keyboard', async () => {
    rev = await newPage();
    await signIn(rev, 'rev', PW.rev);
    await rev.goto(`${base}/#/ops/op1/queue?state=identified`);
    await rev.locator('tr.current').waitFor();
    const first = await rev.locator('tr.current').getAttribute('data-id');
    // typing in a filter box does not trigger shortcuts
    await rev.getByLabel('Platform').fill('ajax');
    await rev.getByLabel('Platform').fill('');
    expect(await rev.getByTestId(`state-${first}`).textContent() === 'identified', 'typing "a" did nothing');
    await rev.evaluate(() => document.activeElement && document.activeElement.blur());
    await rev.keyboard.press('j');
    const second = await rev.locator('tr.current').getAttribute('data-id');
    expect(second !== first, 'j moved down');
    await rev.keyboard.press('k');
    await rev.keyboard.press('?');
    await rev.getByRole('heading', { name: 'Keyboard' }).waitFor();
    await rev.keyboard.press('?');
    await rev.keyboard.press('a');
    await rev.getByText('Assessed 1 item.').waitFor();
    expect(await rev.getByTestId(`state-${first}`).textContent() === 'assessed', 'assessed');
    // x selects two, a asks for the count
    await rev.keyboard.press('j');
    await rev.keyboard.press('x');
    await rev.keyboard.press('j');
    await rev.keyboard.press('x');
    await rev.keyboard.press('a');
    await rev.getByText('Assess 2 items?').waitFor();
    await rev.getByRole('button', { name: 'Confirm' }).click();
    await rev.getByText('Assessed 2 items.').waitFor();
    await shoot(rev, 'queue');
  });

  await test('stale_state_gets_409_naming_who_changed_it', async () => {
    await rev.reload();
    await rev.locator('tr.current').waitFor();
    const id = await rev.locator('tr.current').getAttribute('data-id');
    const r = await apiAs('POST', `/v1/items/${id}/assess`, {}); // the coordinator, meanwhile
    expect(r.status === 200, `coordinator assessed (${r.status} ${JSON.stringify(r.json)} item ${id})`);
    await rev.evaluate(() => document.activeElement && document.activeElement.blur());
    await rev.keyboard.press('r');
    await rev.getByLabel(/Reason for rejecting/).fill('not in scope');
    await rev.getByRole('button', { name: /^Reject 1/ }).click();
    const t = await rev.getByTestId('conflict').textContent();
    expect(/is assessed now, not identified \(changed by coord at /.test(t), `the conflict named (${t})`);
  });

  await test('coordinator_refers_with_a_count', async () => {
    coord = await newPage();
    await signIn(coord, 'coord', PW.coord);
    await coord.goto(`${base}/#/ops/op1/referrals`);
    const opt = await coord.getByLabel('Platform').locator('option', { hasText: 'Telegram' }).textContent();
    await coord.getByLabel('Platform').selectOption({ label: opt });
    await coord.getByRole('button', { name: 'Refer…' }).click();
    await coord.getByText(/Refer \d+ assessed items? to Telegram\?/).waitFor();
    await coord.getByRole('button', { name: 'Confirm' }).click();
    await coord.getByRole('cell', { name: 'Telegram' }).waitFor();
    await shoot(coord, 'referrals');
  });

  await test('dashboard_figure_changes_without_reload', async () => {
    await coord.goto(`${base}/#/ops/op1`);
    const fig = coord.getByTestId('fig-items');
    await fig.waitFor();
    const before = Number((await fig.textContent()).replace(/,/g, ''));
    await coord.evaluate(() => { window.__same_page = 1; });
    const r = await apiAs('POST', '/v1/items', { op: 'op1', url: 'https://t.me/livechan/42' });
    expect(r.status === 201, `item filed (${r.status})`);
    await coord.waitForFunction((b) => Number(document.querySelector('[data-testid=fig-items]').textContent.replace(/,/g, '')) === b + 1,
      before, { timeout: 7000 });
    expect(await coord.evaluate(() => window.__same_page) === 1, 'no reload');
    await coord.goto(`${base}/#/ops`);
    await coord.getByRole('heading', { name: 'Operations' }).waitFor();
    // create an operation, then close it
    await coord.getByLabel('Name', { exact: true }).fill('op2');
    await coord.getByLabel('Coordinating agency').fill('EU');
    await coord.getByLabel('Participating agencies').fill('DE');
    await coord.getByRole('button', { name: 'Create operation' }).click();
    await coord.getByRole('link', { name: 'op2' }).waitFor();
    await shoot(coord, 'operations');
    await coord.getByRole('button', { name: 'Close op2' }).click();
    await coord.getByRole('button', { name: 'Confirm' }).click();
    await coord.locator('tr', { hasText: 'op2' }).getByText('closed').waitFor();
  });

  await test('liaison_records_an_outcome', async () => {
    tg = await newPage();
    await signIn(tg, 'tg', PW.tg);
    await tg.getByRole('heading', { name: 'Referrals and removal orders' }).waitFor();
    const btn = tg.getByRole('button', { name: /^Removed \d+$/ }).first();
    const id = (await btn.textContent()).replace('Removed ', '');
    await btn.click();
    await tg.getByTestId(`response-${id}`).filter({ hasText: 'removed' }).waitFor();
    // the removal order's one-hour clock counts down
    const c1 = await tg.locator('.clock').first().textContent();
    expect(/left of the hour/.test(c1), `a countdown (${c1})`);
    await tg.waitForTimeout(1100);
    expect(await tg.locator('.clock').first().textContent() !== c1, 'the clock moved');
    await shoot(tg, 'portal');
    await tg.getByRole('button', { name: 'Acknowledge' }).click();
    await tg.getByRole('button', { name: 'Removed', exact: true }).click();
    await tg.getByTestId('orders').getByText('actioned').waitFor();
  });

  await test('liaison_of_another_platform_sees_nothing', async () => {
    const yt = await newPage();
    await signIn(yt, 'yt', PW.yt);
    await yt.getByTestId('no-referrals').waitFor();
    const text = await yt.textContent('main');
    expect(!text.includes('t.me'), 'no Telegram item shown');
    const r = await yt.request.get(`${base}/v1/items/1`);
    expect(r.status() === 404, `API 404 (${r.status()})`);
    await yt.context().close();
  });

  await test('csrf_refusal', async () => {
    // the cookie alone (as a forged cross-site request would carry) is refused
    const r = await coord.request.post(`${base}/v1/holds`, {
      data: { agency: 'EU', prefix: 'https://t.me/forged', reason: 'forged' }, headers: { 'Content-Type': 'application/json' } });
    expect(r.status() === 403 && (await r.json()).error.code === 'csrf', `403 csrf (${r.status()})`);
    const holds = await apiAs('GET', '/v1/holds');
    expect(!JSON.stringify(holds.json).includes('forged'), 'nothing created');
  });

  await test('sign_in_lockout', async () => {
    const p = await newPage();
    await p.goto(`${base}/#/signin`);
    let locked = false;
    for (let i = 0; i < 12 && !locked; i++) {
      await p.getByLabel('User name').fill('rev');
      await p.getByLabel('Password', { exact: true }).fill('not-the-password');
      await p.getByRole('button', { name: 'Sign in' }).click();
      const msg = await p.getByRole('alert').textContent();
      if (/locked/.test(msg)) locked = true;
      const wait = /wait (\d+) s/.exec(msg);
      if (wait) await p.waitForTimeout(Number(wait[1]) * 1000 + 100);
    }
    expect(locked, 'locked after repeated failures');
    await shoot(p, 'lockout');
    // the right password is refused while locked
    await p.getByLabel('User name').fill('rev');
    await p.getByLabel('Password', { exact: true }).fill(PW.rev);
    await p.getByRole('button', { name: 'Sign in' }).click();
    expect(/locked/.test(await p.getByRole('alert').textContent()), 'still locked');
    const audit = await apiAs('GET', '/v1/audit/verify');
    expect(audit.status === 200 && audit.json.ok, 'audit chain intact');
    await p.context().close();
  });

  await test('item_page_and_holds', async () => {
    await coord.goto(`${base}/#/items/1`);
    await coord.getByRole('heading', { name: 'History' }).waitFor();
    expect(await coord.locator('a[href^="http"]').count() === 0, 'no link that loads content');
    // its audit events, for the operation's agencies (not only admins): who changed what
    await coord.getByRole('heading', { name: 'Audit events' }).waitFor();
    const ev = await coord.getByTestId('item-audit').textContent();
    expect(/item\.create by /.test(ev), `audit events listed: ${ev}`);
    await shoot(coord, 'item');
    await coord.goto(`${base}/#/holds`);
    await coord.getByLabel('Holding agency').fill('EU');
    await coord.getByLabel('Value').fill('https://t.me/heldchan');
    await coord.getByLabel('Reason').fill('ongoing investigation');
    await coord.getByRole('button', { name: 'Add hold' }).click();
    await coord.getByRole('cell', { name: 'https://t.me/heldchan' }).waitFor();
    await shoot(coord, 'holds');
    // the dashboard once the liaison has answered (the removal charts have data)
    await coord.goto(`${base}/#/ops/op1`);
    await coord.getByTestId('fig-removed').filter({ hasText: /^[1-9]/ }).waitFor();
    await shoot(coord, 'dashboard');
  });

  await test('content_clusters_refer_whole_cluster_hostile_strings_inert', async () => {
    // the same content (one MD5) on three platforms, with hostile strings in the fields
    const md5 = 'md5:0123456789abcdef0123456789abcdef';
    const ids = [];
    for (const body of [
      { url: 'https://vk.com/wall-5_5', affiliation: XSS[0], outlet: XSS[1], notes: XSS.join(' ') },
      { url: 'https://rumble.com/vclusterx.html', affiliation: XSS[2] },
      { url: 'https://cluster-new.example/p/"><img src=x onerror="window.__xss=1">', notes: XSS[0] }]) {
      const r = await apiAs('POST', '/v1/items', { op: 'op1', type: 'video', hashes: [md5], ...body });
      expect(r.status === 201, `item filed (${r.status} ${JSON.stringify(r.json)})`);
      ids.push(r.json.id);
    }
    for (const id of ids.slice(0, 2)) expect((await apiAs('POST', `/v1/items/${id}/assess`, {})).status === 200, 'assessed');
    await coord.goto(`${base}/#/ops/op1`);
    const row = coord.locator(`tr[data-cluster="${ids[0]}"]`);
    await row.waitFor();
    const text = await row.textContent();
    expect(/VK/.test(text) && /Rumble/.test(text) && /cluster-new\.example/.test(text), `the cluster's platforms (${text})`);
    expect(Number((await coord.getByTestId('fig-contents').textContent()).replace(/,/g, ''))
      < Number((await coord.getByTestId('fig-items').textContent()).replace(/,/g, '')), 'fewer contents than items');
    await coord.getByRole('button', { name: `Refer whole cluster ${ids[0]}` }).click();
    await coord.getByText(`Refer the 2 assessed items of cluster ${ids[0]}`, { exact: false }).waitFor();
    await coord.getByRole('button', { name: 'Confirm' }).click();
    const done = await coord.getByTestId('cluster-referred').textContent();
    expect(/2 referrals created \(2 items\)/.test(done), `referred per platform (${done})`);
    const refs = await apiAs('GET', '/v1/referrals?op=op1');
    const plats = refs.json.map((r) => r.platform);
    expect(plats.includes('VK') && plats.includes('Rumble'), `referrals to VK and Rumble (${plats})`);
    await row.filter({ hasText: /Refer whole cluster/ }).waitFor();
    await shoot(coord, 'dashboard');
    // the item page shows its cluster; everything stays text
    await coord.goto(`${base}/#/items/${ids[2]}`);
    const cl = await coord.getByTestId('item-cluster').textContent();
    expect(new RegExp(`Cluster #${ids[0]}: the same content as 2 other items`).test(cl), `the item's cluster (${cl})`);
    await coord.getByRole('link', { name: `item ${ids[0]}` }).waitFor();
    const linked = async (page, id) => (await page.locator(`tr[data-copy="${id}"] [data-testid="copy-via"]`).textContent()).trim();
    expect(await linked(coord, ids[0]) === 'same MD5' && await linked(coord, ids[1]) === 'same MD5', 'both copies linked by their MD5');
    // a PDQ neighbour and a near-duplicate text join too; a copy in through others says so
    const para = (last) => 'The neighbourhood garden club announces its spring meeting. Members will gather at the old library on '
      + 'Saturday morning to plan the new flower beds along the river path. Volunteers are asked to bring gloves, spades and '
      + 'a packed lunch. The committee will present the budget for seeds and tools, and the children\'s corner will get a new '
      + `bench. ${last} Everyone who lives in the district is welcome, and no experience with plants is needed.`;
    const more = [];
    for (const body of [
      { url: 'https://www.facebook.com/example/posts/55', hashes: [md5, `pdq:${'f'.repeat(64)}`] },
      { url: 'https://x.com/example/status/55', hashes: [`pdq:${'f'.repeat(63)}0`], text: para('Tea and biscuits are provided by the bakery on Mill Street.') },
      { url: 'https://www.tiktok.com/@example/video/55', text: para('Coffee and cake will be served by the cafe next to the station.') }]) {
      const r = await apiAs('POST', '/v1/items', { op: 'op1', type: 'post', ...body });
      expect(r.status === 201, `item filed (${r.status} ${JSON.stringify(r.json)})`);
      more.push(r.json.id);
    }
    await coord.goto(`${base}/#/items/${more[1]}`);
    await coord.locator(`tr[data-copy="${more[2]}"]`).waitFor();
    const viaText = await linked(coord, more[2]);
    expect(await linked(coord, more[0]) === 'PDQ distance 4', `the PDQ neighbour (${await linked(coord, more[0])})`);
    expect(/^text \d+ % alike$/.test(viaText) && Number(viaText.replace(/\D/g, '')) >= 50, `the near-duplicate text (${viaText})`);
    expect(await linked(coord, ids[0]) === 'through other copies', `a copy through others (${await linked(coord, ids[0])})`);
    const heads = await coord.locator('main table th').allTextContents();
    expect(heads.includes('Linked by'), `the copies table has a Linked by column (${heads})`);
    await shoot(coord, 'item-cluster');
    await coord.goto(`${base}/#/items/${ids[0]}`);
    await coord.getByRole('heading', { name: `Item ${ids[0]}`, exact: true }).waitFor(); // this item's page, not the last one's
    await coord.getByRole('heading', { name: 'Content cluster' }).waitFor();
    const body = await coord.textContent('main');
    expect(body.includes(XSS[0]) && body.includes(XSS[1]), 'the payloads shown as text');
    const state = await coord.evaluate(() => ({
      xss: window.__xss, imgs: document.querySelectorAll('img').length, scripts: document.querySelectorAll('script:not([src])').length,
      js: [...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href'))).length,
    }));
    expect(state.xss === undefined && state.imgs === 0 && state.scripts === 0 && state.js === 0, `inert (${JSON.stringify(state)})`);
    // a liaison sees no cluster of the operation (the server says so)
    const r = await tg.request.get(`${base}/v1/operations/op1/clusters`);
    expect(r.status() === 403, `liaison refused (${r.status()})`);
  });

  await test('queue_filters_by_agency_and_reporter_and_sorts', async () => {
    await rev.goto(`${base}/#/ops/op1/queue`);
    await rev.getByLabel('State').selectOption('');
    await rev.getByLabel('Agency').fill('EU');
    await rev.getByLabel('Reporter').fill('coord');
    await rev.getByLabel('Sort').selectOption({ label: 'newest first' });
    await rev.getByRole('button', { name: 'Filter' }).click();
    await rev.waitForFunction(() => /reporter=coord/.test(location.hash) && /sort=-id/.test(location.hash));
    await rev.locator('tr.current').waitFor();
    const ids = await rev.locator('tbody tr[data-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));
    expect(ids.length >= 4 && ids.every((x, i) => !i || x < ids[i - 1]), `coord's items, newest first (${ids})`);
    expect(await rev.getByLabel('Reporter').inputValue() === 'coord', 'the filter kept in the form');
    await shoot(rev, 'queue-filtered');
    await rev.getByLabel('Agency').fill('DE');
    await rev.getByRole('button', { name: 'Filter' }).click();
    await rev.waitForFunction(() => /agency=DE/.test(location.hash));
    await rev.waitForFunction(() => document.querySelectorAll('tbody tr[data-id]').length === 0);
    await rev.getByLabel('Sort').selectOption({ label: 'platform A-Z' });
    await rev.getByLabel('Agency').fill('');
    await rev.getByLabel('Reporter').fill('');
    await rev.getByRole('button', { name: 'Filter' }).click();
    await rev.waitForFunction(() => /sort=platform/.test(location.hash));
    await rev.locator('tr.current').waitFor();
    const plats = await rev.locator('tbody tr[data-id] td:nth-child(4)').allTextContents();
    const sorted = [...plats].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    expect(plats.length > 1 && plats.join('|').toLowerCase() === sorted.join('|').toLowerCase(), `by platform (${plats})`);
  });

  await test('no_csp_violations_or_page_errors', async () => {
    expect(cspErrors.length === 0, `none (${cspErrors.join(' | ')})`);
  });
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(`browser: ${passed} passed, ${failed} failed, 0 skipped`);
process.exit(failed ? 1 : 0);
