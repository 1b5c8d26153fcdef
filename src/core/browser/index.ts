/**
 * Browser capture through the Chrome DevTools Protocol: launching a browser with a throwaway
 * profile, attaching to one, and recording its traffic and web storage into a SessionStore.
 * Loaded on first use only (the capture engine bundle); the CDP client is chrome-remote-interface.
 */
export { startBrowserCapture, type BrowserCapture, type BrowserCaptureOptions } from './browserCapture';
export { launchBrowser, findBrowser, BrowserLaunchError, type LaunchBrowserOptions, type LaunchedBrowser } from './browserLauncher';
export { parseCdpEndpoint, parseOrigins, BrowserCaptureConfigError, type CdpEndpoint } from './cdpEndpoint';
export { createThrowawayProfile, removeStaleProfiles, profileRoot } from './browserProfile';
