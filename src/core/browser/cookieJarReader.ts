import type Protocol from 'devtools-protocol';
import type { SessionStore } from '../session/sessionStore';
import type { BrowserJarCookie } from '../session/types';
import type { SessionSend } from './networkRecorder';

/** How often the jar is read while attached, for changes no network event announces (`document.cookie`). */
export const DEFAULT_JAR_REFRESH_MS = 2000;

/**
 * How long reads may be put off while responses are awaited (see `awaitingResponse`): a page
 * with a long poll always awaits one, and its script-set cookies must still show up. A time, not
 * a count of reads: on a busy machine many reads are asked for while one response is on its way.
 */
const MAX_DEFER_MS = 10_000;

/** How long a read waits for the pages' events to catch up (a page paused or gone answers late or never). */
const CATCH_UP_MS = 1000;

/** A CDP cookie as the session model's `BrowserJarCookie`. */
export function jarCookieOf(c: Protocol.Network.Cookie): BrowserJarCookie {
  const expires = !c.session && typeof c.expires === 'number' && c.expires > 0 ? Math.round(c.expires * 1000) : undefined;
  return {
    name: c.name, value: c.value, domain: c.domain, path: c.path,
    ...(expires !== undefined ? { expires } : {}),
    secure: c.secure, httpOnly: c.httpOnly,
    ...(c.sameSite ? { sameSite: c.sameSite } : {}),
    ...(c.partitionKey !== undefined ? { partitioned: true } : {}),
    ...(c.priority ? { priority: c.priority } : {}),
  };
}

/**
 * Keeps the store's cookies in step with the browser's own jar: reads it (`Storage.getCookies`
 * on a browser endpoint, `Network.getAllCookies` on a page's) when asked (a response set
 * cookies, a page loaded) and on a timer while attached. Reads never overlap: asks during a read
 * make one more read after it.
 */
export class CookieJarReader {
  private reading: Promise<void> | undefined;
  private again = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private method: 'Storage.getCookies' | 'Network.getAllCookies' = 'Storage.getCookies';
  private disposed = false;
  private warned = false;
  /** When the first read put off in a row was, while reads are being put off. */
  private deferredSince: number | undefined;

  constructor(
    private readonly send: SessionSend,
    private readonly store: SessionStore,
    private readonly origins: readonly string[],
    private readonly warn: (message: string) => void = () => undefined,
    /**
     * True while a request awaits its response head: the jar may then hold a cookie whose
     * Set-Cookie line has not reached the store, which the read would record as set by script.
     */
    private readonly awaitingResponse: () => boolean = () => false,
    /** The clock the put-off window is measured on. */
    private readonly now: () => number = Date.now,
    /**
     * A round trip to every page being recorded, made after the jar was read: the jar is answered
     * by the browser process, the pages' network events come from their own processes, so a
     * request whose cookie the jar already holds may not have been announced yet. Its
     * `requestWillBeSent` left the page before the request did, so it arrives before the answer
     * to a command sent to that page after the read.
     */
    private readonly catchUp: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Reads now and then every `intervalMs` (0: only when asked). */
  start(intervalMs: number): Promise<void> {
    if (intervalMs > 0) {
      this.timer = setInterval(() => { void this.refresh(); }, intervalMs);
      this.timer.unref?.();
    }
    return this.refresh();
  }

  /**
   * Reads the jar (once more after the read in progress, if any); resolves when the store has it.
   * `final`: the read at the end of the capture, applied even while responses are awaited.
   */
  refresh(options: { final?: boolean } = {}): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (options.final) this.deferredSince = -Infinity;
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again && !this.disposed);
    };
    this.reading = run().finally(() => { this.reading = undefined; });
    return this.reading;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
  }

  private async readOnce(): Promise<void> {
    const readAt = Date.now();
    const awaitedAtStart = this.awaitingResponse();
    let cookies: Protocol.Network.Cookie[];
    try {
      cookies = (await this.send(this.method) as { cookies: Protocol.Network.Cookie[] }).cookies;
    } catch (err) {
      if (this.disposed) return;
      if (this.method === 'Storage.getCookies') {
        // A page-level endpoint (js-debug's CDP proxy) has no Storage domain for the browser.
        this.method = 'Network.getAllCookies';
        return this.readOnce();
      }
      if (!this.warned) {
        this.warned = true;
        this.warn(`Session Lens browser capture: cannot read the browser's cookie jar: ${(err as Error).message}`);
      }
      return;
    }
    if (this.disposed || !Array.isArray(cookies)) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.catchUp().catch(() => undefined),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, CATCH_UP_MS); }),
    ]);
    clearTimeout(timer);
    if (this.disposed) return;
    // Put off (the next read, after the response event, or the timer's, applies the jar), but
    // not forever.
    if (awaitedAtStart || this.awaitingResponse()) {
      const now = this.now();
      this.deferredSince ??= now;
      if (now - this.deferredSince < MAX_DEFER_MS) return;
    }
    this.deferredSince = undefined;
    this.store.syncBrowserCookies(cookies.map(jarCookieOf), this.origins, readAt);
  }
}
