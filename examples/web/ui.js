// Building blocks of the dashboard: elements, number formats, metric terms with their
// definition on hover and focus, KPI tiles with period-compare deltas, sortable tables with
// a CSV download, and charts with a text alternative. No framework.

import { definition } from './definitions.js';

export const $ = (sel) => document.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

// --- formats ---------------------------------------------------------------------------

const nf = new Intl.NumberFormat('en-US');
export const int = (v) => (v === null || v === undefined ? '—' : nf.format(v));
export const dec = (v) => (v === null || v === undefined ? '—' : nf.format(+v.toFixed(2)));
export const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
export const times = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(2)}×`);
export function money(v, currency) {
  if (v === null || v === undefined) return '—';
  try {
    // Unit prices (a cent or less) keep four decimals; sums two.
    return v.toLocaleString('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: Math.abs(v) < 1 && v !== 0 ? 4 : 2 });
  } catch {
    return `${v.toFixed(2)} ${currency}`;
  }
}
export function seconds(s) {
  if (s === null || s === undefined) return '—';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
export const label = (s) => s.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
export const sum = (xs) => xs.reduce((s, n) => s + n, 0);

// --- metric terms ----------------------------------------------------------------------

let tipId = 0;
/** `text` naming the figure at JSON path `path`: its definition (the docs' text) shows on
 * hover and on keyboard focus, and is the element's accessible description. */
export function term(text, path) {
  const d = path ? definition(path) : undefined;
  if (!d) return el('span', {}, text);
  tipId += 1;
  const id = `tip-${tipId}`;
  return el('span', { class: 'term', tabindex: 0, 'aria-describedby': id, 'data-def': path },
    text, el('span', { class: 'tip', role: 'tooltip', id }, d));
}

// Definitions are placed beside their term in window coordinates, so that a scrolling
// table does not clip them.
function placeTip(e) {
  const t = e.target.closest?.('.term');
  const tip = t?.querySelector('.tip');
  if (!tip) return;
  const r = t.getBoundingClientRect();
  tip.style.left = `${Math.max(4, Math.min(r.left, window.innerWidth - 284))}px`;
  tip.style.top = `${r.bottom + 4}px`;
  // Near the bottom of the window the definition goes above its term instead, so that it
  // is never cut off (measured once shown: its height depends on the text).
  const shown = tip.style.display;
  tip.style.display = 'block';
  const h = tip.getBoundingClientRect().height;
  tip.style.display = shown;
  const above = r.bottom + 4 + h > window.innerHeight && r.top - 4 - h >= 0;
  tip.classList.toggle('above', above);
  if (above) tip.style.top = `${r.top - 4 - h}px`;
}
document.addEventListener('mouseover', placeTip);
document.addEventListener('focusin', placeTip);

// --- period compare --------------------------------------------------------------------

/** The compare section's figures by `section|row|figure`; empty without `compare`. */
export function figureIndex(report) {
  const m = new Map();
  for (const f of report.compare?.figures ?? []) m.set(`${f.section}|${f.row ?? ''}|${f.figure}`, f);
  return m;
}

/** Several figures added up, as one figure (null when there are none). */
export function sumFigures(figs) {
  const fs = figs.filter(Boolean);
  if (!fs.length || fs.some((f) => f.previous === null || f.current === null)) return null;
  const previous = sum(fs.map((f) => f.previous));
  const current = sum(fs.map((f) => f.current));
  const change = current - previous;
  return { previous, current, change, change_pct: previous === 0 ? null : (change / Math.abs(previous)) * 100 };
}

/** The change of one figure as a small element (`+3 (+12.0%)`), or null. */
export function delta(fig) {
  if (!fig || fig.change === null) return null;
  const c = fig.change;
  const sign = c > 0 ? '+' : c < 0 ? '−' : '±';
  const abs = Math.abs(c);
  const num = Number.isInteger(abs) ? nf.format(abs) : nf.format(+abs.toFixed(2));
  const p = fig.change_pct === null ? '' : ` (${fig.change_pct > 0 ? '+' : ''}${fig.change_pct.toFixed(1)}%)`;
  return el('span', {
    class: `delta ${c > 0 ? 'up' : c < 0 ? 'down' : 'flat'}`,
    title: `previous period: ${fig.previous === null ? '—' : nf.format(fig.previous)}`,
    'data-change': c,
  }, `${sign}${num}${p}`);
}

/** The change of one value against the previous period's, as a compare figure
 * (`change` rounded to 9 places, as core rounds decimals); null when either is unknown. */
export function figure(previous, current) {
  if (typeof previous !== 'number' || typeof current !== 'number') return null;
  const change = +(current - previous).toFixed(9);
  return { previous, current, change, change_pct: previous === 0 ? null : +((change / Math.abs(previous)) * 100).toFixed(9) };
}

/** KPI tiles: [{label, path, value, sub?, fig?}]. */
export function kpis(items) {
  return el('div', { class: 'kpis' }, items.map((k) => el('div', { class: 'kpi', 'data-kpi': k.path },
    el('div', { class: 'kpi-label' }, term(k.label, k.path)),
    el('div', { class: 'kpi-value' }, k.value),
    el('div', { class: 'kpi-sub' }, k.sub ?? '', delta(k.fig)))));
}

// --- tables ----------------------------------------------------------------------------

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula (starting
 * with = + - @, tab or carriage return) is prefixed with '. Numbers are written as they are. */
export function csvCell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header, rows) {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function download(name, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const compareValues = (a, b) => {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
};

/**
 * A real table, sortable by every column (a button in each header; `aria-sort` says how it
 * is sorted) and downloadable as CSV of the raw values.
 * spec: {id, caption, rows, empty, columns: [{label, path?, value(row), show?(row), num?,
 *        fig?(row) -> compare figure}], actions?(row) -> node, previous?}
 * `previous` = {rows, key(row)}: the same table over the previous period (period compare).
 * Each number column without `fig` then shows the change against the previous row with the
 * same key; a row with no such key is marked as new.
 */
export function table(spec) {
  const { id, caption, rows, empty, columns } = spec;
  const head = el('div', { class: 'table-head' }, el('h3', {}, caption),
    rows.length ? el('button', { class: 'csv', type: 'button', 'data-csv': id, onclick: () => {
      download(`${id}.csv`, toCsv(columns.map((c) => c.label), rows.map((r) => columns.map((c) => c.value(r)))));
    } }, 'CSV') : null);
  if (!rows.length) return el('section', { class: 'tbl', id }, head, el('p', { class: 'empty' }, empty));
  const t = el('table', { 'data-table': id }, el('caption', { class: 'sr-only' }, caption));
  let order = rows.map((_, i) => i);
  let sortedBy = -1;
  let dir = 1;
  const tbody = el('tbody');
  const ths = columns.map((c, ci) => el('th', { scope: 'col', class: c.num ? 'num' : '', 'aria-sort': 'none' },
    el('button', { type: 'button', class: 'sort', 'aria-label': `Sort by ${c.label}`, onclick: () => sortBy(ci) }, '↕'),
    term(c.label, c.path)));
  const before = spec.previous ? new Map(spec.previous.rows.map((p) => [spec.previous.key(p), p])) : null;
  const fill = () => {
    tbody.replaceChildren(...order.map((i) => {
      const r = rows[i];
      const p = before?.get(spec.previous.key(r));
      const isNew = before !== null && p === undefined;
      const fig = (c) => (c.fig ? c.fig(r) : p && c.num ? figure(c.value(p), c.value(r)) : null);
      return el('tr', { 'data-new': isNew ? '' : null }, columns.map((c, ci) => {
        const v = c.value(r);
        const cell = el(ci === 0 ? 'th' : 'td', { class: c.num ? 'num' : '', scope: ci === 0 ? 'row' : null,
          'data-col': c.label, 'data-value': v === null || v === undefined ? '' : String(v) },
        c.show ? c.show(r) : (c.num ? int(v) : v ?? '—'), delta(fig(c)),
        ci === 0 && isNew ? el('span', { class: 'tag new', title: 'not in the previous period' }, 'new') : null);
        return cell;
      }), spec.actions ? el('td', { class: 'actions' }, spec.actions(r)) : null);
    }));
  };
  function sortBy(ci) {
    dir = sortedBy === ci ? -dir : (columns[ci].num ? -1 : 1);
    sortedBy = ci;
    order = rows.map((_, i) => i).sort((a, b) => dir * compareValues(columns[ci].value(rows[a]), columns[ci].value(rows[b])) || a - b);
    ths.forEach((th, i) => {
      th.setAttribute('aria-sort', i === ci ? (dir > 0 ? 'ascending' : 'descending') : 'none');
      th.querySelector('.sort').textContent = i === ci ? (dir > 0 ? '▲' : '▼') : '↕';
    });
    fill();
  }
  t.append(el('thead', {}, el('tr', {}, ths, spec.actions ? el('td', { class: 'actions' }) : null)), tbody);
  fill();
  return el('section', { class: 'tbl', id }, head, el('div', { class: 'scroll' }, t));
}

// --- charts ----------------------------------------------------------------------------

export const COLOURS = ['#25a55f', '#3b7dd8', '#e8954a', '#8a6ad6'];

/**
 * A daily chart (stacked bars, or lines with `lines`), with its text alternative: a
 * summary as the image's accessible name and the numbers as a table (a <details> under it).
 * series: [[name, values]].
 */
export function chart({ id, title, dates, series, lines = false }) {
  if (!dates.length) return el('p', { class: 'empty' }, 'No days in this range: choose a longer range or load data that covers it.');
  const W = 600, H = 200, L = 40, R = 8, B = 22, T = 8;
  const totals = dates.map((_, i) => (lines ? Math.max(...series.map(([, vs]) => vs[i])) : sum(series.map(([, vs]) => vs[i]))));
  const max = Math.max(1, ...totals);
  const step = (W - L - R) / dates.length;
  const x = (i) => L + step * (i + 0.5);
  const y = (v) => H - B - ((H - B - T) * v) / max;
  const summary = `${title}, ${dates[0]} to ${dates[dates.length - 1]}: ${series.map(([n, vs]) => `${n} total ${int(sum(vs))}, peak ${int(Math.max(...vs))}`).join('; ')}.`;
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': summary });
  for (const f of [0, 0.5, 1]) {
    g.append(svg('line', { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), class: 'grid' }));
    g.append(svg('text', { x: L - 6, y: y(max * f) + 3, class: 'axis', 'text-anchor': 'end' }, int(Math.round(max * f))));
  }
  const ticks = dates.length <= 14 ? dates.map((_, i) => i) : [0, 1, 2, 3, 4, 5].map((k) => Math.round((k * (dates.length - 1)) / 5));
  for (const i of ticks) g.append(svg('text', { x: x(i), y: H - 6, class: 'axis', 'text-anchor': 'middle' }, dates[i].slice(5)));
  if (lines) {
    series.forEach(([, vs], s) => {
      const pts = vs.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      g.append(svg('path', { d: `M${pts.join('L')}`, fill: 'none', stroke: COLOURS[s], 'stroke-width': 1.8, 'stroke-linejoin': 'round' }));
    });
  } else {
    const bw = Math.max(1, step * 0.7);
    dates.forEach((d, i) => {
      let base = 0;
      series.forEach(([name, vs], s) => {
        const v = vs[i];
        if (v > 0) {
          g.append(svg('rect', { x: x(i) - bw / 2, y: y(base + v), width: bw, height: y(base) - y(base + v), fill: COLOURS[s] },
            svg('title', {}, `${d}: ${int(v)} ${name}`)));
        }
        base += v;
      });
    });
  }
  const legend = el('div', { class: 'legend', 'aria-hidden': 'true' }, series.map(([name, vs], s) => el('span', {},
    el('i', { style: `background:${COLOURS[s]}` }), `${name}: ${int(sum(vs))}`)));
  const data = table({
    id: `${id}-data`, caption: `${title}: the numbers`, rows: dates.map((d, i) => ({ d, i })), empty: '',
    columns: [{ label: 'Date', value: (r) => r.d }, ...series.map(([name, vs]) => ({ label: name, num: true, value: (r) => vs[r.i] }))],
  });
  return el('figure', { class: 'figure', id }, g, legend,
    el('details', {}, el('summary', {}, 'Data table'), data));
}

/** Horizontal bars with values: rows [[label, value, shown]]. */
export function bars(rows, cls = '') {
  const max = Math.max(1e-9, ...rows.map(([, v]) => v));
  return el('div', { class: 'bars' }, rows.map(([name, v, shown]) => el('div', { class: 'bar-row' },
    el('span', { class: 'bar-label' }, name),
    el('span', { class: 'bar-track', 'aria-hidden': 'true' }, el('span', { class: `bar ${cls}`, style: `width:${((100 * v) / max).toFixed(1)}%` })),
    el('span', { class: 'bar-value' }, shown))));
}

/** A weekday × hour heatmap as a real table (the cells' numbers are its text). */
export function heatmap(id, caption, grid) {
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const max = Math.max(1, ...grid.flat());
  return el('div', { class: 'scroll' }, el('table', { class: 'heat', 'data-table': id },
    el('caption', { class: 'sr-only' }, caption),
    el('thead', {}, el('tr', {}, el('td'), [...Array(24).keys()].map((h) => el('th', { scope: 'col' }, String(h))))),
    el('tbody', {}, grid.map((row, d) => el('tr', {}, el('th', { scope: 'row' }, days[d]),
      row.map((v) => el('td', { style: `background:rgba(37,165,95,${(v / max).toFixed(3)});color:${v / max > 0.55 ? '#fff' : 'inherit'}`, 'data-value': v }, v ? String(v) : '')))))));
}
