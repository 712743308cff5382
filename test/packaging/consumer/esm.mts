// A consumer's ESM program, written against the installed tarballs only: each adapter sends a
// request to a logical service backed by a loopback fleet (@datapunk/testkit), and the errors
// are of the client's own kind. Type-checked under node16, nodenext and bundler; run as compiled.
import { createBalancer, NoAvailableInstanceError, staticDiscovery, type Balancer } from '@datapunk/balancer';
import { withBalancer as withAxios } from '@datapunk/balancer-axios';
import { etcdDiscovery } from '@datapunk/balancer-etcd';
import { withBalancer as withGot } from '@datapunk/balancer-got';
import { withBalancer as withUndici } from '@datapunk/balancer-undici';
import { startFleet } from '@datapunk/testkit';
import axios from 'axios';
import got from 'got';
import { Agent, fetch, request } from 'undici';

const fleet = await startFleet({ count: 2, namePrefix: 'orders' });
const balancer: Balancer = createBalancer({
  services: {
    orders: { instances: fleet.urls, outlierDetection: { consecutiveFailures: 5 } },
    empty: { discovery: staticDiscovery([]) },
  },
});
/** The fleet member that answered (undici's fetch has its own Headers class, so no instanceof). */
const served = (headers: object): string =>
  String('get' in headers && typeof headers.get === 'function' ? headers.get('x-testkit-server') : (headers as Record<string, unknown>)['x-testkit-server']);

const http = withAxios(axios.create(), balancer);
const viaAxios = await http.get('http://orders/api?via=axios');
let axiosError: unknown;
try {
  await http.get('http://empty/');
} catch (e) {
  axiosError = e;
}

const viaGot = await withGot(got, balancer).get('http://orders/api?via=got');
const dispatcher = withUndici(new Agent(), balancer);
const viaRequest = await request('http://orders/api?via=request', { dispatcher });
await viaRequest.body.text();
const viaFetch = await fetch('http://orders/api?via=fetch', { dispatcher });
await viaFetch.text();

const etcd = etcdDiscovery({ endpoints: 'http://127.0.0.1:2379', service: 'users' });
console.log(
  JSON.stringify({
    axios: [viaAxios.status, served(viaAxios.headers)],
    axiosError: [axiosError instanceof axios.AxiosError, axios.isAxiosError(axiosError) && axiosError.code],
    got: [viaGot.statusCode, served(viaGot.headers)],
    request: [viaRequest.statusCode, served(viaRequest.headers)],
    fetch: [viaFetch.status, served(viaFetch.headers)],
    noInstance: (axios.isAxiosError(axiosError) ? axiosError.cause : undefined) instanceof NoAvailableInstanceError,
    etcd: etcd.kind,
  }),
);
await balancer.close();
await fleet.close();
