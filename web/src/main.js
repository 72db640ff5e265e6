// web/src/main.js - vigil's web app: a client of the /v1 JSON API only.
// Sign-in (and the forced first-password change), operations, the live
// dashboard, intake with a dry-run preview, the review queue (keyboard
// first), the item page, holds, referrals, and the liaison portal.  Pages
// are hash routes (#/ops/NAME/queue); every user string is rendered as
// text by dom.js.  The CSRF token lives in this module's memory only.
import { h, replace, field, num, dur, pct } from './dom.js';

// Chart.js is its own chunk (charts.js), loaded by the first dashboard: the
// other pages start without parsing it.
let charts = null;
const loadCharts = () => { charts = charts || import('./charts.js'); return charts; };

const main = () => document.getElementById('main');
let session = null; // {user, role, csrf, must_change_password}
let cleanup = []; // timers and listeners of the current page

// ---- the API ---------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body, type) {
  const headers = {};
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = type || 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  if (method !== 'GET' && session && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  const r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    const err = new ApiError(r.status, data && data.error ? data.error.code : '',
      data && data.error ? data.error.message : r.statusText);
    if (r.status === 401 && path !== '/v1/session') {
      session = null;
      location.hash = '#/signin';
    }
    if (err.code === 'password_change_required') location.hash = '#/password';
    throw err;
  }
  return data;
}

function toast(msg, kind) {
  const t = document.getElementById('toast');
  replace(t, h('div', { class: `msg ${kind || 'info'}` }, msg));
  const id = setTimeout(() => replace(t), 6000);
  return id;
}

function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, h('strong', {}, 'Error: '), e.message || String(e));
}

const can = {
  staff: () => session && session.role !== 'liaison',
  review: () => session && ['reviewer', 'coordinator', 'admin'].includes(session.role),
  coordinate: () => session && ['coordinator', 'admin'].includes(session.role),
  file: () => session && ['analyst', 'reviewer', 'coordinator', 'admin'].includes(session.role),
};

// ---- header and router -------------------------------------------------------------

function header(op) {
  const top = document.getElementById('top');
  if (!session) {
    replace(top, h('div', { class: 'brand' }, 'vigil'));
    return;
  }
  const links = [];
  if (session.role === 'liaison') {
    links.push(h('a', { href: '#/portal' }, 'Referrals and orders'));
  } else {
    links.push(h('a', { href: '#/ops' }, 'Operations'));
    if (op) {
      links.push(h('a', { href: `#/ops/${encodeURIComponent(op)}` }, 'Dashboard'));
      if (can.file()) links.push(h('a', { href: `#/ops/${encodeURIComponent(op)}/intake` }, 'Intake'));
      links.push(h('a', { href: `#/ops/${encodeURIComponent(op)}/queue` }, 'Queue'));
      links.push(h('a', { href: `#/ops/${encodeURIComponent(op)}/referrals` }, 'Referrals'));
    }
    links.push(h('a', { href: '#/holds' }, 'Holds'));
  }
  replace(top,
    h('div', { class: 'brand' }, 'vigil'),
    h('nav', { 'aria-label': 'Main' }, links),
    h('div', { class: 'who' },
      h('span', { 'data-testid': 'whoami' }, `${session.user} (${session.role})`),
      h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out')));
}

async function signOut() {
  try { await api('DELETE', '/v1/session'); } catch (e) { /* gone already */ }
  session = null;
  location.hash = '#/signin';
}

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(query || '');
  return { parts, q };
}

// Routes run one at a time, in order: a page still loading when the hash
// changes again (a slow answer) finishes first and is then replaced, so an
// older page can never overwrite a newer one or leave its timers behind.
let routing = Promise.resolve();
function route() {
  routing = routing.then(routeNow, routeNow).catch(() => {});
  return routing;
}

async function routeNow() {
  for (const c of cleanup) c();
  cleanup = [];
  const { parts, q } = parseHash();
  if (!session) {
    try {
      session = await api('GET', '/v1/session');
    } catch (e) {
      session = null;
    }
  }
  if (!session) {
    header();
    return pageSignIn();
  }
  if (session.must_change_password && parts[0] !== 'password') {
    location.hash = '#/password';
    return undefined;
  }
  const op = parts[0] === 'ops' && parts[1] ? parts[1] : null;
  header(op);
  try {
    if (parts[0] === 'password') return await pagePassword();
    if (session.role === 'liaison') return await pagePortal();
    if (parts[0] === 'ops' && !op) return await pageOps();
    if (op && !parts[2]) return await pageDashboard(op);
    if (op && parts[2] === 'intake') return await pageIntake(op);
    if (op && parts[2] === 'queue') return await pageQueue(op, q);
    if (op && parts[2] === 'referrals') return await pageReferrals(op);
    if (parts[0] === 'items' && parts[1]) return await pageItem(parts[1]);
    if (parts[0] === 'holds') return await pageHolds();
    location.hash = '#/ops';
  } catch (e) {
    replace(main(), errorBox(e));
  }
  return undefined;
}

function page(title, ...content) {
  document.title = `${title} - vigil`;
  replace(main(), h('h1', {}, title), content);
  main().focus({ preventScroll: true });
}

// ---- sign-in ------------------------------------------------------------------------

function pageSignIn() {
  const name = h('input', { name: 'username', autocomplete: 'username', required: true });
  const pw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'card narrow', 'aria-label': 'Sign in' },
    field('User name', name), field('Password', pw), msg,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(msg);
    try {
      session = await api('POST', '/v1/session', { name: name.value, password: pw.value });
      pw.value = '';
      location.hash = session.must_change_password ? '#/password'
        : session.role === 'liaison' ? '#/portal' : '#/ops';
      route();
    } catch (e) {
      replace(msg, errorBox(e));
      pw.value = '';
      pw.focus();
    }
  });
  page('Sign in', form);
  name.focus();
}

async function pagePassword() {
  const cur = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const fresh = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 12 });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'card narrow', 'aria-label': 'Change password' },
    session.must_change_password
      ? h('p', { class: 'notice' }, 'Your password was set by an administrator. Choose your own before you go on.')
      : null,
    field('Current password', cur), field('New password', fresh, 'At least 12 characters.'),
    field('New password again', again), msg, h('button', { type: 'submit' }, 'Change password'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (fresh.value !== again.value) {
      replace(msg, errorBox(new Error('the two new passwords differ')));
      return;
    }
    try {
      await api('POST', '/v1/session/password', { current: cur.value, new: fresh.value });
      session = await api('GET', '/v1/session');
      toast('Password changed.');
      location.hash = session.role === 'liaison' ? '#/portal' : '#/ops';
    } catch (e) {
      replace(msg, errorBox(e));
    }
  });
  page('Change password', form);
  cur.focus();
}

