// The dashboard's four views, one per seed product, each built from one report (the
// package's `Report` type, the same JSON as `report --json`):
//   sources     360dialog: overall results, sources, funnels, events, contacts downloads
//   engagement  Turn.io: active users, daily series, heatmap, countries, support, authors
//   templates   Kommo: the template funnel, CTR, costs, failures, conversions, campaigns
//   billing     BSP: cost by category / country / day, free vs charged, quota, reconciliation
// `ctx` = {contacts(filter, name) | null (no contacts export), previous: the report of the
// previous period when period compare is on, else null}.
//
// Period compare: the report's `compare` section gives the changes of the KPIs and of the
// rows of sources, events, templates and campaigns. Every other table (countries, authors,
// usage, funnels, failures...) compares its rows with the same table built from `previous`
// (`before`), row by row by key.

import { el, int, dec, pct, times, money, seconds, label, sum, term, kpis, table, chart, bars, heatmap, figureIndex, sumFigures, delta, figure } from './ui.js';

/** A table's `previous` (see ui.js `table`): its rows built by `build` from the previous
 * period's report, matched by `key`; undefined without period compare. */
const before = (ctx, build, key) => (ctx.previous ? { rows: build(ctx.previous), key } : undefined);

const KIND = {
  meta_ad: 'Meta ad', meta_post: 'Meta post', meta_campaign: 'Meta campaign', custom: 'Custom', campaign: 'Campaign', direct: 'Direct',
};

function card(id, title, ...body) {
  return el('section', { class: 'card', id }, el('h2', {}, title), ...body);
}

/** A card across the whole width (for wide tables). */
function wideCard(id, title, ...body) {
  const c = card(id, title, ...body);
  c.classList.add('wide');
  return c;
}

// --- Sources (360dialog) -----------------------------------------------------------------

function contactsButton(ctx, filter, name) {
  if (!ctx.contacts) return null;
  return el('button', { type: 'button', class: 'contacts', 'data-contacts': JSON.stringify(filter), onclick: () => ctx.contacts(filter, name) },
    'Contacts CSV');
}

