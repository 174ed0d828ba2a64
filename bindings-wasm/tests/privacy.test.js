'use strict';
// Conversions API events, the Meta audience export, erasure and pseudonymisation
// (issue #24) from JavaScript; expected digests from Node's own crypto module.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { pkgDir } = require('./helpers');
const convolens = require(pkgDir);
const { Engine } = convolens;

const T0 = 1751450000;

function inbound(user, id, ts, clid) {
  const msg = { from: user, id, timestamp: String(ts), type: 'text', text: { body: 'Hi' } };
  if (clid) msg.referral = { source_type: 'ad', source_id: 'AD1', ctwa_clid: clid };
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA-1', changes: [{ field: 'messages', value: {
      metadata: { phone_number_id: '1001' },
      contacts: [{ wa_id: user, profile: { name: 'Ana' } }],
      messages: [msg],
    } }] }],
  };
}

const purchase = (id, user, ts, value = 49.9) =>
  ({ type: 'external_event', id, contact: user, name: 'purchase', value, currency: 'EUR', timestamp: ts });
const CONFIG = { currency: 'EUR', capi: { events: { purchase: 'Purchase' } } };
const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');

test('capiEvents: Meta event objects, reasons and a cursor for what is new', () => {
  const e = new Engine(CONFIG);
  e.ingest(inbound('4915100000001', 'wamid.a1', T0, 'CLID-A'));
  e.ingest(purchase('o1', '4915100000001', T0 + 3600));
  e.ingest(purchase('o2', '34600111222', T0 + 3600, 10));
  const out = e.capiEvents({});
  assert.deepEqual(out.batches, [{ data: [{
    event_name: 'Purchase', event_time: T0 + 3600, event_id: 'x:o1',
    action_source: 'business_messaging', messaging_channel: 'whatsapp',
    user_data: { whatsapp_business_account_id: 'WABA-1', ctwa_clid: 'CLID-A' },
    custom_data: { value: 49.9, currency: 'EUR' },
  }] }]);
  assert.deepEqual(out.ineligible, { no_click_id: 1 });
  e.ingest(purchase('o3', '4915100000001', T0 + 7200, 5));
  const next = e.capiEvents({ since: out.cursor });
  assert.deepEqual(next.batches.flatMap((b) => b.data.map((x) => x.event_id)), ['x:o3']);
  assert.throws(() => e.capiEvents({ batch_size: 0 }), (err) => err.name === 'ReportError' && err.option === 'batch_size');
  assert.throws(() => new Engine({ capi: { events: { signup: 'Lead' } } }),
    (err) => err.name === 'ConfigError' && err.key === 'capi.events.signup');
});

test('exportAudience: SHA-256 of each number; forget erases a person', () => {
  const e = new Engine(CONFIG);
  e.ingest(purchase('o1', '16505551212', T0));
  e.ingest(purchase('o2', '447700900123', T0 + 1));
  // Meta's own example: 16505551212 -> e323ec62...
  assert.equal(sha256('16505551212'), 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176');
  assert.equal(e.exportAudience('purchase'), `phone\r\n${sha256('16505551212')}\r\n${sha256('447700900123')}\r\n`);
  assert.deepEqual(e.forget('16505551212'),
    { found: true, identifiers: 1, messages: 0, external_events: 1, closes: 0, clicks: 0 });
  assert.equal(e.exportAudience('purchase'), `phone\r\n${sha256('447700900123')}\r\n`);
  assert.ok(!Buffer.from(e.snapshot()).includes('16505551212'));
});

test('withSecret: pseudonyms instead of numbers; restoring needs the secret', () => {
  const cfg = { ...CONFIG, pseudonymise: { secret_env: 'CONVOLENS_SECRET' } };
  assert.throws(() => new Engine(cfg), (err) => err.name === 'ConfigError' && err.key === 'pseudonymise');
  const secret = 'a secret of 32 bytes, not less..';
  const e = Engine.withSecret(cfg, secret);
  e.ingest(inbound('4915100000001', 'wamid.a1', T0, 'CLID-A'));
  e.ingest(purchase('o1', '4915100000001', T0 + 3600));
  const pseudonym = crypto.createHmac('sha256', secret).update('4915100000001').digest('hex');
  assert.equal(e.exportContacts('purchase').split('\r\n')[1].split(',').slice(0, 3).join(','), `${pseudonym},,DE`);
  const bytes = e.snapshot();
  assert.ok(!Buffer.from(bytes).includes('4915100000001'));
  assert.throws(() => Engine.restore(bytes), (err) => err.name === 'SnapshotError' && err.kind === 'needs_secret');
  assert.throws(() => Engine.restoreWithSecret(bytes, 'another secret of 32 bytes......'),
    (err) => err.kind === 'wrong_secret');
  const back = Engine.restoreWithSecret(bytes, new TextEncoder().encode(secret));
  assert.deepEqual(back.report(), e.report());
  assert.equal(back.capiEvents({}).batches[0].data[0].user_data.ctwa_clid, 'CLID-A');
});