// ---- operations -------------------------------------------------------------------------

async function pageOps() {
  const ops = await api('GET', '/v1/operations');
  const rows = ops.map((o) => h('tr', {},
    h('td', {}, h('a', { href: `#/ops/${encodeURIComponent(o.name)}` }, o.name)),
    h('td', {}, o.coordinator), h('td', {}, (o.participants || []).join(', ')),
    h('td', { class: 'n' }, num(o.items)),
    h('td', {}, h('span', { class: `badge ${o.status}` }, o.status)),
    h('td', {}, can.coordinate() && o.status === 'open'
      ? h('button', { type: 'button', class: 'small', onclick: () => closeOp(o.name) }, `Close ${o.name}`) : null)));
  const table = h('table', {}, h('caption', {}, `${ops.length} operations`),
    h('thead', {}, h('tr', {}, ['Name', 'Coordinator', 'Agencies', 'Items', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows));
  let create = null;
  if (can.coordinate()) {
    const name = h('input', { required: true, name: 'opname' });
    const coord = h('input', { required: true, name: 'coordinator', placeholder: 'EU-IRU' });
    const parts = h('input', { name: 'participants', placeholder: 'DE-IRU, FR-IRU' });
    const msg = h('div', {});
    create = h('form', { class: 'card', 'aria-label': 'Create an operation' }, h('h2', {}, 'New operation'),
      h('div', { class: 'row' }, field('Name', name), field('Coordinating agency', coord),
        field('Participating agencies', parts, 'Agency codes, comma-separated')),
      msg, h('button', { type: 'submit' }, 'Create operation'));
    create.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const participants = parts.value.split(',').map((s) => s.trim()).filter(Boolean);
        await api('POST', '/v1/operations', { name: name.value, coordinator: coord.value, participants });
        toast(`Operation ${name.value} created.`);
        route();
      } catch (e) {
        replace(msg, errorBox(e));
      }
    });
  }
  page('Operations', table, create);
}

async function closeOp(name) {
  if (!await confirmBox(`Close operation ${name}? No more items can be filed.`)) return;
  try {
    await api('POST', `/v1/operations/${encodeURIComponent(name)}/close`);
    toast(`Operation ${name} closed.`);
    route();
  } catch (e) {
    toast(e.message, 'error');
  }
}

/** An in-page confirmation (no window.confirm): resolves true/false. */
function confirmBox(text) {
  return new Promise((resolve) => {
    const box = h('div', { class: 'confirm', role: 'alertdialog', 'aria-label': 'Confirm' });
    const done = (v) => { box.remove(); resolve(v); };
    const yes = h('button', { type: 'button', onclick: () => done(true) }, 'Confirm');
    replace(box, h('p', {}, text), yes, h('button', { type: 'button', class: 'secondary', onclick: () => done(false) }, 'Cancel'));
    box.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') done(false); });
    main().prepend(box);
    yes.focus();
  });
}

// ---- the dashboard ------------------------------------------------------------------------

// resolves after the browser has had a frame to paint what is on the page
const nextFrame = () => new Promise((res) => { requestAnimationFrame(() => setTimeout(res, 0)); });

const FIGURES = [
  ['items', 'Items'], ['contents', 'Distinct contents'], ['reports', 'Reports'], ['languages', 'Languages'], ['platforms', 'Platforms'],
  ['new_platforms', 'New platforms'], ['referred', 'Referred'], ['removed', 'Removed'],
  ['declined', 'Declined'], ['pending', 'Pending'], ['held', 'Held'], ['rejected', 'Rejected'],
];

