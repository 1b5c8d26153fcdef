// Entry of dist/engines/lint.js: the parser runtime and lint engine, loaded on the first linted document.
export * from '../../core/lint/engine';
