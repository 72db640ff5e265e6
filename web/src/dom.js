// web/src/dom.js - the only way the app builds the page: h() makes elements
// whose text children become text nodes (textContent), never markup, so a
// user's string (a URL, a note, a name) cannot turn into HTML or script.
// Links are only ever internal routes ("#/..."); there is no innerHTML.

const SAFE_ATTRS = new Set([
  'id', 'class', 'type', 'name', 'value', 'placeholder', 'for', 'rows', 'cols', 'min', 'max',
  'step', 'autocomplete', 'required', 'disabled', 'checked', 'selected', 'multiple', 'role',
  'tabindex', 'title', 'scope', 'colspan', 'maxlength', 'spellcheck', 'inputmode', 'lang', 'dir',
  'width', 'height', 'hidden', 'size', 'minlength',
]);

/** h(tag, attrs, ...children): an element.  attrs: safe attributes, aria-*,
 *  data-*, on* handlers (functions), href (internal "#/" routes only).
 *  children: strings/numbers (as text), nodes, arrays, null/false (skipped). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'href') {
      const s = String(v);
      if (s.startsWith('#/') || s === '#main') el.setAttribute('href', s);
    } else if (k === 'download' && attrs.blob) {
      // handled below
    } else if (k === 'blob') {
      el.setAttribute('href', URL.createObjectURL(v));
      if (attrs.download) el.setAttribute('download', String(attrs.download));
    } else if (SAFE_ATTRS.has(k) || k.startsWith('aria-') || k.startsWith('data-')) {
      if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
      if (k === 'value') el.value = String(v);
      if (k === 'checked') el.checked = true;
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

/** A labelled form control: label text, then the control (ids tie them). */
let nextId = 0;
export function field(label, control, hint) {
  const id = control.id || `f${++nextId}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint ? h('small', { class: 'hint' }, hint) : null);
}

/** "12,345" */
export function num(n) {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-GB');
}

/** seconds as "4 h 25 min" */
export function dur(s) {
  if (s === null || s === undefined) return '–';
  const neg = s < 0;
  s = Math.abs(Math.round(s));
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  const txt = d ? `${d} d ${hh} h` : hh ? `${hh} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
  return neg ? `-${txt}` : txt;
}

export function pct(x) {
  return x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`;
}