async function pageDashboard(op) {
  // the report and Chart.js load side by side; the figures are drawn as soon
  // as the report is here, the charts once Chart.js is too
  const reportPath = `/v1/operations/${encodeURIComponent(op)}/report`;
  const first = api('GET', reportPath);
  const chartLib = loadCharts();
  first.catch(() => {}); // awaited below; a failure is shown there
  chartLib.catch(() => {});
  const figs = h('dl', { class: 'figures' });
  const extra = h('dl', { class: 'figures' });
  const charts = h('div', { class: 'charts' });
  const table = h('div', {});
  const clusters = h('section', { 'aria-label': 'Content clusters', 'data-testid': 'clusters' });
  const clusterMsg = h('div', { 'aria-live': 'polite' });
  const updated = h('p', { class: 'hint', 'aria-live': 'off' });
  page(`Operation ${op}`, updated, figs, extra, charts, table, clusterMsg, clusters);
  let Chart = null;
  const mk = (title, type, vertical) => {
    const canvas = h('canvas', { role: 'img', 'aria-label': title, width: 400, height: 240 });
    const empty = h('p', { class: 'empty hint', hidden: true }, 'No data yet.');
    charts.appendChild(h('figure', { class: 'chart' }, h('figcaption', {}, title), empty, h('div', { class: 'chart-box' }, canvas)));
    const c = new Chart(canvas, {
      type,
      data: { labels: [], datasets: [{ label: title, data: [], backgroundColor: '#3b6ea8', borderColor: '#3b6ea8' }] },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
        indexAxis: type === 'bar' && !vertical ? 'y' : 'x',
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true, ticks: { autoSkip: type !== 'bar' || vertical } } } },
    });
    c.$empty = empty;
    return c;
  };
  let cPlat, cLang, cType, cOver, cDist; // made once Chart.js is loaded
  const makeCharts = () => {
    cPlat = mk('Items by platform', 'bar');
    cLang = mk('Items by language', 'bar');
    cType = mk('Items by type', 'bar');
    cOver = mk('Removals over time since referral (hours)', 'line');
    cDist = mk('Time to removal (hours, items per bucket)', 'bar', true);
    cleanup.push(() => [cPlat, cLang, cType, cOver, cDist].forEach((c) => c.destroy()));
  };
  const set = (chart, obj, limit) => {
    const entries = Object.entries(obj || {}).slice(0, limit || 15);
    chart.data.labels = entries.map((e) => e[0]);
    chart.data.datasets[0].data = entries.map((e) => e[1]);
    chart.$empty.hidden = entries.some((e) => e[1] > 0);
    chart.update('none');
  };
  const drawFigures = (r) => {
    replace(figs, FIGURES.map(([k, label]) => h('div', { class: 'fig' }, h('dt', {}, label),
      h('dd', { 'data-testid': `fig-${k}` }, num(r[k])))));
    replace(extra,
      h('div', { class: 'fig' }, h('dt', {}, 'Removal rate'), h('dd', { 'data-testid': 'fig-removal_rate' }, pct(r.removal_rate))),
      h('div', { class: 'fig' }, h('dt', {}, 'Median time to removal'), h('dd', {}, dur(r.median_removal_seconds))),
      h('div', { class: 'fig' }, h('dt', {}, '90th percentile'), h('dd', {}, dur(r.p90_removal_seconds))),
      h('div', { class: 'fig' }, h('dt', {}, 'Reporting agencies'), h('dd', {}, num(r.reporting_agencies))),
      h('div', { class: 'fig' }, h('dt', {}, 'Re-uploads'), h('dd', {}, num(r.reuploads))));
    replace(table, h('table', {}, h('caption', {}, 'Per platform'),
      h('thead', {}, h('tr', {}, ['Platform', 'Status', 'Items', 'Referred', 'Removed', 'Removal rate', 'Median time to removal']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, (r.per_platform || []).map((p) => h('tr', {},
        h('td', {}, p.platform), h('td', {}, p.status === 'new' ? h('span', { class: 'badge new' }, 'new platform') : 'known'),
        h('td', { class: 'n' }, num(p.items)), h('td', { class: 'n' }, num(p.referred)), h('td', { class: 'n' }, num(p.removed)),
        h('td', { class: 'n' }, pct(p.removal_rate)), h('td', { class: 'n' }, dur(p.median_removal_seconds)))))));
  };
  const drawCharts = (r) => {
    const byPlat = {};
    for (const p of r.per_platform || []) byPlat[p.platform] = p.items;
    set(cPlat, byPlat);
    set(cLang, r.by_language);
    set(cType, r.by_type);
    // removal times, by whole hours since the referral (computed by the server)
    const byHour = r.removals_by_hour || [];
    const step = Math.max(1, Math.ceil(byHour.length / 12));
    const cum = { 0: 0 }, hist = {};
    let run = 0;
    for (let t = 0; t < Math.max(byHour.length, 1); t += step) {
      let n = 0;
      for (let k = t; k < t + step && k < byHour.length; k++) n += byHour[k];
      hist[t + step >= 73 && byHour.length === 73 ? `${t}+` : `${t}-${t + step}`] = n;
      run += n;
      cum[`${t + step}`] = run;
    }
    set(cOver, cum, 50);
    set(cDist, hist, 50);
  };
  const show = async (r) => {
    drawFigures(r);
    if (Chart) drawCharts(r);
    await drawClusters();
    replace(updated, `Updated ${new Date().toLocaleTimeString('en-GB')} (refreshes every 4 s)`);
  };
  const refresh = async () => show(await api('GET', reportPath));
  // the same content on several platforms; a coordinator refers a whole cluster
  const referCluster = async (c) => {
    const n = c.referable;
    if (!await confirmBox(`Refer the ${n} assessed item${n === 1 ? '' : 's'} of cluster ${c.id} to their platforms `
      + `(${c.platforms.join(', ')})?`)) return;
    try {
      const r = await api('POST', `/v1/operations/${encodeURIComponent(op)}/clusters/${c.id}/refer`, {});
      replace(clusterMsg, h('p', { class: 'ok', 'data-testid': 'cluster-referred' },
        `Cluster ${c.id}: ${r.referrals.length} referral${r.referrals.length === 1 ? '' : 's'} created `
        + `(${r.referrals.reduce((k, d) => k + (d.items || []).length, 0)} items).`));
      await refresh();
    } catch (e) {
      replace(clusterMsg, errorBox(e));
    }
  };
  const drawClusters = async () => {
    const cs = await api('GET', `/v1/operations/${encodeURIComponent(op)}/clusters?limit=20`);
    replace(clusters, h('table', {}, h('caption', {}, `Content clusters: the same content on several platforms (${cs.length}${cs.length === 20 ? '+' : ''})`),
      h('thead', {}, h('tr', {}, ['Cluster', 'Items', 'Platforms', 'First seen', 'Last seen', 'Still up', 'Assessed', '']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, cs.length ? cs.map((c) => h('tr', { 'data-cluster': c.id },
        h('td', { class: 'n' }, h('a', { href: `#/items/${c.id}` }, `#${c.id}`)),
        h('td', { class: 'n' }, num(c.items)), h('td', {}, (c.platforms || []).join(', ')),
        h('td', {}, c.first_seen || '–'), h('td', {}, c.last_seen || '–'),
        h('td', { class: 'n' }, num(c.still_up)), h('td', { class: 'n' }, num(c.referable)),
        h('td', {}, can.coordinate() ? h('button', { type: 'button', class: 'small', disabled: !c.referable,
          'aria-label': `Refer whole cluster ${c.id}`, onclick: () => referCluster(c) }, 'Refer whole cluster') : null)))
        : h('tr', {}, h('td', { colspan: 8 }, 'No content seen on more than one item yet.')))));
  };
  const r0 = await first;
  drawFigures(r0);
  await nextFrame(); // the figures painted before the charts are built
  ({ Chart } = await chartLib);
  makeCharts();
  await show(r0);
  const timer = setInterval(() => { refresh().catch(() => {}); }, 4000);
  cleanup.push(() => clearInterval(timer));
}

// ---- intake ---------------------------------------------------------------------------------

/** The records of a CSV text (a quoted field may hold line breaks). */
function csvRecords(text) {
  const out = [];
  let cur = '', quoted = false;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    cur = cur ? `${cur}\n${line}` : line;
    quoted = (cur.match(/"/g) || []).length % 2 === 1;
    if (!quoted) {
      if (cur.trim()) out.push(cur);
      cur = '';
    }
  }
  if (cur.trim()) out.push(cur);
  return out;
}

function csvCell(s) {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function pageIntake(op) {
  const urls = h('textarea', { rows: 8, name: 'urls', spellcheck: 'false', placeholder: 'https://t.me/channel/123\nhttps://youtu.be/...' });
  const preview = h('div', { 'aria-live': 'polite' });
  const saveMsg = h('div', { 'aria-live': 'polite' });
  let lines = [];
  const save = h('button', { type: 'button', disabled: true, onclick: async () => {
    try {
      const csv = `url\n${lines.map(csvCell).join('\n')}\n`;
      const r = await api('POST', `/v1/operations/${encodeURIComponent(op)}/items/import`, csv, 'text/csv');
      replace(saveMsg, h('p', { class: 'ok', 'data-testid': 'saved' },
        `Saved: ${r.created} new items, ${r.merged} merged into existing items, ${r.held} held.`));
      save.disabled = true;
    } catch (e) {
      replace(saveMsg, errorBox(e));
    }
  } }, 'Save all');
  const doPreview = async () => {
    lines = urls.value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean).slice(0, 1000);
    replace(saveMsg);
    if (!lines.length) {
      replace(preview, h('p', {}, 'Paste one URL per line.'));
      return;
    }
    try {
      const r = await api('POST', '/v1/items/preview', { op, urls: lines });
      const bad = r.preview.filter((p) => p.error).length;
      replace(preview, h('table', { 'data-testid': 'preview' },
        h('caption', {}, `${r.preview.length} lines: ${r.preview.filter((p) => !p.error && !p.duplicate).length} new, `
          + `${r.preview.filter((p) => p.duplicate).length} duplicates, ${bad} refused`),
        h('thead', {}, h('tr', {}, ['Line', 'Canonical URL', 'Platform', 'What saving does'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, r.preview.map((p) => h('tr', { class: p.error ? 'refused' : '' },
          h('td', { class: 'n' }, p.line),
          h('td', { class: 'url' }, p.error ? p.url : p.canonical_url),
          h('td', {}, p.platform || '', p.new_platform ? h('span', { class: 'badge new', 'data-testid': 'new-platform' }, 'new platform') : null),
          h('td', {}, p.error ? h('span', { class: 'badge bad' }, `refused: ${p.error}`)
            : [p.duplicate ? h('span', { class: 'badge dup', 'data-testid': 'duplicate' },
              p.duplicate_of ? `duplicate: merged into item ${p.duplicate_of}` : `duplicate of line ${p.duplicate_of_line}`)
              : h('span', { class: 'badge' }, 'new item'),
            p.held ? h('span', { class: 'badge held' }, 'would be held') : null,
            p.reupload_of ? h('span', { class: 'badge' }, `re-upload of item ${p.reupload_of}`) : null]))))));
      lines = lines.filter((_, i) => !r.preview[i].error);
      save.disabled = !lines.length;
    } catch (e) {
      replace(preview, errorBox(e));
    }
  };
  const bulk = h('section', { class: 'card', 'aria-label': 'Paste URLs' }, h('h2', {}, 'Paste URLs'),
    field('URLs, one per line', urls),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: doPreview }, 'Preview'), save),
    preview, saveMsg);
  // a CSV file, sent in chunks of 500 rows (progress), bad rows skipped and listed
  const file = h('input', { type: 'file', name: 'csv', accept: '.csv,text/csv' });
  const progress = h('progress', { max: 1, value: 0, 'aria-label': 'Import progress' });
  const csvMsg = h('div', { 'aria-live': 'polite' });
  const csvForm = h('form', { class: 'card', 'aria-label': 'Import a CSV file' }, h('h2', {}, 'Import a CSV file'),
    field('CSV file', file, 'Header: url,type,language,affiliation,outlet,observed_at,analyst,hashes,notes,text,vpdq (url required).'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Import'), progress), csvMsg);
  csvForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!file.files || !file.files[0]) return;
    const rows = csvRecords(await file.files[0].text());
    const head = rows.shift() || '';
    const total = rows.length;
    const sum = { created: 0, merged: 0, held: 0, bad: 0 };
    const bad = [];
    progress.max = Math.max(total, 1);
    progress.value = 0;
    try {
      for (let i = 0; i < total; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const r = await api('POST', `/v1/operations/${encodeURIComponent(op)}/items/import?skip_bad=1`,
          `${head}\n${chunk.join('\n')}\n`, 'text/csv');
        for (const k of Object.keys(sum)) sum[k] += r[k] || 0;
        for (const b of r.bad_rows || []) bad.push({ line: b.line + i, message: b.message });
        progress.value = Math.min(total, i + chunk.length);
        replace(csvMsg, h('p', {}, `${progress.value} of ${total} rows sent…`));
      }
      replace(csvMsg, h('p', { class: 'ok', 'data-testid': 'imported' },
        `Imported ${total} rows: ${sum.created} new items, ${sum.merged} merged, ${sum.held} held, ${sum.bad} refused.`),
      bad.length ? h('table', { 'data-testid': 'bad-rows' }, h('caption', {}, 'Refused rows'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Why'))),
        h('tbody', {}, bad.map((b) => h('tr', {}, h('td', { class: 'n' }, b.line), h('td', {}, b.message))))) : null);
    } catch (e) {
      replace(csvMsg, errorBox(e));
    }
  });
  // the single-item form
  const fUrl = h('input', { name: 'url', required: true, spellcheck: 'false' });
  const fType = h('select', { name: 'type' }, ['post', 'video', 'image', 'audio', 'publication', 'account', 'other'].map((t) => h('option', { value: t }, t)));
  const fLang = h('input', { name: 'languages', placeholder: 'ar, en' });
  const fAff = h('input', { name: 'affiliation' });
  const fOut = h('input', { name: 'outlet' });
  const fNotes = h('textarea', { name: 'notes', rows: 3 });
  const fText = h('textarea', { name: 'text', rows: 3 });
  const fVpdq = h('input', { type: 'file', name: 'vpdq', accept: '.vpdq,.txt,.json,text/plain' });
  const oneMsg = h('div', { 'aria-live': 'polite' });
  const one = h('form', { class: 'card', 'aria-label': 'One item' }, h('h2', {}, 'One item'),
    field('URL', fUrl), h('div', { class: 'row' }, field('Type', fType), field('Languages', fLang, 'ISO 639-1 codes, comma-separated'),
      field('Affiliation', fAff), field('Outlet', fOut)),
    field('Notes', fNotes), field('Text (statement, caption)', fText),
    field('Video hash file', fVpdq, 'The output of vigil hash --vpdq VIDEO (or any vPDQ form): matching videos join one content cluster.'),
    oneMsg, h('button', { type: 'submit' }, 'File item'));
  one.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { op, url: fUrl.value, type: fType.value };
    const langs = fLang.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (langs.length) body.languages = langs;
    if (fAff.value) body.affiliation = fAff.value;
    if (fOut.value) body.outlet = fOut.value;
    if (fNotes.value) body.notes = fNotes.value;
    if (fText.value) body.text = fText.value;
    try {
      if (fVpdq.files && fVpdq.files[0]) { // `vigil hash --vpdq` prints VALUE,PATH
        const v = (await fVpdq.files[0].text()).trim();
        body.vpdq = /^vpdqr?1:/.test(v) ? v.split(',')[0] : v;
      }
      const r = await api('POST', '/v1/items', body);
      replace(oneMsg, h('p', { class: 'ok' }, r.created ? `Item ${r.id} filed (${r.state}). ` : `Merged into item ${r.id}. `,
        h('a', { href: `#/items/${r.id}` }, `Open item ${r.id}`)));
    } catch (e) {
      replace(oneMsg, errorBox(e));
    }
  });
  page(`Intake: ${op}`, bulk, csvForm, one);
}

