// Types of node.mjs: the browser build's, whose `init()` resolves at once in Node.
export * from './web/convolens.js';
export { default } from './web/convolens.js';
