// The page the bundler tests build (package.test.js): it imports `convolens` by its package
// name, as an application would, initialises the WebAssembly module explicitly, reads the
// example data and configuration from its own site and publishes the report's JSON text as
// `window.convolensReport`. Any failure is a console error, which fails the test.
import init, { Engine, version } from 'convolens';

const text = (r) => {
  if (!r.ok) throw new Error(`${r.url}: HTTP ${r.status}`);
  return r.text();
};

/** Initialise the module (`initArg` as for `init`; undefined: the .wasm beside the glue,
 * as the bundler placed it), ingest the example data and show its report. */
export async function show(initArg) {
  const status = document.getElementById('status');
  try {
    await init(initArg);
    const [config, rates, data] = await Promise.all([
      fetch('./config.json').then(text),
      fetch('./rate-card.example.csv').then(text),
      fetch('./traffic.jsonl').then((r) => r.arrayBuffer()),
    ]);
    // The config names its rate card by path; the page fetched it above.
    const engine = new Engine(config, (path) => {
      if (path !== 'rate-card.example.csv') throw new Error(`unexpected file ${path}`);
      return rates;
    });
    const { lines, errors } = engine.ingestJsonl(new Uint8Array(data));
    const report = engine.report();
    window.convolensReport = JSON.stringify(report);
    status.textContent = `convolens ${version()}: ${lines} lines, ${errors.length} unreadable, `
      + `${report.sources.length} sources`;
    document.body.dataset.state = 'ready';
  } catch (e) {
    status.textContent = String(e);
    document.body.dataset.state = 'error';
    console.error(e);
  }
}
