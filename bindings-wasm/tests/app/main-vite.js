// Vite: `init()` without arguments. The glue's `new URL('…_bg.wasm', import.meta.url)` is
// an asset reference Vite understands: it copies the .wasm into the build and rewrites the URL.
import { show } from './page.js';

show();
