// Four loopback servers answering {"ok":true}; prints their origins as JSON on stdout.
import http from 'node:http';

const body = Buffer.from('{"ok":true}');
const urls = [];
for (let i = 0; i < 4; i++) {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  urls.push(`http://127.0.0.1:${server.address().port}`);
}
console.log(JSON.stringify(urls));
