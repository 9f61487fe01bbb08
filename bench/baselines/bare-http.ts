import { createServer } from 'node:http';

/**
 * Baseline (a) of issue 3: a bare Node http server that reads the body and answers 200, storing nothing. The
 * ceiling for any Node HTTP ingress on this machine.
 */
const port = Number(process.env.PORT || 0);
const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${JSON.stringify(server.address())}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