export function sourcesView(r, ctx) {
  const cur = r.attribution.currency;
  const f = figureIndex(r);
  const o = r.overall;
  const ov = (figure) => f.get(`overall||${figure}`);
  const ev = r.attribution.conversion_event;
  const top = kpis([
    { label: 'Conversations', path: 'overall.conversations', value: int(o.conversations), fig: ov('conversations') },
    { label: 'Leads', path: 'overall.leads', value: int(o.leads), sub: `event: ${ev?.name ?? 'any external event'} `, fig: ov('leads') },
    { label: 'Conversion rate', path: 'overall.conversion_rate', value: pct(o.conversion_rate), fig: ov('conversion_rate') },
    { label: 'Invested', path: 'overall.invested', value: money(o.invested, cur), fig: ov('invested') },
    { label: 'Cost per lead', path: 'overall.conversion_cost', value: money(o.conversion_cost, cur), fig: ov('conversion_cost') },
    { label: 'Revenue', path: 'overall.revenue', value: money(o.revenue, cur), sub: `model: ${label(r.attribution.model)} `, fig: ov('revenue') },
    { label: 'ROAS', path: 'overall.roas', value: times(o.roas), fig: ov('roas') },
  ]);
  const sf = (s, figure) => f.get(`sources|${s.key}|${figure}`);
  const num = (lbl, key, fmt) => ({ label: lbl, path: `sources.${key}`, num: true, value: (s) => s[key], show: fmt ? (s) => fmt(s[key]) : undefined, fig: (s) => sf(s, key) });
  const sources = table({
    id: 'sources', caption: 'Sources', rows: r.sources,
    empty: 'No conversations started in this range: choose a longer range, another number, or load data.',
    columns: [
      { label: 'Source', value: (s) => s.name, show: (s) => el('b', {}, s.name) },
      { label: 'Key', value: (s) => s.key, show: (s) => el('code', {}, s.key) },
      { label: 'Type', value: (s) => s.kind, show: (s) => el('span', { class: `tag ${s.kind}` }, KIND[s.kind] ?? s.kind) },
      num('Conversations', 'conversations'),
      num('Leads', 'leads'),
      num('Conversion rate', 'conversion_rate', pct),
      num('Invested', 'invested', (v) => money(v, cur)),
      num('Cost per lead', 'conversion_cost', (v) => money(v, cur)),
      num('Revenue', 'revenue', (v) => money(v, cur)),
      num('ROAS', 'roas', times),
      num('Conversions', 'conversions', dec),
    ],
    actions: (s) => contactsButton(ctx, { source: s.key }, s.key),
    previous: before(ctx, (p) => p.sources, (s) => s.key),
  });
  const funnels = table({
    id: 'funnels', caption: 'Funnels: drop-off per source', rows: funnelRows(r), previous: before(ctx, funnelRows, (x) => `${x.key}|${x.funnel}|${x.step}`),
    empty: 'No funnels: add `funnels` (named event steps) to the configuration, or no source reached a step in this range.',
    columns: [
      { label: 'Source', value: (x) => x.source },
      { label: 'Funnel', value: (x) => x.funnel },
      { label: 'Step', value: (x) => x.step },
      { label: 'Reached', path: 'sources.funnel.steps.reached', num: true, value: (x) => x.reached },
      { label: 'Drop-off', path: 'sources.funnel.steps.drop_off', num: true, value: (x) => x.drop },
      { label: 'Users started', path: 'sources.funnel.users_started', num: true, value: (x) => x.started },
      { label: 'Users completed', path: 'sources.funnel.users_completed', num: true, value: (x) => x.completed },
    ],
  });
  const events = table({
    id: 'events', caption: 'Events', rows: r.events,
    empty: 'No events: configure messaging events or send external_event records.',
    columns: [
      { label: 'Event', value: (e) => e.name, show: (e) => el('b', {}, e.name) },
      { label: 'Kind', value: (e) => e.kind, show: (e) => label(e.kind) },
      { label: 'Occurrences', path: 'events.occurrences', num: true, value: (e) => e.occurrences, fig: (e) => f.get(`events|${e.name}|occurrences`) },
      { label: 'Users', path: 'events.users', num: true, value: (e) => e.users, fig: (e) => f.get(`events|${e.name}|users`) },
      { label: 'Conversations', path: 'events.conversations', num: true, value: (e) => e.conversations, fig: (e) => f.get(`events|${e.name}|conversations`) },
      { label: 'Value', path: 'events.value', num: true, value: (e) => e.value, show: (e) => money(e.value, cur), fig: (e) => f.get(`events|${e.name}|value`) },
      { label: 'By source', path: 'events.by_source', value: (e) => Object.entries(e.by_source).map(([k, n]) => `${k}: ${n}`).join('; ') },
    ],
    actions: (e) => contactsButton(ctx, { event: e.name }, e.name),
    previous: before(ctx, (p) => p.events, (e) => e.name),
  });
  return [
    el('div', { class: 'wide' }, top),
    wideCard('c-sources', 'Sources and results', sources),
    wideCard('c-funnels', 'Funnels', funnels),
    wideCard('c-events', 'Events', events),
  ];
}

function funnelRows(r) {
  return r.sources.flatMap((s) => (s.funnel ?? []).flatMap((fu) => fu.steps.map((st, i) => ({
    source: s.name, key: s.key, funnel: fu.name, step: `${i + 1}. ${st.event}`, started: fu.users_started, completed: fu.users_completed, reached: st.reached, drop: st.drop_off,
  }))));
}

// --- Engagement (Turn.io) ------------------------------------------------------------------

const countryRows = (r) => Object.entries(r.engagement.countries).map(([c, n]) => ({ c, n, share: r.engagement.active_users ? n / r.engagement.active_users : null }));
const authorRows = (r) => Object.entries(r.engagement.authors).map(([k, n]) => ({ k, n, rt: r.engagement.response_time.by_author[k] }));

