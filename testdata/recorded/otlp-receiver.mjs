// A minimal OTLP/HTTP JSON receiver. Exporters post to
// /<library>/v1/traces and /<library>/v1/logs; every body is kept, by
// library and signal, in arrival order.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readBody } from './mock-openai.mjs';

const SIGNALS = { traces: 'resourceSpans', logs: 'resourceLogs' };

export async function startOTLPReceiver() {
  const bodies = new Map(); // "<library>/<signal>" -> [parsed request]
  const errors = [];
  const server = http.createServer(async (req, res) => {
    const match = /^\/([\w.-]+)\/v1\/(traces|logs)$/.exec(req.url);
    if (req.method !== 'POST' || !match) {
      errors.push(`unexpected ${req.method} ${req.url}`);
      res.writeHead(404).end();
      return;
    }
    const [, library, signal] = match;
    let raw = await readBody(req);
    try {
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const key = `${library}/${signal}`;
      if (!bodies.has(key)) bodies.set(key, []);
      bodies.get(key).push(JSON.parse(raw.toString('utf8')));
    } catch (err) {
      errors.push(`${req.url}: ${err.message} (content-type ${req.headers['content-type']})`);
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    errors,
    // merged returns one export request holding every resource entry that
    // arrived for the library and signal, or undefined if none arrived.
    merged(library, signal) {
      const received = bodies.get(`${library}/${signal}`);
      if (!received) return undefined;
      const field = SIGNALS[signal];
      return { [field]: received.flatMap((body) => body[field] ?? []) };
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
