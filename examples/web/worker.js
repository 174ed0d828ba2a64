// The dashboard's engine, in a Web Worker so that ingesting a large file never blocks the
// page. It owns the WASM `Engine`, reads files in chunks (Blob.slice), reports progress,
// stops on `cancel` (keeping the data it had), answers reports and contacts exports, and
// keeps the engine's snapshot in IndexedDB (store.js) so a reload restores the state.
//
// Requests: {id, op, ...}; answers {id, ok: true, result} or {id, ok: false, error:
// {name, message}}; progress while loading: {op: 'progress', file, done, total}.
//   start   {}                                   -> {version, restored, cleared, meta}
//   load    {files: [{name, blob}], config?, texts?, chunkBytes?}  -> meta
//   cancel  {}   (stops a running load; the load answers with an error named 'AbortError')
//   report  {options}                            -> Report
//   contacts {filter, options}                   -> CSV text
//   clear   {}                                   -> forgets the data here and in IndexedDB

import init, { Engine, version } from '../../bindings-wasm/pkg/web/convolens.js';
import { loadState, saveState } from './store.js';

let engine = null;
/** What the page shows about the data: {files, bytes, lines, errors, errorCount, phones,
 * config, texts, ms}. `config`/`texts` are kept so later files load with the same config. */
let meta = null;
let cancelled = false;

const NEWLINE = 10;
const OPEN = 123; // {
const PHONE = /"phone_number_id"\s*:\s*"([^"\\]{1,64})"/g;
const MAX_ERRORS = 100;

function readFileFrom(texts) {
  return (p) => {
    const t = texts?.[p.split('/').pop()];
    if (t === undefined) throw new Error(`drop ${p} together with the configuration`);
    return t;
  };
}

/** Ingest `bytes` (whole lines) and note its errors with line numbers counted from the file's start. */
function ingestPart(eng, bytes, st, name) {
  const out = eng.ingestJsonl(bytes);
  for (const e of out.errors) {
    st.errorCount += 1;
    if (st.errors.length < MAX_ERRORS) st.errors.push({ file: name, line: st.fileLines + e.line, column: e.column, field: e.field, kind: e.kind, message: e.message });
  }
  st.fileLines += out.lines;
  st.lines += out.lines;
  const text = new TextDecoder().decode(bytes);
  for (const m of text.matchAll(PHONE)) st.phones.add(m[1]);
}

function concat(a, b) {
  if (!a.length) return b;
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

/** Where to cut a chunk: before the last line that starts with `{` (the start of the next
 * document, whether the file is JSON lines or pretty-printed documents, whose inner lines
 * are indented), so no document is split; 0 when there is none yet. */
function cutAt(chunk) {
  for (let i = chunk.length - 1; i > 0; i -= 1) {
    if (chunk[i] === OPEN && chunk[i - 1] === NEWLINE) return i;
  }
  return 0;
}

/** One file, chunk by chunk: each chunk up to its last document start; the rest waits for the next. */
async function ingestFile(eng, { name, blob }, st, chunkBytes, progress) {
  st.fileLines = 0;
  // A .json file is one document, maybe pretty-printed or an array: read it whole.
  const step = /\.json$/i.test(name) ? Math.max(blob.size, 1) : chunkBytes;
  let carry = new Uint8Array(0);
  for (let off = 0; off < blob.size; off += step) {
    const chunk = concat(carry, new Uint8Array(await blob.slice(off, off + step).arrayBuffer()));
    if (cancelled) throw Object.assign(new Error('Loading cancelled: the previous data is kept.'), { name: 'AbortError' });
    const end = off + step >= blob.size ? chunk.length : cutAt(chunk);
    if (end > 0) ingestPart(eng, chunk.subarray(0, end), st, name);
    carry = chunk.slice(end);
    progress(Math.min(off + step, blob.size));
  }
}

async function load({ files, config, texts, chunkBytes = 4 << 20 }) {
  cancelled = false;
  const cfg = config === undefined ? meta?.config : config;
  const txt = config === undefined ? meta?.texts : texts;
  const t0 = performance.now();
  const eng = new Engine(cfg, cfg === undefined ? undefined : readFileFrom(txt));
  const total = files.reduce((s, f) => s + f.blob.size, 0);
  const st = { lines: 0, fileLines: 0, errors: [], errorCount: 0, phones: new Set() };
  let before = 0;
  try {
    for (const f of files) {
      await ingestFile(eng, f, st, chunkBytes, (done) => postMessage({ op: 'progress', file: f.name, done: before + done, total }));
      before += f.blob.size;
    }
  } catch (e) {
    eng.free();
    throw e;
  }
  engine?.free();
  engine = eng;
  meta = {
    files: files.map((f) => f.name), bytes: total, lines: st.lines, errors: st.errors, errorCount: st.errorCount,
    phones: [...st.phones].sort(), config: cfg, texts: txt, ms: Math.round(performance.now() - t0),
  };
  await saveState({ snapshot: engine.snapshot(), meta });
  return meta;
}

async function start() {
  await init();
  const saved = await loadState();
  if (saved?.snapshot) {
    engine = Engine.restore(saved.snapshot);
    meta = saved.meta;
  }
  return { version: version(), restored: Boolean(saved?.snapshot), cleared: Boolean(saved?.cleared), meta };
}

function need() {
  if (!engine) throw Object.assign(new Error('No data loaded: drop a JSONL file or load the example data.'), { name: 'NoData' });
  return engine;
}

const OPS = {
  start,
  load,
  cancel: () => {
    cancelled = true;
  },
  report: ({ options }) => need().report(options),
  contacts: ({ filter, options }) => need().exportContacts(filter, options),
  clear: async () => {
    engine?.free();
    engine = null;
    meta = null;
    await saveState({ cleared: true });
  },
};

onmessage = async ({ data }) => {
  const { id, op } = data;
  try {
    const result = await OPS[op](data);
    postMessage({ id, ok: true, result });
  } catch (e) {
    postMessage({ id, ok: false, error: { name: e.name, message: e.message, kind: e.kind, option: e.option } });
  }
};
