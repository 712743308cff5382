/**
 * A driver that uses no adapter: Node's global fetch driven through the core's Call API, exactly
 * as the README's example does. It proves the scenario table and the core contract on their own,
 * and keeps the README example honest.
 */
import type { Balancer, RequestOverrides } from '@datapunk/balancer';
import type { BalancedClient, ClientDriver, DriverRequest, DriverResponse } from '../scenarios/driver.js';

async function read(res: Response, abortDuringBody?: AbortController): Promise<DriverResponse> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  if (abortDuringBody && res.body) {
    const reader = res.body.getReader();
    await reader.read();
    abortDuringBody.abort();
    await reader.cancel().catch(() => {});
  }
  return { status: res.status, headers, body: await res.text() };
}

export const coreFetchDriver: ClientDriver = {
  name: 'core Call API + global fetch',
  // The README's minimal loop sends one attempt at a time: it does not call `call.hedge()`.
  hedges: false,
  create(balancer: Balancer): BalancedClient {
    return {
      async request(req: DriverRequest): Promise<DriverResponse> {
        const url = new URL(req.url);
        const init = (target: URL, signal?: AbortSignal): RequestInit & { duplex?: string } => ({
          method: req.method,
          headers: req.headers,
          ...(req.body === undefined ? {} : { body: req.body as string, duplex: 'half' }),
          ...(signal ? { signal } : {}),
        });
        const call = balancer.call({
          method: req.method,
          url,
          header: (n) => req.headers?.[n] ?? Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === n)?.[1],
          body: req.body,
          ...(req.overrides === undefined ? {} : { overrides: req.overrides as RequestOverrides }),
        });
        if (!call) return read(await fetch(url, init(url, req.signal)), req.abortDuringBody);
        const cancelledBy = () => (req.signal?.aborted ? ('caller' as const) : undefined);
        for (;;) {
          const attempt = call.next();
          if (!attempt.ok) throw attempt.error;
          const controller = new AbortController();
          const onAbort = () => controller.abort(req.signal?.reason);
          req.signal?.addEventListener('abort', onAbort, { once: true });
          attempt.arm((e) => controller.abort(e));
          let res: Response;
          try {
            res = await fetch(attempt.target.url, init(attempt.target.url, controller.signal));
          } catch (error) {
            req.signal?.removeEventListener('abort', onAbort);
            const reason = controller.signal.aborted ? controller.signal.reason : error;
            const d = attempt.end({ error: reason, cancelledBy: cancelledBy() });
            if (!d.retry) throw reason;
            await call.delay(d.delayMs, req.signal);
            continue;
          }
          const d = attempt.headers({ status: res.status, headers: (name: string) => res.headers.get(name) ?? undefined });
          if (d.retry) {
            req.signal?.removeEventListener('abort', onAbort);
            await res.body?.cancel().catch(() => {});
            await call.delay(d.delayMs, req.signal);
            continue;
          }
          try {
            const out = await read(res, req.abortDuringBody);
            attempt.end();
            return out;
          } catch (error) {
            attempt.end({ error, cancelledBy: cancelledBy() });
            throw error;
          } finally {
            req.signal?.removeEventListener('abort', onAbort);
          }
        }
      },
      close: async () => {},
    };
  },
};
