// The same program as a CommonJS consumer writes it (require() of our ESM packages works on
// Node 20.19+). Type-checked under nodenext; run as compiled. `instanceof axios.AxiosError`
// must hold for errors of a balanced request, as it does for plain axios in CommonJS.
import lb = require('@datapunk/balancer');
import axiosAdapter = require('@datapunk/balancer-axios');
import gotAdapter = require('@datapunk/balancer-got');
import undiciAdapter = require('@datapunk/balancer-undici');
import testkit = require('@datapunk/testkit');
import axios = require('axios');
import undici = require('undici');

async function main(): Promise<void> {
  const got = (await import('got')).default;
  const fleet = await testkit.startFleet({ count: 2, namePrefix: 'orders' });
  fleet.get(1).setBehavior({ errorRate: 1, errorStatus: 500 });
  const balancer = lb.createBalancer({
    services: {
      orders: { instances: [fleet.urls[0]!] },
      broken: { instances: [fleet.urls[1]!], retry: { maxRetries: 0 } },
      empty: { discovery: lb.staticDiscovery([]) },
    },
  });
  const http = axiosAdapter.withBalancer(axios.create(), balancer);
  const ok = await http.get('http://orders/api?via=axios');
  const caught = async (url: string): Promise<unknown> => http.get(url).then(() => undefined, (e: unknown) => e);
  const noInstance = await caught('http://empty/');
  const status500 = await caught('http://broken/');
  const gone = lb.createBalancer({ services: { gone: { instances: ['http://127.0.0.1:1'], retry: { maxRetries: 0 } } } });
  const refused = await axiosAdapter
    .withBalancer(axios.create(), gone)
    .get('http://gone/')
    .then(() => undefined, (e: unknown) => e);
  await gone.close();

  const viaGot = await gotAdapter.withBalancer(got, balancer).get('http://orders/api?via=got');
  const dispatcher = undiciAdapter.withBalancer(new undici.Agent(), balancer);
  const viaRequest = await undici.request('http://orders/api?via=request', { dispatcher });
  await viaRequest.body.text();
  const viaFetch = await undici.fetch('http://orders/api?via=fetch', { dispatcher });
  await viaFetch.text();

  const kind = (e: unknown) => [e instanceof axios.AxiosError, axios.isAxiosError(e) ? e.code : null, axios.isAxiosError(e) ? (e.response?.status ?? null) : null];
  console.log(
    JSON.stringify({
      axios: ok.status,
      noInstance: kind(noInstance),
      status500: kind(status500),
      refused: kind(refused),
      got: viaGot.statusCode,
      request: viaRequest.statusCode,
      fetch: viaFetch.status,
    }),
  );
  await balancer.close();
  await fleet.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
