/**
 * The axios driver: an `axios.create()` instance with `withBalancer`, on its own keep-alive
 * agents so that `close()` leaves no socket behind. Buffered responses (axios's usual mode)
 * unless the scenario aborts during the body, which needs `responseType: 'stream'`.
 */
import type { Balancer, RequestOverrides } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-axios';
import axios, { type AxiosResponse } from 'axios';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { BalancedClient, ClientDriver, DriverRequest, DriverResponse } from '../scenarios/driver.js';

/** The caller's signal and the abort-during-body controller's, as one signal. */
function signalOf(req: DriverRequest): AbortSignal | undefined {
  const signals = [req.signal, req.abortDuringBody?.signal].filter((s): s is AbortSignal => s !== undefined);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/** Reads a streamed body, aborting the request once the first chunk arrived. */
async function readAborting(body: Readable, controller: AbortController): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk as Buffer));
    controller.abort();
  }
  return Buffer.concat(chunks).toString('utf8');
}

function headersOf(response: AxiosResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && value !== null) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export const axiosDriver: ClientDriver = {
  name: 'axios',
  create(balancer: Balancer): BalancedClient {
    const httpAgent = new http.Agent({ keepAlive: true });
    const httpsAgent = new https.Agent({ keepAlive: true });
    const client = withBalancer(axios.create({ httpAgent, httpsAgent, validateStatus: () => true }), balancer);
    return {
      async request(req: DriverRequest): Promise<DriverResponse> {
        const streamed = req.abortDuringBody !== undefined;
        const response = await client.request<string | Readable>({
          method: req.method,
          url: req.url,
          headers: req.headers,
          data: req.body,
          signal: signalOf(req),
          responseType: streamed ? 'stream' : 'text',
          transformResponse: (data: unknown) => data,
          ...(req.overrides === undefined ? {} : { balancer: req.overrides as RequestOverrides }),
        });
        const body = req.abortDuringBody ? await readAborting(response.data as Readable, req.abortDuringBody) : (response.data as string);
        return { status: response.status, headers: headersOf(response), body };
      },
      async close(): Promise<void> {
        httpAgent.destroy();
        httpsAgent.destroy();
      },
    };
  },
};
