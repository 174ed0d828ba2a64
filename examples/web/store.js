// The dashboard's persistence: one IndexedDB object store holding the engine's snapshot and
// what the page knows about the data (file names, business numbers, ingest counts), so a
// reload restores the state. Used by the ingest worker (IndexedDB works in workers).

const DB = 'convolens-dashboard';
const STORE = 'state';
const KEY = 'current';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, f) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** The saved state: {snapshot: Uint8Array, meta} or {cleared: true}, else undefined. */
export const loadState = () => run('readonly', (s) => s.get(KEY));
/** Keep `state` (replacing the previous one). */
export const saveState = (state) => run('readwrite', (s) => s.put(state, KEY));
