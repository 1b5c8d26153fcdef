/**
 * The capture engine's public API: the session store and its plain-data types, HAR import and
 * export, and the capture proxy. Import from here.
 */
export * from './types';
export { SessionStore, type SessionStoreOptions, type RequestInput, type ResponseInput, type FinishInput } from './sessionStore';
export { type BodyInput, DEFAULT_PREVIEW_BYTES } from './bodyPreview';
export { importHar, parseHar, HarFormatError, type HarImportResult } from './harImport';
export { importHarStream, type HarStreamOptions } from './harStream';
export { exportHar, droppedExchangesComment, REDACTED, type HarDocument, type HarExportOptions } from './harExport';
export { HarJournal, journalPathOf, recoverUnterminatedHar, type HarJournalOptions, type HarJournalClose } from './harJournal';
export { DEFAULT_TOKEN_HEADERS, jwtExpiry } from './tokenExtractor';
export {
  startCaptureProxy, isLoopbackHost, parseTarget, CaptureConfigError, DEFAULT_STOP_GRACE_MS,
  type CaptureProxy, type CaptureProxyOptions, type CaptureProxyCloseOptions, type CaptureProxyTimeouts,
} from './captureProxy';
export { cookiesSeen, type CookieSeen, type CookieSeenState } from './cookiesSeen';
