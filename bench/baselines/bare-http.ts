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
// Spawned by the bench with an IPC channel: its closing means the bench is gone (even SIGKILLed); do not outlive it.
if (process.channel) {
  process.once('disconnect', () => process.exit(0));
  process.channel.unref();
}
