export { cookiesFor, domainMatches, isUnexpired, pathMatches } from './cookieMatch';
export { toCookiesTxt } from './cookiesTxt';
export { currentAuthorization, curlCommand, shellQuote } from './curlCommand';
export type { CurlCommand, CurlOptions } from './curlCommand';
