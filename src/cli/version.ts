/** Set by the esbuild define of the bundled CLI. */
declare const SESSION_LENS_VERSION: string | undefined;

/** The CLI's version: the package's, as the bundle was built; `0.0.0-dev` when run from the sources. */
export function cliVersion(): string {
  return typeof SESSION_LENS_VERSION === 'string' ? SESSION_LENS_VERSION : '0.0.0-dev';
}
