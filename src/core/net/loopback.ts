/**
 * True for host names and addresses of this machine: `localhost`, 127.0.0.0/8, `::1` (also
 * written out or IPv4-mapped), brackets and a trailing dot allowed. With `subdomains` (the
 * default) `*.localhost` counts too, as browsers treat it; without, only names that resolve to
 * loopback whatever the resolver (for fetching).
 */
export function isLoopbackHost(host: string, options: { subdomains?: boolean } = {}): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (options.subdomains !== false && isLocalhostName(h)) return true;
  const m = /^(?:::ffff:)?127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && Number(m[1]) <= 255 && Number(m[2]) <= 255 && Number(m[3]) <= 255;
}

/** `localhost` or a name under it (`app.localhost`), any case, trailing dot allowed: names browsers resolve to loopback themselves. */
export function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}