export function engagementView(r, ctx) {
  const e = r.engagement;
  const f = figureIndex(r);
  const ef = (figure) => f.get(`engagement||${figure}`);
  const rt = e.response_time;
  const top = kpis([
    { label: 'Active users', path: 'engagement.active_users', value: int(e.active_users), fig: ef('active_users') },
    { label: 'New users', path: 'engagement.new_users', value: int(e.new_users), fig: ef('new_users') },
    { label: 'Returning users', path: 'engagement.returning_users', value: int(e.returning_users), fig: ef('returning_users') },
    { label: 'Messages per user per day', path: 'engagement.avg_received_per_user_per_day', value: dec(e.avg_received_per_user_per_day), fig: ef('avg_received_per_user_per_day') },
    { label: 'Received', path: 'engagement.messages_received', value: int(e.messages_received), fig: ef('messages_received') },
    { label: 'Sent', path: 'engagement.messages_sent', value: int(e.messages_sent), sub: `${int(e.messages_delivered)} delivered `, fig: ef('messages_sent') },
    { label: 'First response (median)', path: 'engagement.response_time.first_response_median_s', value: seconds(rt.first_response_median_s), sub: `p90 ${seconds(rt.first_response_p90_s)} `, fig: ef('response_time.first_response_median_s') },
  ]);
  const d = e.daily_active;
  const dau = chart({ id: 'dau', title: 'Daily active users', dates: d.map((x) => x.date), series: [['new', d.map((x) => x.new)], ['returning', d.map((x) => x.returning)]] });
  const v = e.daily_volume;
  const vol = chart({ id: 'volume', title: 'Messages per day', lines: true, dates: v.map((x) => x.date),
    series: [['sent', v.map((x) => x.sent)], ['delivered', v.map((x) => x.delivered)], ['received', v.map((x) => x.received)]] });
  const countries = table({
    id: 'countries', caption: 'Active users by country', rows: countryRows(r), previous: before(ctx, countryRows, (x) => x.c),
    empty: 'No active users in this range.',
    columns: [{ label: 'Country', value: (x) => x.c }, { label: 'Active users', path: 'engagement.countries', num: true, value: (x) => x.n },
      { label: 'Share', num: true, value: (x) => x.share, show: (x) => pct(x.share) }],
  });
  const s = e.support;
  const support = kpis([
    { label: 'Opened', path: 'engagement.support.opened', value: int(s.opened), fig: ef('support.opened') },
    { label: 'Closed', path: 'engagement.support.closed', value: int(s.closed), fig: ef('support.closed') },
    { label: 'Reopened', path: 'engagement.support.reopened', value: int(s.reopened), sub: `${int(s.reopened_manually)} by an agent `, fig: ef('support.reopened') },
    { label: 'Open at the end', path: 'engagement.support.open_at_end', value: int(s.open_at_end), fig: ef('support.open_at_end') },
  ]);
  const authors = table({
    id: 'authors', caption: 'Authorship of delivered messages', rows: authorRows(r), previous: before(ctx, authorRows, (x) => x.k),
    empty: 'No business messages delivered in this range.',
    columns: [
      { label: 'Author kind', value: (x) => x.k },
      { label: 'Delivered messages', path: 'engagement.authors', num: true, value: (x) => x.n },
      { label: 'Answered', path: 'engagement.response_time.by_author', num: true, value: (x) => x.rt?.answered ?? null },
      { label: 'Median first response (s)', num: true, value: (x) => x.rt?.median_s ?? null, show: (x) => seconds(x.rt?.median_s) },
      { label: 'p90 first response (s)', num: true, value: (x) => x.rt?.p90_s ?? null, show: (x) => seconds(x.rt?.p90_s) },
    ],
  });
  const topAuthors = table({
    id: 'top-authors', caption: 'Top authors', rows: e.top_authors, previous: before(ctx, (p) => p.engagement.top_authors, (x) => `${x.kind}|${x.id}`), empty: 'No author ids in this range (send `author_id` on outbound records).',
    columns: [{ label: 'Kind', value: (x) => x.kind }, { label: 'Author', value: (x) => x.id },
      { label: 'Delivered messages', path: 'engagement.top_authors.messages', num: true, value: (x) => x.messages }],
  });
  return [
    el('div', { class: 'wide' }, top),
    card('c-dau', 'Daily active users (new and returning)', dau),
    card('c-volume', 'Sent, delivered and received per day', vol),
    card('c-heatmap', 'Messages by weekday and hour', el('p', { class: 'note' }, term('Users\' messages', 'engagement.heatmap'), ` · ${r.range.time_zone}`),
      heatmap('heatmap', 'Users\' messages by weekday and hour', e.heatmap)),
    card('c-countries', 'Countries', countries),
    card('c-support', 'Support conversations', support),
    card('c-authors', 'Authorship and first response', authors, topAuthors),
  ];
}

// --- Templates and campaigns (Kommo) -------------------------------------------------------

