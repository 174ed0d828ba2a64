'use strict';
// Shared fixtures for the node tests: paths and record builders.
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..', '..');
const pkgDir = path.join(root, 'bindings-wasm', 'pkg');
const exampleData = path.join(root, 'examples', 'data', 'example.jsonl');
const exampleConfig = path.join(root, 'examples', 'data', 'config.json');
const sharedData = path.join(root, 'testdata', 'shared');

const inbound = (id, from, ts, body, phone = 'PN1') => ({
  object: 'whatsapp_business_account',
  entry: [{
    id: '1',
    changes: [{
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550001111', phone_number_id: phone },
        contacts: [{ wa_id: from, profile: { name: `User ${from}` } }],
        messages: [{ from, id, timestamp: String(ts), type: 'text', text: { body } }],
      },
    }],
  }],
});

const outbound = (id, to, ts, extra = {}) => ({
  type: 'outbound', id, phone_number_id: 'PN1', to, timestamp: ts, ...extra,
});

/** Every `.json` / `.txt` file under `dir`, sorted (empty when `dir` is missing). */
function filesIn(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.json') || f.endsWith('.txt'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** A `readFile` for the Engine constructor: paths relative to the directory of `file` (how
 * the report program resolves a config's `rate_card`). */
const readFileBeside = (file) => (p) => fs.readFileSync(path.resolve(path.dirname(file), p), 'utf8');

module.exports = {
  root, pkgDir, exampleData, exampleConfig, sharedData, inbound, outbound, filesIn, readFileBeside,
};
