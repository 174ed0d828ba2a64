// The error classes of the `convolens` npm package; build.sh appends this file to both
// builds' entry module and exports the classes. The WebAssembly layer throws plain
// `Error`s whose `name` is the class name (`ParseError`, ...) with the structured fields
// as own properties; `Symbol.hasInstance` makes `err instanceof ParseError` and
// `err instanceof ConvolensError` true for them, as for errors made with `new`.

const CONVOLENS_ERRORS = ['ParseError', 'ConfigError', 'ReportError', 'SnapshotError'];

/** Base class of every convolens error. */
export class ConvolensError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }

  static [Symbol.hasInstance](v) {
    if (Function.prototype[Symbol.hasInstance].call(this, v)) return true;
    const name = this === ConvolensError ? null : this.name;
    return v instanceof Error && (name ? v.name === name : CONVOLENS_ERRORS.includes(v.name));
  }
}

/** Input that cannot be ingested: `kind`, `line`, `column`, `field`. */
export class ParseError extends ConvolensError {}

/** A configuration that cannot be used: `key`. */
export class ConfigError extends ConvolensError {}

/** A report that cannot be computed as asked: `kind`, `option`. */
export class ReportError extends ConvolensError {}

/** Snapshot bytes that cannot be restored: `kind`. */
export class SnapshotError extends ConvolensError {}
