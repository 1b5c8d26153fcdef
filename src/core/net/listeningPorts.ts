import { readFile } from 'node:fs/promises';
import * as net from 'node:net';

/** Ports dev servers commonly use (Next/Express, Vite, Angular, Django, Flask, Rails, PHP, Spring...). */
export const COMMON_DEV_PORTS: readonly number[] = [3000, 3001, 4000, 4200, 5000, 5001, 5173, 8000, 8008, 8080, 8081, 8443, 8888, 9000];

/** Reads the listening TCP ports on loopback or any address from /proc (Linux only; [] elsewhere). */
async function procListeners(): Promise<number[]> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addr, portHex] = cols[1].split(':');
      // Loopback (127.x / ::1) or any-address listeners are reachable on 127.0.0.1.
      const loopbackOrAny = /^(0100007F|0+|0{24}01000000|0{32})$/i.test(addr) || addr.toUpperCase().endsWith('7F');
      if (loopbackOrAny) ports.add(parseInt(portHex, 16));
    }
  }
  return [...ports];
}

/** True when something accepts a TCP connection on 127.0.0.1:port within `timeoutMs`. */
export function isListening(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Ports on 127.0.0.1 where a server is listening: every listener on Linux, plus the common
 * dev ports probed by connecting, sorted, without `exclude` (our own proxy, for example).
 */
export async function findLoopbackListeners(exclude: readonly number[] = []): Promise<number[]> {
  const found = new Set(await procListeners());
  const probes = await Promise.all(COMMON_DEV_PORTS.filter((p) => !found.has(p)).map(async (p) => ((await isListening(p)) ? p : 0)));
  for (const p of probes) if (p) found.add(p);
  return [...found].filter((p) => p > 0 && !exclude.includes(p)).sort((a, b) => a - b);
}
