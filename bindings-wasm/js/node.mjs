// `import ... from 'convolens'` in Node (the `node` + `import` export condition): the
// browser build's ES module, instantiated at once from the package's .wasm, which Node can
// read synchronously, so there is nothing to await. `init()` is there as in browsers and
// does nothing more, so code written for both runs unchanged. (`require('convolens')` gets
// the CommonJS build, convolens.js; both use the same convolens_bg.wasm.)
import { readFileSync } from 'node:fs';
import { initSync } from './web/convolens.js';

initSync({ module: readFileSync(new URL('./convolens_bg.wasm', import.meta.url)) });

export * from './web/convolens.js';
export { default } from './web/convolens.js';
