/**
 * The got driver: got's promise API wrapped with `@datapunk/balancer-got`.
 *
 * Every HTTP status resolves (`throwHttpErrors: false`); got's own retries are off (`limit: 0`),
 * so requests to other hosts are sent once, like the other drivers'; requests to services are
 * retried by the balancer alone. Each client has its own keep-alive agent, destroyed by `close()`.
 */
import { Agent } from 'node:http';
import type { Balancer, RequestOverrides } from '@datapunk/balancer';
import { withBalancer, type BalancerContext } from '@datapunk/balancer-got';
import got from 'got';
import type { BalancedClient, ClientDriver, DriverRequest, DriverResponse } from '../scenarios/driver.js';

export const gotDriver: ClientDriver = {
  name: 'got',
  create(balancer: Balancer): BalancedClient {
    const agent = new Agent({ keepAlive: true });
    const client = withBalancer(got.extend({ agent: { http: agent }, retry: { limit: 0 } }), balancer);
    return {
      async request(request: DriverRequest): Promise<DriverResponse> {
        const promise = client(request.url, {
          method: request.method as 'GET',
          headers: request.headers,
          body: request.body,
          signal: signalOf(request),
          throwHttpErrors: false,
          responseType: 'text',
          ...(request.overrides === undefined ? {} : { context: { balancer: request.overrides as RequestOverrides } satisfies BalancerContext }),
        });
        const abortDuringBody = request.abortDuringBody;
        if (abortDuringBody) {
          // got reads the body in chunks; the first progress event with bytes marks the first chunk.
          promise.on('downloadProgress', (progress) => {
            if (progress.transferred > 0) abortDuringBody.abort();
          });
        }
        const response = await promise;
        return { status: response.statusCode, headers: flatHeaders(response.headers), body: response.body };
      },
      async close(): Promise<void> {
        agent.destroy();
      },
    };
  },
};

/** The caller's signal, joined with the body-abort controller when the scenario asks for one. */
function signalOf(request: DriverRequest): AbortSignal | undefined {
  const signals = [request.signal, request.abortDuringBody?.signal].filter((s): s is AbortSignal => s !== undefined);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

function flatHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
