// web/bench/bench-ui.mjs - `make bench-ui`: how fast the web app shows a
// large operation, in headless Chromium (Debian's, via playwright-core),
// against a running `vigil serve`.  Usage:
//   node bench/bench-ui.mjs BASE_URL USER PASSWORD OPERATION [RUNS]
// Prints, per measure, the median and the worst of RUNS (default 5):
// navigation -> dashboard figures shown, navigation -> first queue page
// shown (each also as the page itself saw it: *_page), next queue page
// shown, and the report API's answer time: given again from the server's
// memo (report_api: nothing changed since the dashboard's) and computed
// after a change (report_new: a sign-in through the API, an audited write,
// moves the store's mark first).
import { chromium } from 'playwright-core';

const [base, user, pw, op, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const CHROMIUM = process.env.VIGIL_CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
// in each document, the time (since its navigation began) at which the page
// first shows what is waited for: the same measure without the driver's
// round trips and polling (the *_page rows)
await page.addInitScript(() => {
  const sel = /\/queue/.test(location.hash) ? 'tr.current' : '[data-testid=fig-items]';
  new MutationObserver((_, o) => {
    if (document.querySelector(sel)) { window.__vigilShown = performance.now(); o.disconnect(); }
  }).observe(document, { childList: true, subtree: true });
});
const shownInPage = async () => Math.round(await page.evaluate(() => window.__vigilShown || NaN));
page.setDefaultTimeout(30000);
await page.goto(`${base}/#/signin`);
await page.getByLabel('User name').fill(user);
await page.getByLabel('Password', { exact: true }).fill(pw);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByTestId('whoami').waitFor();

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], worst: s[s.length - 1] };
};
const q = encodeURIComponent(op);
const m = { dashboard: [], dashboard_page: [], queue: [], queue_page: [], queue_next: [], report_api: [], report_new: [] };
for (let i = 0; i < runs; i++) {
  await page.goto('about:blank');
  let t0 = Date.now();
  await page.goto(`${base}/#/ops/${q}`);
  await page.getByTestId('fig-items').waitFor();
  m.dashboard.push(Date.now() - t0);
  m.dashboard_page.push(await shownInPage());
  // the rest of the dashboard (charts, clusters) finishes before the next
  // measure starts, so that it measures the queue alone
  await page.locator('[data-testid=clusters] table').waitFor();
  await page.goto('about:blank');
  t0 = Date.now();
  await page.goto(`${base}/#/ops/${q}/queue?state=removed`);
  await page.locator('tr.current').waitFor();
  m.queue.push(Date.now() - t0);
  m.queue_page.push(await shownInPage());
  const first = await page.locator('tr.current').getAttribute('data-id');
  t0 = Date.now();
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.waitForFunction((f) => { const r = document.querySelector('tr.current'); return r && r.dataset.id !== f; }, first);
  m.queue_next.push(Date.now() - t0);
  const ms = await page.evaluate(async (u) => {
    const t = performance.now();
    const r = await fetch(u, { credentials: 'same-origin' });
    await r.json();
    return performance.now() - t;
  }, `${base}/v1/operations/${q}/report`);
  m.report_api.push(Math.round(ms));
  const changed = await page.evaluate(async ([b, u, who, secret]) => {
    // a second session, cookie-less: audited (session.start), so the memo misses
    const s = await fetch(`${b}/v1/session`, { method: 'POST', credentials: 'omit',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: who, password: secret }) });
    if (!s.ok) throw new Error(`sign-in for the change: ${s.status}`);
    const t = performance.now();
    const r = await fetch(u, { credentials: 'same-origin' });
    await r.json();
    return performance.now() - t;
  }, [base, `${base}/v1/operations/${q}/report`, user, pw]);
  m.report_new.push(Math.round(changed));
}


await browser.close();
const goals = { dashboard: 1000, dashboard_page: 1000, queue: 300, queue_page: 300, queue_next: 300, report_api: 100, report_new: 100 };
for (const [k, v] of Object.entries(m)) {
  const s = stats(v);
  console.log(`${k.padEnd(14)} median ${String(s.median).padStart(5)} ms, worst ${String(s.worst).padStart(5)} ms `
    + `(goal ${goals[k]} ms: ${s.median <= goals[k] ? 'met' : 'NOT met'})`);
}