// ---- the queue -----------------------------------------------------------------------------------

const STATES = ['', 'identified', 'assessed', 'held', 'referred', 'removed', 'declined', 'no_response', 'rejected'];

async function pageQueue(op, q) {
  const filt = { state: q.has('state') ? q.get('state') : (can.review() ? 'identified' : ''), platform: q.get('platform') || '',
    lang: q.get('lang') || '', type: q.get('type') || '', agency: q.get('agency') || '',
    reporter: q.get('reporter') || '', sort: q.get('sort') || '' };
  // pages: keyset cursors (`after`) in id order, offsets in the other orders
  const byOffset = !!filt.sort && filt.sort !== 'id';
  const fetchPage = (after) => {
    const p = new URLSearchParams({ op, limit: '50' });
    for (const k of ['state', 'platform', 'lang', 'type', 'agency', 'reporter', 'sort']) if (filt[k]) p.set(k, filt[k]);
    if (after) p.set(byOffset ? 'offset' : 'after', String(after));
    return api('GET', `/v1/items?${p}`);
  };
  // the first page is asked for at once, while the page is built
  const firstPage = fetchPage(0);
  firstPage.catch(() => {}); // awaited at the end; a failure is shown there
  const cursors = [0];
  let items = [], cur = 0, next = null;
  const selected = new Set();
  const list = h('tbody', {});
  const status = h('p', { class: 'hint', 'aria-live': 'polite' });
  const msg = h('div', { 'aria-live': 'assertive' });
  const fState = h('select', { name: 'state' }, STATES.map((s) => h('option', { value: s, selected: s === filt.state }, s || 'any')));
  const fPlat = h('input', { name: 'platform', value: filt.platform, placeholder: 'any' });
  const fLang = h('input', { name: 'lang', value: filt.lang, placeholder: 'any', size: 4 });
  const fType = h('select', { name: 'type' }, ['', 'post', 'video', 'image', 'audio', 'publication', 'account', 'other'].map((s) => h('option', { value: s, selected: s === filt.type }, s || 'any')));
  const fAgency = h('input', { name: 'agency', value: filt.agency, placeholder: 'any', size: 8, spellcheck: 'false' });
  const fReporter = h('input', { name: 'reporter', value: filt.reporter, placeholder: 'any', size: 10, spellcheck: 'false' });
  const SORTS = [['', 'oldest first'], ['-id', 'newest first'], ['observed_at', 'observed, earliest'],
    ['-observed_at', 'observed, latest'], ['platform', 'platform A-Z'], ['-platform', 'platform Z-A'], ['state', 'state']];
  const fSort = h('select', { name: 'sort' }, SORTS.map(([v, t]) => h('option', { value: v, selected: v === filt.sort }, t)));
  const filters = h('form', { class: 'filters', 'aria-label': 'Filters' },
    field('State', fState), field('Platform', fPlat), field('Language', fLang), field('Type', fType),
    field('Agency', fAgency), field('Reporter', fReporter), field('Sort', fSort),
    h('button', { type: 'submit' }, 'Filter'));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    p.set('state', fState.value); // '' is "any", kept so that the reviewers' default does not come back
    if (fPlat.value) p.set('platform', fPlat.value);
    if (fLang.value) p.set('lang', fLang.value);
    if (fType.value) p.set('type', fType.value);
    if (fAgency.value.trim()) p.set('agency', fAgency.value.trim());
    if (fReporter.value.trim()) p.set('reporter', fReporter.value.trim());
    if (fSort.value) p.set('sort', fSort.value);
    location.hash = `#/ops/${encodeURIComponent(op)}/queue?${p}`;
  });
  const load = async (after, pending) => {
    const r = await (pending || fetchPage(after));
    items = r.items;
    next = byOffset ? r.next_offset : r.next;
    cur = Math.min(cur, Math.max(0, items.length - 1));
    draw();
  };
  const draw = () => {
    replace(list, items.map((it, i) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `Select item ${it.id}`, checked: selected.has(it.id),
        onchange: (ev) => { if (ev.target.checked) selected.add(it.id); else selected.delete(it.id); drawStatus(); } });
      return h('tr', { class: i === cur ? 'current' : '', 'data-id': it.id, 'aria-selected': i === cur ? 'true' : 'false' },
        h('td', {}, box), h('td', { class: 'n' }, h('a', { href: `#/items/${it.id}` }, it.id)),
        h('td', { class: 'url' }, it.canonical_url), h('td', {}, it.platform), h('td', {}, it.type),
        h('td', {}, (it.languages || []).join(', ')), h('td', {}, it.agency || ''),
        h('td', {}, h('span', { class: `badge st-${it.state}`, 'data-testid': `state-${it.id}` }, it.state)));
    }));
    drawStatus();
  };
  const drawStatus = () => replace(status, `${items.length} items on this page, ${selected.size} selected. `
    + 'Keys: j/k move, x select, a assess, r reject, ? help.');
  const targets = () => (selected.size ? items.filter((it) => selected.has(it.id)) : items[cur] ? [items[cur]] : []);
  const act = async (verb, its, note) => {
    let ok = 0;
    const errors = [];
    for (const it of its) {
      try {
        const body = { expect: it.state };
        if (note) body.note = note;
        const r = await api('POST', `/v1/items/${it.id}/${verb}`, body);
        it.state = r.state;
        ok++;
      } catch (e) {
        errors.push(e.status === 409 ? `Not changed: ${e.message}` : `Item ${it.id}: ${e.message}`);
      }
    }
    selected.clear();
    replace(msg, ok ? h('p', { class: 'ok' }, `${verb === 'assess' ? 'Assessed' : 'Rejected'} ${ok} item${ok === 1 ? '' : 's'}.`) : null,
      errors.map((t) => h('p', { class: 'error', role: 'alert', 'data-testid': 'conflict' }, t)));
    draw();
  };
  const assess = async () => {
    const its = targets();
    if (!its.length || !can.review()) return;
    if (its.length > 1 && !await confirmBox(`Assess ${its.length} items?`)) return;
    await act('assess', its);
  };
  const reject = async () => {
    const its = targets();
    if (!its.length || !can.review()) return;
    const reason = h('input', { name: 'reason', required: true });
    const form = h('form', { class: 'confirm', 'aria-label': 'Reject' },
      field(`Reason for rejecting ${its.length} item${its.length === 1 ? '' : 's'} (required)`, reason),
      h('button', { type: 'submit' }, `Reject ${its.length}`),
      h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, 'Cancel'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) return;
      form.remove();
      await act('reject', its, reason.value.trim());
    });
    main().prepend(form);
    reason.focus();
  };
  const help = h('div', { class: 'card help', hidden: true, role: 'note' }, h('h2', {}, 'Keyboard'),
    h('ul', {}, [['j / k', 'next / previous item'], ['x', 'select or unselect'], ['a', 'assess the selected items (or the current one)'],
      ['r', 'reject, with a reason'], ['Enter', 'open the item'], ['?', 'this help']].map(([k, t]) => h('li', {}, h('kbd', {}, k), ` ${t}`))));
  const onKey = (ev) => {
    const t = ev.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === 'j') { cur = Math.min(cur + 1, items.length - 1); draw(); } else if (ev.key === 'k') { cur = Math.max(cur - 1, 0); draw(); } else if (ev.key === 'x' && items[cur]) {
      const id = items[cur].id;
      if (selected.has(id)) selected.delete(id); else selected.add(id);
      draw();
    } else if (ev.key === 'a') assess();
    else if (ev.key === 'r') { ev.preventDefault(); reject(); } else if (ev.key === '?') help.hidden = !help.hidden;
    else if (ev.key === 'Enter' && items[cur]) location.hash = `#/items/${items[cur].id}`;
    else return;
    ev.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  cleanup.push(() => document.removeEventListener('keydown', onKey));
  const prev = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    if (cursors.length > 1) { cursors.pop(); await load(cursors[cursors.length - 1]); }
  } }, 'Previous page');
  const nextB = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    if (next) { cursors.push(next); await load(next); }
  } }, 'Next page');
  const bulk = can.review() ? h('div', { class: 'actions' },
    h('button', { type: 'button', onclick: assess }, 'Assess (a)'),
    h('button', { type: 'button', onclick: reject }, 'Reject (r)'),
    can.coordinate() ? h('a', { href: `#/ops/${encodeURIComponent(op)}/referrals`, class: 'button' }, 'Refer assessed items…') : null) : null;
  page(`Queue: ${op}`, filters, bulk, msg, help, status,
    h('table', { class: 'queue' }, h('caption', { class: 'sr' }, 'Items'),
      h('thead', {}, h('tr', {}, ['', 'Id', 'Canonical URL', 'Platform', 'Type', 'Languages', 'Agency', 'State'].map((t) => h('th', { scope: 'col' }, t)))),
      list), h('div', { class: 'actions' }, prev, nextB));
  await load(0, firstPage);
}

