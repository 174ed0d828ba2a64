'use strict';
// Hand-derived rule checks through the JS API (issue #26): small scenarios worked out on
// paper, expected figures derived in the comments, not taken from the CLI or another
// engine. Traffic is dated 2025 (CBP in March, PMP in August), before the 2026-10-01
// pricing change.
const test = require('node:test');
const assert = require('node:assert/strict');
const { pkgDir } = require('./helpers');
const { Engine } = require(pkgDir);

const H = 3600;
const DAY = 86400;
const USER = '4915112345678'; // Germany
const OTHER = '4915199999999';
const at = (iso) => Date.parse(`${iso}Z`) / 1000;

const webhook = (value) => ({
  object: 'whatsapp_business_account',
  entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1001' }, ...value } }] }],
});
const inbound = (id, t, { user = USER, body = 'hi', referral } = {}) => webhook({
  contacts: [{ wa_id: user, profile: { name: 'U' } }],
  messages: [{ from: user, id, timestamp: String(t), type: 'text', text: { body }, ...(referral ? { referral } : {}) }],
});
const delivered = (id, t, user = USER) => webhook({
  statuses: [{ id, status: 'delivered', timestamp: String(t), recipient_id: user }],
});
/** A template sent at t - 2 and delivered at t. */
const template = (id, t, category, user = USER) => [
  { type: 'outbound', id, phone_number_id: '1001', to: user, timestamp: t - 2, kind: 'template', template: `t_${category}`, category },
  delivered(id, t, user),
];
/** A free-form message sent at t - 2 and delivered at t. */
const freeForm = (id, t, { user = USER, author = 'agent' } = {}) => [
  { type: 'outbound', id, phone_number_id: '1001', to: user, timestamp: t - 2, kind: 'free_form', author },
  delivered(id, t, user),
];
function engine(docs, config = {}) {
  const e = new Engine(config);
  for (const d of docs) e.ingest(d);
  return e;
}

test('CBP: a conversation opens on delivery and lasts exactly 24 hours', () => {
  const t = at('2025-03-03T00:00:00');
  const b = engine([
    ...template('m1', t, 'marketing'),
    ...template('m2', t + H, 'marketing'),
    ...template('m3', t + 24 * H, 'marketing'),
    ...template('a1', t + 2 * H, 'authentication'),
  ]).report().billing;
  // m1 opens [t, t + 24 h), m2 rides it, m3 (exactly 24 h later) opens a second; a1 is
  // another category: a concurrent authentication conversation.
  assert.equal(b.model, 'CBP');
  assert.equal(b.conversations.marketing, 2);
  assert.equal(b.conversations.authentication, 1);
  assert.equal(b.charged_messages.marketing, 0);
});

test('PMP: a utility template inside the customer service window is free', () => {
  const t = at('2025-08-04T09:00:00');
  const b = engine([
    inbound('in1', t),
    ...template('u1', t + H, 'utility'),
    ...template('u2', t + 24 * H, 'utility'),
    ...freeForm('f1', t + 2 * H),
  ]).report().billing;
  // Window [t, t + 24 h): u1 free; u2 delivered exactly at its end: charged. A free-form
  // message is free under PMP.
  assert.equal(b.model, 'PMP');
  assert.equal(b.free_messages.service_window, 1);
  assert.equal(b.charged_messages.utility, 1);
  assert.equal(b.free_messages.free_form, 1);
});

test('a reply more than 24 hours after the ad message opens no free entry point', () => {
  const t = at('2025-08-04T09:00:00');
  const referral = { source_type: 'ad', source_id: '120', headline: 'Sale' };
  const late = engine([inbound('in1', t, { referral }), ...template('m1', t + 24 * H, 'marketing')]).report().billing;
  // Delivered exactly 24 h after the ad message: too late, charged.
  assert.equal(late.conversations.free_entry_point, 0);
  assert.equal(late.charged_messages.marketing, 1);
  const early = engine([inbound('in1', t, { referral }), ...template('m1', t + 24 * H - 1, 'marketing')]).report().billing;
  // One second earlier: it opens the window and is free.
  assert.equal(early.conversations.free_entry_point, 1);
  assert.equal(early.free_messages.free_entry_point, 1);
  assert.equal(early.charged_messages.marketing, 0);
});

test('position-based attribution gives 40/20/40 over three touches', () => {
  const t = at('2025-07-01T09:00:00');
  const r = engine([
    // Day 0 direct, day 2 from the ad, day 4 from a wa.me-style text matching a source
    // rule, each after the 24 h inactivity timeout; a 10 EUR purchase on day 5.
    inbound('in1', t, { body: 'hello' }),
    inbound('in2', t + 2 * DAY, { referral: { source_type: 'ad', source_id: '120', headline: 'Sale' } }),
    inbound('in3', t + 4 * DAY, { body: 'PROMO-QR please' }),
    { type: 'external_event', id: 'o1', contact: USER, name: 'purchase', value: 10, currency: 'EUR', timestamp: t + 5 * DAY },
  ], { currency: 'EUR', sources: [{ key: 'qr:promo', match: 'contains', pattern: 'PROMO-QR' }] })
    .report({ start: '2025-07-01', end: '2025-08-01', model: 'position_based' });
  const rows = Object.fromEntries(r.sources.map((s) => [s.key, s]));
  // First 40 %, middle 20 %, last 40 %: 4, 2 and 4 EUR.
  assert.equal(rows.direct.revenue, 4);
  assert.equal(rows['meta_ad:120'].revenue, 2);
  assert.equal(rows['qr:promo'].revenue, 4);
});

test('first response time runs from the opening message to the first reply', () => {
  const t = at('2025-08-04T09:00:00');
  const g = engine([
    inbound('in1', t),
    inbound('in2', t + 60),
    ...freeForm('f1', t + 122, { author: 'agent' }),
    { type: 'close', contact: USER, phone_number_id: '1001', timestamp: t + H },
    inbound('in3', t + 2 * H),
    ...freeForm('f2', t + 2 * H + 32, { author: 'automation' }),
  ]).report().engagement;
  // Opened at t (in2 does not restart the clock), answered by f1 sent at t + 120: 120 s.
  // Closed at t + 1 h, reopened by in3 and answered 30 s later. Median (30 + 120) / 2.
  assert.equal(g.support.opened, 2);
  assert.equal(g.support.reopened, 1);
  assert.equal(g.support.closed, 1);
  assert.equal(g.response_time.answered, 2);
  assert.equal(g.response_time.first_response_median_s, 75);
  assert.equal(g.response_time.by_author.agent.median_s, 120);
});

test('active users per day sum past the unique count when users return', () => {
  const t = at('2025-08-04T09:00:00');
  const g = engine([
    inbound('a1', t),
    inbound('a2', t + DAY),
    inbound('b1', t + DAY, { user: OTHER }),
    inbound('a3', t + 2 * DAY),
  ]).report({ start: '2025-08-04', end: '2025-08-07' }).engagement;
  // USER on all three days, OTHER on the second: daily 1, 2, 1 (sum 4) but 2 unique.
  assert.deepEqual(g.daily_active.map((d) => d.users), [1, 2, 1]);
  assert.equal(g.active_users, 2);
  assert.equal(g.messages_received, 4);
});
