/**
 * Loopback servers for the edge suite: each records what it processed (method, path, port,
 * headers, body) and answers with whatever the test's handler does, including the misbehaviour
 * the testkit fleet does not script (redirects, a reset in the middle of a body).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server received and processed it. */
export interface Processed {
  readonly method: string;
  readonly path: string;
  readonly port: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export type EdgeHandler = (req: IncomingMessage, res: ServerResponse, processed: Processed) => void;

export interface RecordingServer {
  readonly url: string;
  readonly port: number;
  readonly processed: Processed[];
  /** Replaces the handler (default: 200 with a JSON echo of the request). */
  handle(handler: EdgeHandler): void;
  close(): Promise<void>;
}

/** Answers 200 with `{ server, method, path }`. */
export const echo =
  (name: string): EdgeHandler =>
  (_req, res, p) => {
    const body = JSON.stringify({ server: name, method: p.method, path: p.path });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

/** Routes by path (before `?`) to `routes`, else to `fallback`. */
export const byPath =
  (routes: Readonly<Record<string, EdgeHandler>>, fallback: EdgeHandler): EdgeHandler =>
  (req, res, p) =>
    (routes[p.path.split('?')[0]!] ?? fallback)(req, res, p);

/** Sends headers and part of a body, then resets the connection. */
export const resetMidBody: EdgeHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
  res.write('x'.repeat(100), () => setImmediate(() => res.socket?.resetAndDestroy()));
};

/** Answers a redirect to `location`. */
export const redirect =
  (status: number, location: string): EdgeHandler =>
  (_req, res) => {
    res.writeHead(status, { location, 'content-length': '0' });
    res.end();
  };

export async function startRecordingServer(name: string, options: { port?: number; host?: string } = {}): Promise<RecordingServer> {
  let handler: EdgeHandler = echo(name);
  const processed: Processed[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p: Processed = {
        method: req.method ?? '',
        path: req.url ?? '',
        port: (req.socket.address() as AddressInfo).port,
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
      };
      processed.push(p);
      handler(req, res, p);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: port === 80 ? `http://${hostPart}` : `http://${hostPart}:${port}`,
    port,
    processed,
    handle(next) {
      handler = next;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
