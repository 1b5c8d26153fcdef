/**
 * The capture engine's public API (the lazily loaded engine bundle): the capture sources, HAR
 * import and export and the capture proxy, with the session model they write into
 * (`../session`, re-exported so the bundle carries one copy of it).
 */
export * from '../session';
export { importHar, parseHar, HarFormatError, type HarImportResult } from './harImport';
export { importHarStream, type HarStreamOptions } from './harStream';
export { exportHar, droppedExchangesComment, REDACTED, type HarDocument, type HarExportOptions } from './harExport';
export { HarJournal, journalPathOf, recoverUnterminatedHar, type HarJournalOptions, type HarJournalClose } from './harJournal';
export {
  startCaptureProxy, isLoopbackHost, parseTarget, CaptureConfigError, DEFAULT_STOP_GRACE_MS,
  type CaptureProxy, type CaptureProxyOptions, type CaptureProxyCloseOptions, type CaptureProxyTimeouts,
} from './captureProxy';
export * from './rules';
export * from './sessionActions';