function templateColumns(r, section, f) {
  const cur = r.billing.cost.currency;
  const value = r.attribution.currency;
  const tf = (t, figure) => f.get(`${section}|${t.name}|${figure}`);
  const num = (lbl, key, fmt) => ({ label: lbl, path: `templates.${key}`, num: true, value: (t) => t[key], show: fmt ? (t) => fmt(t[key]) : undefined, fig: (t) => tf(t, key) });
  return [
    { label: section === 'campaigns' ? 'Campaign' : 'Template', value: (t) => t.name, show: (t) => el('b', {}, t.name) },
    { label: 'Category', value: (t) => t.category, show: (t) => el('span', { class: `tag ${t.category}` }, label(t.category)) },
    num('Sent', 'sent'), num('Delivered', 'delivered'), num('Read', 'read'), num('Replied', 'replied'), num('Clicks', 'clicks'),
    num('CTR', 'ctr', pct),
    num('Cost', 'cost', (v) => money(v, cur)),
    num('Cost per delivered', 'cost_per_delivered', (v) => money(v, cur)),
    num('Cost per click', 'cost_per_click', (v) => money(v, cur)),
    num('Conversions', 'conversions', dec),
    num('Conversion value', 'conversion_value', (v) => money(v, value)),
    { label: 'Failed', path: 'templates.failed', num: true, value: (t) => sum(Object.values(t.failed)) },
  ];
}

const failureRows = (r) => [...r.templates.map((x) => ['template', x]), ...r.campaigns.map((x) => ['campaign', x])]
  .flatMap(([kind, x]) => Object.entries(x.failed).map(([code, n]) => ({ kind, name: x.name, code, n })));
const buttonRows = (r) => r.templates.flatMap((x) => x.buttons.map((b) => ({ t: x.name, ...b })));

export function templatesView(r, ctx) {
  const f = figureIndex(r);
  const t = r.templates;
  const tot = (k) => sum(t.map((x) => x[k]));
  const steps = [['Sent', tot('sent')], ['Delivered', tot('delivered')], ['Read', tot('read')], ['Replied', tot('replied')], ['Clicked', tot('clicks')]];
  const funnel = el('figure', { class: 'figure', id: 'template-funnel' },
    el('div', { role: 'img', 'aria-label': `Template funnel: ${steps.map(([n, v]) => `${n} ${int(v)}`).join(', ')}.` },
      bars(steps.map(([n, v]) => [n, v, `${int(v)}${steps[0][1] ? ` · ${pct(v / steps[0][1])}` : ''}`]))));
  const templates = table({ id: 'templates', caption: 'Templates', rows: t, previous: before(ctx, (p) => p.templates, (x) => x.name), empty: 'No templates sent in this range: outbound records with a `template` fill this table.', columns: templateColumns(r, 'templates', f) });
  const buttons = table({
    id: 'buttons', caption: 'Buttons: click-through rate', rows: buttonRows(r), previous: before(ctx, buttonRows, (b) => `${b.t}|${b.type}|${b.text}`),
    empty: 'No template buttons in this range (outbound records list their `buttons`).',
    columns: [{ label: 'Template', value: (b) => b.t }, { label: 'Button', value: (b) => b.text }, { label: 'Type', value: (b) => b.type },
      { label: 'Clicks', path: 'templates.buttons.clicks', num: true, value: (b) => b.clicks },
      { label: 'CTR', path: 'templates.buttons.ctr', num: true, value: (b) => b.ctr, show: (b) => pct(b.ctr) }],
  });
  const failures = table({
    id: 'failures', caption: 'Delivery failures by error code',
    rows: failureRows(r), previous: before(ctx, failureRows, (x) => `${x.kind}|${x.name}|${x.code}`),
    empty: 'No failed messages in this range.',
    columns: [{ label: 'Of', value: (x) => x.kind }, { label: 'Name', value: (x) => x.name }, { label: 'Error code', value: (x) => x.code },
      { label: 'Failed', path: 'templates.failed', num: true, value: (x) => x.n }],
  });
  const campaigns = table({ id: 'campaigns', caption: 'Campaigns', rows: r.campaigns, previous: before(ctx, (p) => p.campaigns, (x) => x.name), empty: 'No campaigns in this range: outbound records with a `campaign` fill this table.', columns: templateColumns(r, 'campaigns', f) });
  return [
    card('c-tfunnel', 'Sent → delivered → read → replied → clicked (every template)', funnel),
    card('c-failures', 'Failures', failures),
    wideCard('c-templates', 'Templates', templates, buttons),
    wideCard('c-campaigns', 'Campaigns', campaigns),
  ];
}

// --- Billing and usage (BSP) -------------------------------------------------------------

const countryCost = (r) => Object.entries(r.billing.cost.by_country).map(([k, v]) => ({ k, v }));
const reconFields = (r) => Object.entries(r.billing.reconciliation.by_field).map(([k, n]) => ({ k, n }));

