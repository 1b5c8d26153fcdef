// Upstream for the proxy benchmark: /small (two Set-Cookie headers, short body) and /big (1 MiB).
import http from 'node:http';

const big = Buffer.alloc(1024 * 1024, 0x61);
const small = Buffer.from('{"ok":true,"user":"bench"}');

const server = http.createServer((req, res) => {
  if (req.url === '/big') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': big.length });
    res.end(big);
    return;
  }
  res.writeHead(200, [
    'Content-Type', 'application/json',
    'Content-Length', String(small.length),
    'Set-Cookie', 'sid=bench-session-0001; Path=/; HttpOnly; SameSite=Lax',
    'Set-Cookie', 'pref=dark; Path=/; Max-Age=3600',
  ]);
  res.end(small);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('disconnect', () => process.exit(0));
