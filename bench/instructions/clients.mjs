// The clients whose instructions per request are counted: `makeClient(root, client, mode, urls)`
// with client undici | undici-null | got | axios and mode raw | control | balanced (got also:
// repoint, sticky), built from the repository at `root` (its bench config, so balanced clients
// are configured as in the bench).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Agent as HttpAgent } from 'node:http';
export async function makeClient(root, client, mode, urls) {
const req = createRequire(`${root}/bench/package.json`);
const imp = (spec) => import(pathToFileURL(req.resolve(spec)).href);
const impPath = (p) => import(pathToFileURL(`${root}/${p}`).href);
const { userBalancer, SERVICE_ORIGIN } = await impPath('bench/dist/config.js');
const undici = await imp('undici');
// A dispatcher answering from memory: the bench's own (its null transport).
const { NullDispatcher } = await impPath('bench/dist/overhead/null-transport.js');
const balancer = mode === 'balanced' ? userBalancer(urls) : undefined;
let i = 0;
const rr = () => urls[i++ % urls.length];
let counter = 0;
const nextPath = () => `/api/items/${counter++ % 100000}`;
const noop = (dispatch) => function passThrough(opts, handler) { return dispatch(opts, handler); };
let send;
if (client === 'undici-null' || client === 'undici') {
  const base = client === 'undici-null' ? new NullDispatcher() : new undici.Agent();
  const { withBalancer } = await impPath('packages/undici/dist/index.js');
  const d = mode === 'balanced' ? withBalancer(base, balancer) : mode === 'control' ? base.compose(noop) : base;
  const origin = () => (mode === 'balanced' ? SERVICE_ORIGIN : rr());
  send = async () => { const res = await d.request({ origin: origin(), path: nextPath(), method: 'GET' }); await res.body.text(); };
} else if (client === 'got') {
  const got = (await imp('got')).default;
  const { withBalancer } = await impPath('packages/got/dist/index.js');
  const g0 = got.extend({ agent: { http: new HttpAgent({ keepAlive: true }) } });
  const noopExt = {
    handlers: process.env.NO_HANDLER ? [] : [(o, next) => next(o)],
    hooks: process.env.NO_HOOKS ? {} : { beforeRequest: [() => {}], beforeRetry: [() => {}], beforeRedirect: [() => {}], afterResponse: [(r) => r] },
    retry: { calculateDelay: (r) => r.computedValue },
  };
  // repoint: the least any got balancer does, a handler that points a service URL at an instance
  // (got parses the caller's URL, then the instance's).
  const repoint = { handlers: [(o, next) => { o.url = `${rr()}${o.url.pathname}${o.url.search}`; return next(o); }] };
  const g = mode === 'balanced' ? withBalancer(g0, balancer) : mode === 'control' ? g0.extend(noopExt) : mode === 'repoint' ? g0.extend(repoint) : g0;
  // sticky: raw got sending each request to the instance that answered last (16 slots, last
  // freed first), the order a least-loaded pick gives: that instance has the fewest in flight.
  const slots = Array.from({ length: 16 }, (_, k) => urls[k % urls.length]);
  const sticky = async () => {
    const url = slots.pop() ?? rr();
    try {
      await g(`${url}${nextPath()}`);
    } finally {
      slots.push(url);
    }
  };
  send = mode === 'sticky' ? sticky : mode === 'balanced' || mode === 'repoint' ? async () => void (await g(`${SERVICE_ORIGIN}${nextPath()}`)) : async () => void (await g(`${rr()}${nextPath()}`));
} else if (client === 'axios') {
  const axios = (await imp('axios')).default;
  const { withBalancer } = await impPath('packages/axios/dist/index.js');
  const a0 = axios.create({ httpAgent: new HttpAgent({ keepAlive: true }) });
  const a = mode === 'balanced' ? withBalancer(a0, balancer) : a0;
  send = mode === 'balanced' ? async () => void (await a.get(`${SERVICE_ORIGIN}${nextPath()}`)) : async () => void (await a.get(`${rr()}${nextPath()}`));
}
return { send, close: async () => { await balancer?.close(); } };
}