export function billingView(r, ctx) {
  const b = r.billing;
  const c = b.cost;
  const cur = c.currency;
  const f = figureIndex(r);
  const bf = (figure) => f.get(`billing||${figure}`);
  const top = kpis([
    { label: 'Cost', path: 'billing.cost.total', value: money(c.total, cur), sub: `pricing: ${b.model} · service ${b.service} `, fig: bf('cost.total') },
    { label: 'Charged messages', path: 'billing.charged_messages', value: int(sum(Object.values(b.charged_messages))),
      fig: total(b.charged_messages, 'charged_messages', bf) },
    { label: 'Free messages', path: 'billing.free_messages', value: int(sum(Object.values(b.free_messages))),
      fig: total(b.free_messages, 'free_messages', bf) },
    { label: 'Unpriced units', path: 'billing.cost.unpriced', value: int(c.unpriced), fig: bf('cost.unpriced') },
    { label: 'Reconciliation mismatches', path: 'billing.reconciliation.mismatched', value: int(b.reconciliation.mismatched), sub: `of ${int(b.reconciliation.checked)} checked ` },
  ]);
  const cats = Object.entries(c.by_category).filter(([k]) => k !== 'meta_business_agent' || b.meta_business_agent.delivered > 0);
  const byCategory = table({
    id: 'cost-category', caption: 'Cost by category', rows: cats.map(([k, v]) => ({ k, v, charged: b.charged_messages[k] ?? null, conv: b.conversations[k] ?? null })),
    empty: 'No priced categories.',
    columns: [{ label: 'Category', value: (x) => x.k, show: (x) => label(x.k) },
      { label: 'Cost', path: 'billing.cost.by_category', num: true, value: (x) => x.v, show: (x) => money(x.v, cur), fig: (x) => bf(`cost.by_category.${x.k}`) },
      { label: 'Charged messages', path: 'billing.charged_messages', num: true, value: (x) => x.charged, fig: (x) => bf(`charged_messages.${x.k}`) },
      { label: 'Conversations', path: 'billing.conversations', num: true, value: (x) => x.conv, fig: (x) => bf(`conversations.${x.k}`) }],
  });
  const catBars = el('div', { role: 'img', 'aria-label': `Cost by category: ${cats.map(([k, v]) => `${label(k)} ${money(v, cur)}`).join(', ')}.` },
    bars(cats.sort((x, y) => y[1] - x[1]).map(([k, v]) => [label(k), v, money(v, cur)])));
  const byCountry = table({
    id: 'cost-country', caption: 'Cost by country', rows: countryCost(r), previous: before(ctx, countryCost, (x) => x.k), empty: 'No charged messages in this range.',
    columns: [{ label: 'Country', value: (x) => x.k }, { label: 'Cost', path: 'billing.cost.by_country', num: true, value: (x) => x.v, show: (x) => money(x.v, cur) }],
  });
  const days = Object.keys(c.by_day);
  const byDay = chart({ id: 'cost-day', title: `Cost per day (${cur})`, dates: days, series: [['cost', days.map((d) => c.by_day[d])]] });
  const free = table({
    id: 'free-charged', caption: 'Free vs charged',
    rows: [...Object.entries(b.charged_messages).map(([k, n]) => ({ kind: 'charged', k, n })), ...Object.entries(b.free_messages).map(([k, n]) => ({ kind: 'free', k, n }))],
    empty: '',
    columns: [{ label: 'Free or charged', value: (x) => x.kind }, { label: 'Category or reason', value: (x) => x.k, show: (x) => label(x.k) },
      { label: 'Messages', path: 'billing.free_messages', num: true, value: (x) => x.n, fig: (x) => bf(`${x.kind === 'free' ? 'free' : 'charged'}_messages.${x.k}`) }],
  });
  return [
    el('div', { class: 'wide' }, top),
    card('c-cost', 'Cost by category', catBars, byCategory),
    card('c-country', 'Cost by country', byCountry),
    card('c-day', 'Cost by day', byDay),
    card('c-free', 'Free vs charged', free),
    card('c-quota', 'Usage against the quota', quota(r, ctx)),
    wideCard('c-recon', 'Reconciliation against Meta\'s pricing objects', reconciliation(r, ctx)),
    ...r.warnings.map((w) => el('p', { class: 'warning wide' }, `⚠ ${w}`)),
  ];
}

/** The change of a map's total from its entries' compare figures; null when an entry with
 * a count has no figure (the compare section leaves some entries out). */
function total(map, name, bf) {
  const figs = Object.entries(map).map(([k, n]) => [bf(`${name}.${k}`), n]);
  if (figs.some(([f, n]) => !f && n !== 0)) return null;
  return sumFigures(figs.map(([f]) => f));
}