// ---- the item page ---------------------------------------------------------------------------------

function openAction(url) {
  // a deliberate action: the URL is shown as text; opening it is a button
  const b = h('button', { type: 'button', class: 'small secondary', onclick: async () => {
    if (!/^https?:\/\//i.test(url)) { toast('only http(s) URLs can be opened', 'error'); return; }
    if (await confirmBox(`Open ${url} in a new tab? The page may show terrorist content.`)) {
      window.open(url, '_blank', 'noopener,noreferrer');
    }
  } }, 'Open…');
  return b;
}

/** Why a copy is in the item's cluster, as text: its direct links (`via`), or none (a chain). */
function linkedBy(via) {
  if (!Array.isArray(via)) return '–'; // a server before `via`
  if (!via.length) return 'through other copies';
  const say = (l) => {
    switch (l.signal) {
      case 'md5': return 'same MD5';
      case 'sha256': return 'same SHA-256';
      case 'pdq': return `PDQ distance ${l.distance}`;
      case 'text': return `text ${Math.round(l.similarity * 100)} % alike`;
      case 'video': return 'matching video';
      default: return String(l.signal);
    }
  };
  return via.map(say).join(', ');
}

async function pageItem(id) {
  const it = await api('GET', `/v1/items/${encodeURIComponent(id)}`);
  if (session.role !== 'liaison') header(it.operation);
  const dl = (pairs) => h('dl', { class: 'kv' }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v === null || v === undefined || v === '' ? '–' : v)]));
  const sections = [
    dl([['State', h('span', { class: `badge st-${it.state}` }, it.state)], ['Operation', it.operation], ['Platform', it.platform],
      ['Account', it.account], ['Type', it.type], ['Languages', (it.languages || []).join(', ')], ['Affiliation', it.affiliation],
      ['Outlet', it.outlet], ['Observed', it.observed_at], ['Reported by', `${it.reported_by || ''} (${it.agency || ''})`],
      ['Re-upload of', it.reupload_of ? h('a', { href: `#/items/${it.reupload_of}` }, `item ${it.reupload_of}`) : null],
      ['Notes', it.notes]]),
    h('h2', {}, 'URLs'),
    h('ul', { class: 'urls' }, h('li', {}, h('code', { class: 'url' }, it.canonical_url), ' (canonical) ', openAction(it.canonical_url)),
      (it.urls || []).filter((u) => u !== it.canonical_url).map((u) => h('li', {}, h('code', { class: 'url' }, u), ' ', openAction(u)))),
    h('p', { class: 'hint' }, 'Media are not shown here. When they are, reviewers see them blurred and in greyscale until revealed, never autoplaying.'),
    h('h2', {}, 'Reports'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Agency', 'User', 'URL', 'Observed', 'Reported'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, (it.reports || []).map((r) => h('tr', {}, h('td', {}, r.agency), h('td', {}, r.user), h('td', { class: 'url' }, r.url),
        h('td', {}, r.observed_at || '–'), h('td', {}, r.reported_at))))),
    h('h2', {}, 'History'),
    h('ol', { class: 'timeline' }, (it.history || []).map((e) => h('li', {}, h('time', {}, e.at), ' ',
      h('strong', {}, `${e.from || 'new'} → ${e.to}`), ` by ${e.by}`, e.note ? ` (${e.note})` : ''))),
    h('h2', {}, 'Hashes'),
    (it.hashes || []).length ? h('ul', {}, it.hashes.map((x) => h('li', {}, h('code', {}, x)))) : h('p', {}, 'None.'),
    (it.holds || []).length ? [h('h2', {}, 'Holds'), h('ul', {}, it.holds.map((x) => h('li', {},
      `Held for ${x.agency}: contact them before acting (${x.reason || ''})`)))] : null,
    it.cluster ? [h('h2', {}, 'Content cluster'),
      h('p', { 'data-testid': 'item-cluster' }, it.cluster.items > 1
        ? `${it.cluster.id !== null && it.cluster.id !== undefined ? `Cluster #${it.cluster.id}: ` : ''}the same content as ${it.cluster.items - 1} other item${it.cluster.items === 2 ? '' : 's'}.`
        : 'No other item carries this content.'),
      (it.cluster.copies || []).length ? h('table', {}, h('thead', {}, h('tr', {}, ['Item', 'Platform', 'State', 'Canonical URL', 'Linked by'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, it.cluster.copies.map((x) => h('tr', { 'data-copy': x.id }, h('td', { class: 'n' }, h('a', { href: `#/items/${x.id}` }, `item ${x.id}`)),
          h('td', {}, x.platform), h('td', {}, h('span', { class: `badge st-${x.state}` }, x.state)), h('td', { class: 'url' }, x.canonical_url),
          h('td', { 'data-testid': 'copy-via' }, linkedBy(x.via)))))) : null] : null,
    (it.reuploads || []).length ? [h('h2', {}, 'Re-uploads'), h('ul', {}, it.reuploads.map((x) => h('li', {},
      h('a', { href: `#/items/${x.id}` }, `item ${x.id}`), ` ${x.canonical_url || ''}`)))] : null,
  ];
  // its audit events, for the agencies' staff and admins (the API decides), after the page
  const audit = h('section', { 'aria-label': 'Audit events' });
  if (session.role !== 'liaison') sections.push(audit);
  page(`Item ${it.id}`, h('p', {}, h('code', { class: 'url big' }, it.canonical_url)), sections);
  if (session.role !== 'liaison') {
    try {
      const ev = await api('GET', `/v1/items/${encodeURIComponent(id)}/audit?limit=100`);
      replace(audit, h('h2', {}, 'Audit events'), h('ol', { class: 'timeline', 'data-testid': 'item-audit' },
        ev.map((e) => h('li', {}, h('time', {}, e.at), ` ${e.action} by ${e.actor}`,
          (e.changed || []).length ? ` (changed: ${e.changed.join(', ')})` : ''))));
    } catch (e) { /* not for this role */ }
  }
}

