// esbuild does not follow `new URL(…, import.meta.url)`: the page imports the .wasm with the
// `file` loader (esbuild copies it into the output and gives its URL) and hands it to `init`.
import wasmUrl from 'convolens/convolens_bg.wasm';
import { show } from './page.js';

show({ module_or_path: wasmUrl });