const monthRows = (m) => Object.entries(m.by_country).map(([k, x]) => ({ k, ...x }));

/** The quota gauge and country split of each month. With period compare, the i-th month of
 * the range is compared with the i-th month of the previous period (the months themselves
 * differ), its countries by country code. */
function quota(r, ctx) {
  const u = r.usage;
  const months = u.months.map((m, i) => {
    const pm = ctx.previous ? (ctx.previous.usage.months[i] ?? { month: null, billable: 0, by_country: {} }) : null;
    const vs = pm && el('span', { class: 'vs', 'data-vs': pm.month ?? '' }, ` vs ${pm.month ?? 'nothing'}`, delta(figure(pm.billable, m.billable)));
    const gauge = m.quota
      ? el('div', { class: 'gauge' }, el('meter', { min: 0, max: m.quota, low: m.quota * 0.8, high: m.quota * 0.95, optimum: 0, value: Math.min(m.billable, m.quota), 'aria-label': `${m.month}: ${int(m.billable)} of ${int(m.quota)} billable` }),
        el('span', {}, `${int(m.billable)} / ${int(m.quota)} billable · ${pct(m.quota_used ?? null)} used · ${int(m.quota_left)} left${m.partial ? ' · partial month' : ''}`, vs))
      : el('p', { class: 'note' }, `${int(m.billable)} billable · no quota configured (set \`quota\` in the configuration)`, vs);
    const split = table({
      id: `quota-${m.month}`, caption: `${m.month} by country`, rows: monthRows(m), previous: pm ? { rows: monthRows(pm), key: (x) => x.k } : undefined, empty: 'Nothing sent this month.',
      columns: [{ label: 'Country', value: (x) => x.k }, { label: 'Sent', path: 'usage.months.sent', num: true, value: (x) => x.sent },
        { label: 'Delivered', path: 'usage.months.delivered', num: true, value: (x) => x.delivered },
        { label: 'Billable', path: 'usage.months.billable', num: true, value: (x) => x.billable }],
    });
    return el('div', { class: 'month', 'data-month': m.month }, el('h3', {}, term(m.month, 'usage.months.quota_used')), gauge, el('details', {}, el('summary', {}, 'Country split'), split));
  });
  return months.length ? el('div', {}, months) : el('p', { class: 'empty' }, 'No months in this range.');
}

function reconciliation(r, ctx) {
  const rc = r.billing.reconciliation;
  if (!rc.checked) {
    return el('p', { class: 'empty' }, 'No statuses carried Meta\'s pricing or conversation objects: send the raw webhooks (statuses with `pricing`) to compare.');
  }
  const byField = table({
    id: 'recon-fields', caption: 'Disagreements by field', rows: reconFields(r), previous: before(ctx, reconFields, (x) => x.k), empty: `All ${int(rc.checked)} checked messages agree with Meta.`,
    columns: [{ label: 'Field', value: (x) => x.k }, { label: 'Messages', path: 'billing.reconciliation.by_field', num: true, value: (x) => x.n }],
  });
  const view = (v) => [v.model, v.category, v.billable === null ? null : (v.billable ? 'billable' : 'free'), v.conversation].filter(Boolean).join(' · ');
  const mism = !rc.mismatches.length ? null : table({
    id: 'recon-mismatches', caption: 'Mismatches (first 200)', rows: rc.mismatches.slice(0, 200), empty: '',
    columns: [{ label: 'Message', value: (m) => m.message_id }, { label: 'Delivered (UTC)', value: (m) => new Date(m.delivered_at * 1000).toISOString().slice(0, 16).replace('T', ' ') },
      { label: 'Fields', value: (m) => m.fields.join(', ') }, { label: 'Engine', value: (m) => view(m.engine) }, { label: 'Meta', value: (m) => view(m.meta) }],
  });
  return el('div', {}, el('p', {}, term(`${int(rc.checked)} checked`, 'billing.reconciliation.checked'), ' · ', term(`${int(rc.mismatched)} mismatched`, 'billing.reconciliation.mismatched')), byField, mism);
}

export const VIEWS = {
  sources: { title: 'Sources', product: '360dialog', render: sourcesView },
  engagement: { title: 'Engagement', product: 'Turn.io', render: engagementView },
  templates: { title: 'Templates & campaigns', product: 'Kommo', render: templatesView },
  billing: { title: 'Billing & usage', product: 'BSP', render: billingView },
};

