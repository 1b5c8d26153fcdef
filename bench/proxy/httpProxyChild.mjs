// The baseline: npm http-proxy with a keep-alive agent upstream.
import http from 'node:http';
import httpProxy from 'http-proxy';
import gcPauses from './gcPauses.cjs';

const target = process.argv[2];
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target, agent });
proxy.on('error', (_err, _req, res) => { res.writeHead?.(502); res.end?.(); });
const server = http.createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('message', (m) => {
  if (m === 'rss') {
    globalThis.gc?.();
    const mem = process.memoryUsage();
    process.send({ rss: mem.rss, heapUsed: mem.heapUsed });
  } else if (m === 'gc') {
    process.send(gcPauses.take());
  }
});
