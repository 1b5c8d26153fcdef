// Entry of dist/engines/lint.js: the parser runtime and lint engine, loaded on the first linted document.
export * from '../../core/lint/engine';
// The scanner runs this same bundle in its worker threads (Scan Workspace on both cores).
export { listFiles, scanFiles } from '../../core/lint/scanner';
export type { ScanOptions, ScanResult } from '../../core/lint/scanner';