// ---- holds ---------------------------------------------------------------------------------------------

async function pageHolds() {
  const holds = await api('GET', '/v1/holds');
  const msg = h('div', { 'aria-live': 'polite' });
  const rows = holds.map((x) => h('tr', {}, h('td', { class: 'n' }, x.id), h('td', {}, x.agency), h('td', {}, x.kind),
    h('td', { class: 'url' }, x.value), h('td', {}, x.reason), h('td', { class: 'n' }, num((x.items || []).length)),
    h('td', {}, x.active ? h('button', { type: 'button', class: 'small', onclick: async () => {
      if (!await confirmBox(`Release hold ${x.id}? Its items go back to review.`)) return;
      try { await api('POST', `/v1/holds/${x.id}/release`); route(); } catch (e) { replace(msg, errorBox(e)); }
    } }, `Release ${x.id}`) : 'released')));
  const agency = h('input', { name: 'agency', required: true });
  const kind = h('select', { name: 'kind' }, ['prefix', 'account', 'hash'].map((k) => h('option', { value: k }, k)));
  const value = h('input', { name: 'value', required: true, spellcheck: 'false' });
  const reason = h('input', { name: 'reason', required: true });
  const form = h('form', { class: 'card', 'aria-label': 'Add a hold' }, h('h2', {}, 'New hold'),
    h('div', { class: 'row' }, field('Holding agency', agency), field('Kind', kind),
      field('Value', value, 'A URL prefix, PLATFORM:ACCOUNT, or a hash'), field('Reason', reason)),
    h('button', { type: 'submit' }, 'Add hold'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/v1/holds', { agency: agency.value, [kind.value]: value.value, reason: reason.value });
      route();
    } catch (e) { replace(msg, errorBox(e)); }
  });
  page('Holds (deconfliction)', msg, h('table', {}, h('caption', {}, `${holds.length} holds`),
    h('thead', {}, h('tr', {}, ['Id', 'Agency', 'Kind', 'Value', 'Reason', 'Items', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)), form);
}

// ---- referrals ------------------------------------------------------------------------------------------

function referralFiles(ref) {
  const json = new Blob([JSON.stringify(ref, null, 2)], { type: 'application/json' });
  const head = 'referral_id,platform,item_id,canonical_url,response,responded_at';
  const csv = new Blob([`${head}\n${(ref.items || []).map((it) => [ref.referral_id, ref.platform, it.item_id, it.canonical_url,
    it.response || '', it.responded_at || ''].map((v) => csvCell(String(v))).join(',')).join('\n')}\n`], { type: 'text/csv' });
  return [h('a', { blob: json, download: `referral-${ref.referral_id}.json`, class: 'button small secondary' }, 'JSON'), ' ',
    h('a', { blob: csv, download: `referral-${ref.referral_id}.csv`, class: 'button small secondary' }, 'CSV')];
}

function referralTable(refs) {
  return h('table', {}, h('caption', {}, `${refs.length} referrals`),
    h('thead', {}, h('tr', {}, ['Id', 'Platform', 'Sent', 'By', 'Items', 'Removed', 'Download'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, refs.map((r) => h('tr', {}, h('td', { class: 'n' }, r.referral_id), h('td', {}, r.platform), h('td', {}, r.sent_at),
      h('td', {}, r.referred_by), h('td', { class: 'n' }, num((r.items || []).length)),
      h('td', { class: 'n' }, num((r.items || []).filter((i) => i.response === 'removed').length)), h('td', {}, referralFiles(r))))));
}

async function pageReferrals(op) {
  const refs = await api('GET', `/v1/referrals?op=${encodeURIComponent(op)}`);
  const msg = h('div', { 'aria-live': 'polite' });
  let form = null;
  if (can.coordinate()) {
    const assessed = await api('GET', `/v1/items?op=${encodeURIComponent(op)}&state=assessed&limit=10000`);
    const byPlat = {};
    for (const it of assessed.items) byPlat[it.platform] = (byPlat[it.platform] || 0) + 1;
    const plat = h('select', { name: 'platform' }, h('option', { value: '' }, `every platform (${assessed.items.length} items)`),
      Object.entries(byPlat).map(([p, n]) => h('option', { value: p }, `${p} (${n} items)`)));
    form = h('form', { class: 'card', 'aria-label': 'Refer' }, h('h2', {}, 'Refer assessed items'),
      field('Platform', plat), h('button', { type: 'submit', disabled: !assessed.items.length }, 'Refer…'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const n = plat.value ? byPlat[plat.value] : assessed.items.length;
      if (!await confirmBox(`Refer ${n} assessed item${n === 1 ? '' : 's'} to ${plat.value || 'their platforms'}?`)) return;
      try {
        const body = { op };
        if (plat.value) body.platform = plat.value;
        const r = await api('POST', '/v1/referrals', body);
        toast(`${r.referrals.length} referral${r.referrals.length === 1 ? '' : 's'} created.`);
        route();
      } catch (e) { replace(msg, errorBox(e)); }
    });
  }
  page(`Referrals: ${op}`, msg, form, referralTable(refs));
}

// ---- the liaison portal -----------------------------------------------------------------------------------

async function pagePortal() {
  const [refs, orders] = await Promise.all([api('GET', '/v1/referrals'), api('GET', '/v1/orders')]);
  const msg = h('div', { 'aria-live': 'polite' });
  const clocks = [];
  const orderRows = orders.map((o) => {
    const clock = h('span', { class: 'clock' });
    clocks.push([clock, o]);
    const reason = h('select', { 'aria-label': `Reason order ${o.id} was not acted on` },
      [['force_majeure', 'force majeure'], ['impossibility', 'de facto impossibility'], ['manifest_error', 'manifest error'],
        ['insufficient_information', 'insufficient information'], ['other', 'other']].map(([v, t]) => h('option', { value: v }, t)));
    const acts = ['open', 'acknowledged'].includes(o.status) ? h('div', { class: 'actions tight' },
      o.status === 'open' ? h('button', { type: 'button', class: 'small secondary', onclick: () => orderAct(o, 'ack') }, 'Acknowledge') : null,
      h('button', { type: 'button', class: 'small', onclick: () => orderAct(o, 'done') }, 'Removed'),
      h('button', { type: 'button', class: 'small secondary', onclick: () => orderAct(o, 'fail', reason.value) }, 'Not removed:'), reason) : null;
    return h('tr', {}, h('td', { class: 'n' }, o.id), h('td', {}, o.authority), h('td', { class: 'url' }, o.url),
      h('td', {}, o.received_at), h('td', {}, h('span', { class: `badge st-${o.status}` }, o.status), ' ', clock), h('td', {}, acts));
  });
  const orderAct = async (o, verb, why) => {
    try {
      const body = verb === 'fail' ? { reason: why } : {};
      await api('POST', `/v1/orders/${o.id}/${verb}`, body);
      route();
    } catch (e) { replace(msg, errorBox(e)); }
  };
  const tick = () => {
    const now = Date.now();
    for (const [el, o] of clocks) {
      if (!['open', 'acknowledged'].includes(o.status)) { replace(el); continue; }
      const left = (Date.parse(o.deadline_at) - now) / 1000;
      replace(el, left > 0 ? `${dur(left)} left of the hour` : `overdue by ${dur(-left)}`);
      el.className = left > 0 ? 'clock' : 'clock overdue';
    }
  };
  tick();
  const timer = setInterval(tick, 1000);
  cleanup.push(() => clearInterval(timer));
  const outcome = async (item, out) => {
    try {
      await api('POST', `/v1/items/${item.item_id}/outcome`, { outcome: out });
      item.response = out;
      toast(`Item ${item.item_id}: ${out}.`);
      route();
    } catch (e) { replace(msg, errorBox(e)); }
  };
  const bulkOutcome = async (r, out) => {
    const open = (r.items || []).filter((it) => !it.response || it.response === 'no_response');
    if (!open.length) return;
    if (!await confirmBox(`Record ${open.length} item${open.length === 1 ? '' : 's'} of referral ${r.referral_id} as ${out}?`)) return;
    let n = 0;
    for (const it of open) {
      try { await api('POST', `/v1/items/${it.item_id}/outcome`, { outcome: out }); n++; } catch (e) { replace(msg, errorBox(e)); }
    }
    toast(`${n} item${n === 1 ? '' : 's'} recorded as ${out}.`);
    route();
  };
  const refSections = refs.map((r) => h('section', { class: 'card', 'aria-label': `Referral ${r.referral_id}` },
    h('h3', {}, `Referral ${r.referral_id} to ${r.platform}, sent ${r.sent_at}`),
    h('p', { class: 'actions' }, referralFiles(r),
      h('button', { type: 'button', class: 'small secondary', onclick: () => bulkOutcome(r, 'removed') }, 'All open: removed'),
      h('button', { type: 'button', class: 'small secondary', onclick: () => bulkOutcome(r, 'declined') }, 'All open: declined')),
    h('table', {}, h('thead', {}, h('tr', {}, ['Item', 'URL', 'Response', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, (r.items || []).map((it) => h('tr', {}, h('td', { class: 'n' }, it.item_id), h('td', { class: 'url' }, it.canonical_url),
        h('td', { 'data-testid': `response-${it.item_id}` }, it.response || 'awaiting'),
        h('td', {}, it.response && it.response !== 'no_response' ? null : [
          h('button', { type: 'button', class: 'small', onclick: () => outcome(it, 'removed') }, `Removed ${it.item_id}`), ' ',
          h('button', { type: 'button', class: 'small secondary', onclick: () => outcome(it, 'declined') }, `Declined ${it.item_id}`)])))))));
  page('Referrals and removal orders', msg,
    h('h2', {}, `Removal orders (${orders.length})`),
    orders.length ? h('table', { 'data-testid': 'orders' }, h('thead', {}, h('tr', {}, ['Id', 'Authority', 'URL', 'Received', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, orderRows)) : h('p', {}, 'No removal orders for your platform.'),
    h('h2', {}, `Referrals (${refs.length})`),
    refs.length ? refSections : h('p', { 'data-testid': 'no-referrals' }, 'No referrals for your platform.'));
}

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', route);
