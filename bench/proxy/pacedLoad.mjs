// An open-loop load generator: requests leave at a constant rate, evenly spaced, on a pool of
// keep-alive connections, whatever the server's latency. Latency is measured from the time a
// request was due (as wrk2 does), so a stall counts for every request it delays, and not at all
// for requests it does not.
//
// autocannon's overallRate is not this: each connection fires its whole per-second quota in a
// burst at the start of every second, and its coordinated-omission correction assumes a 1 ms
// interval, adding a synthetic sample for every millisecond of each slow response.
import net from 'node:net';

/**
 * Sends `rate` GET requests per second for `seconds` to 127.0.0.1:`port``path` over `connections`
 * connections. Responses must carry Content-Length (the bench upstream's do).
 * Resolves to { sent, completed, errors, seconds, latencies: Float64Array (ms, from due time),
 * lags: Float64Array (ms each request left after it was due: the generator's own delay, which
 * the latencies include) }.
 */
export function pacedLoad({ port, path, rate, seconds, connections }) {
  return new Promise((resolve) => {
    const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: */*\r\n\r\n`);
    const total = Math.round(rate * seconds);
    const interval = 1000 / rate;
    const latencies = new Float64Array(total);
    const lags = new Float64Array(total);
    let completed = 0;
    let errors = 0;
    let next = 0;
    const idle = [];
    const backlog = [];
    let start = 0;
    let finished = false;

    const conns = [];
    for (let i = 0; i < connections; i++) conns.push(open());

    function open() {
      const c = { socket: net.connect(port, '127.0.0.1'), due: 0, buf: null, ready: false };
      c.socket.setNoDelay(true);
      c.socket.on('connect', () => {
        c.ready = true;
        idle.push(c);
        if (idle.length === connections && start === 0) begin();
      });
      c.socket.on('data', (chunk) => onData(c, chunk));
      c.socket.on('error', () => {});
      c.socket.on('close', () => {
        if (!finished) errors++;
      });
      return c;
    }

    function onData(c, chunk) {
      c.buf = c.buf === null ? chunk : Buffer.concat([c.buf, chunk]);
      for (;;) {
        const end = c.buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = c.buf.toString('latin1', 0, end);
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const length = end + 4 + (m ? Number(m[1]) : 0);
        if (c.buf.length < length) return;
        c.buf = c.buf.length === length ? null : c.buf.subarray(length);
        latencies[completed++] = performance.now() - c.due;
        if (!/^HTTP\/1\.1 2/.test(head)) errors++;
        if (completed === total) return done();
        const waiting = backlog.shift();
        if (waiting !== undefined) send(c, waiting);
        else idle.push(c);
        if (c.buf === null) return;
      }
    }

    function send(c, due) {
      c.due = due;
      c.socket.write(request);
    }

    function begin() {
      start = performance.now();
      tick();
    }

    function tick() {
      if (finished) return;
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        const due = start + next * interval;
        lags[next] = now - due;
        next++;
        const c = idle.pop();
        if (c !== undefined) send(c, due);
        else backlog.push(due);
      }
      if (next < total) setTimeout(tick, Math.max(0, Math.min(1, start + next * interval - performance.now())));
    }

    function done() {
      finished = true;
      for (const c of conns) c.socket.destroy();
      resolve({ sent: next, completed, errors, latencies: latencies.subarray(0, completed), lags: lags.subarray(0, next), seconds: (performance.now() - start) / 1000 });
    }
  });
}

/** p-th percentile (0–100) of `values` (sorted copy). */
export function percentile(values, p) {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
