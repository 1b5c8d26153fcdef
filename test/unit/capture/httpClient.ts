import * as http from 'node:http';

/** A complete response as a Node client saw it. */
export interface ClientResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly trailers: NodeJS.Dict<string>;
}

/** One request with Node's client (no redirects followed, no decoding); rejects on a broken response. */
export function request(
  url: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string; agent?: http.Agent | false } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), trailers: res.trailers,
      }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Values of one header in rawHeaders order, not merged. */
export function rawValues(rawHeaders: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name) out.push(rawHeaders[i + 1]);
  return out;
}

/** A tiny browser: keeps cookies per name (enough for one host), sends them back, follows nothing. */
export class CookieClient {
  private readonly cookies = new Map<string, string>();
  /** `settle` runs after each response (the proxy's recorded()), so the store is complete when read. */
  constructor(private readonly base: string, private readonly settle: () => Promise<void> = async () => undefined) {}

  async send(path: string, options: { method?: string; body?: string; headers?: http.OutgoingHttpHeaders } = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await request(this.base + path, { ...options, headers: { ...options.headers, ...(cookie ? { cookie } : {}) } });
    for (const line of rawValues(res.rawHeaders, 'set-cookie')) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=thu, 01 jan 1970/i.test(line) || /max-age=0\b/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    await this.settle();
    return res;
  }
}
