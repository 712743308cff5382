/**
 * The testkit's own access to etcd's v3 JSON gateway (health checks, auth setup, raw reads and
 * writes in tests), over http or https with the test CA, independent of the package under test.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What a client needs to reach a TLS etcd: the CA, and a client certificate when required. */
export interface EtcdClientTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/** An answer of the gateway: HTTP status and JSON body. */
export interface GatewayAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POSTs JSON to `endpoint + path`; rejects only when no answer came (refused, TLS, timeout). */
export function gatewayPost(
  endpoint: string,
  path: string,
  body: unknown,
  options: { tls?: EtcdClientTls | undefined; token?: string | undefined; timeoutMs?: number } = {},
): Promise<GatewayAnswer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const url = new URL(path, endpoint);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    if (options.token !== undefined) headers['authorization'] = options.token;
    const req = send(url, { method: 'POST', headers, agent: false, timeout: options.timeoutMs ?? 5_000, ...options.tls }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { raw: text } });
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url.href} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Whether `/health` answers healthy (GET; etcd serves it without auth). */
export function etcdHealthy(endpoint: string, tls?: EtcdClientTls): Promise<boolean> {
  return new Promise((resolve) => {
    const url = new URL('/health', endpoint);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', timeout: 1_000, agent: false, ...tls }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && /"health":\s*"true"/.test(body)));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
