/** The dnsmasq wrapper against the real binary: records served, restart on the same port, stop. */
import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dnsmasqConfig, dnsmasqForTests, startDnsmasq, type Dnsmasq } from './dnsmasq.js';

const binary = dnsmasqForTests();

function resolverFor(server: string): Resolver {
  const r = new Resolver({ timeout: 500, tries: 1 });
  r.setServers([server]);
  return r;
}

const codeOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'answered',
    (e: { code?: unknown }) => e.code,
  );

describe('dnsmasqConfig', () => {
  it('generates a loopback-only, upstream-free configuration with one line per record', () => {
    const config = dnsmasqConfig(
      {
        hosts: [{ name: 'orders.test.local', addresses: ['127.0.0.1', '::1'], ttl: 5 }],
        srv: [{ name: '_http._tcp.orders.test.local', target: 'orders.test.local', port: 8080, priority: 1, weight: 10 }],
        txt: [{ name: 'info.test.local', text: ['a', 'b'] }],
        ttl: 3,
      },
      5353,
    );
    expect(config.split('\n')).toEqual([
      'port=5353',
      'listen-address=127.0.0.1',
      'bind-interfaces',
      'no-resolv',
      'no-hosts',
      'no-poll',
      'pid-file=',
      'log-facility=-',
      'local-ttl=3',
      'txt-record=_ready.testkit.invalid,"ready"',
      'host-record=orders.test.local,127.0.0.1,5',
      'host-record=orders.test.local,::1,5',
      'srv-host=_http._tcp.orders.test.local,orders.test.local,8080,1,10',
      'txt-record=info.test.local,"a","b"',
      'local=/test.local/',
      '',
    ]);
  });

  it.each<[string, object, RegExp]>([
    ['a name with a comma (config injection)', { hosts: [{ name: 'a,b', addresses: ['127.0.0.1'] }] }, /hosts\[0\]\.name: expected a DNS name/],
    ['a name with a line break', { txt: [{ name: 'a\nport=53', text: 'x' }] }, /txt\[0\]\.name/],
    ['an address that is not an IP', { hosts: [{ name: 'a.test', addresses: ['localhost'] }] }, /hosts\[0\]\.addresses: expected IP addresses/],
    ['a weight above 65535', { srv: [{ name: '_x._tcp.a', target: 'a', port: 1, weight: 70_000 }] }, /srv\[0\]\.weight: expected an integer from 0 to 65535, got 70000/],
    ['a missing SRV port', { srv: [{ name: '_x._tcp.a', target: 'a' }] }, /srv\[0\]\.port/],
    ['a quote in TXT', { txt: [{ name: 'a.test', text: 'say "hi"' }] }, /txt\[0\]\.text/],
    ['a negative TTL', { ttl: -1 }, /ttl: expected a TTL in whole seconds, got -1/],
  ])('rejects %s with a TypeError', (_name, records, message) => {
    expect(() => dnsmasqConfig(records, 53)).toThrow(TypeError);
    expect(() => dnsmasqConfig(records, 53)).toThrow(message);
  });
});

describe('when dnsmasq is missing', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('tests are skipped with a visible message saying how to install it', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(dnsmasqForTests({ find: () => undefined })).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('apt-get install dnsmasq-base'));
  });

  it('CI=true makes it an error instead of a skip', () => {
    vi.stubEnv('CI', 'true');
    expect(() => dnsmasqForTests({ find: () => undefined })).toThrow(/dnsmasq not found, and CI=true.*apt-get install dnsmasq-base/);
  });
});

/** True while `pid` is a live process (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A child node process that starts dnsmasq from the built package, prints its pid and exits without stop(). */
const EXIT_SCRIPT = `
const { startDnsmasq } = await import(process.env.DNSMASQ_JS);
const dns = await startDnsmasq({ records: { hosts: [{ name: 'a.test.local', addresses: ['127.0.0.1'] }] } });
console.log(dns.pid);
process.exit(0);
`;

describe.skipIf(!binary)('startDnsmasq (real dnsmasq)', () => {
  let dns: Dnsmasq | undefined;
  afterEach(async () => {
    await dns?.stop();
    dns = undefined;
  });

  it('serves A, AAAA, SRV and TXT records with their TTLs; NXDOMAIN and NODATA as DNS says', async () => {
    dns = await startDnsmasq({
      records: {
        hosts: [
          { name: 'orders.test.local', addresses: ['127.0.0.1'], ttl: 5 },
          { name: 'orders.test.local', addresses: ['127.0.0.2'] },
          { name: 'six.test.local', addresses: ['::1'] },
        ],
        srv: [{ name: '_http._tcp.orders.test.local', target: 'orders.test.local', port: 8081, priority: 1, weight: 10 }],
        txt: [{ name: 'info.test.local', text: 'hello' }],
        ttl: 7,
      },
    });
    expect(dns.server).toBe(`127.0.0.1:${dns.port}`);
    const r = resolverFor(dns.server);
    expect(await r.resolve4('orders.test.local', { ttl: true })).toEqual([
      { address: '127.0.0.1', ttl: 5 },
      { address: '127.0.0.2', ttl: 7 },
    ]);
    expect(await r.resolve6('six.test.local')).toEqual(['::1']);
    // Node 24 adds `type: 'SRV'` to each record; Node 20 and 22 do not.
    const srv = (await r.resolveSrv('_http._tcp.orders.test.local')).map(({ name, port, priority, weight }) => ({ name, port, priority, weight }));
    expect(srv).toEqual([{ name: 'orders.test.local', port: 8081, priority: 1, weight: 10 }]);
    expect(await r.resolveTxt('info.test.local')).toEqual([['hello']]);
    expect(await codeOf(r.resolve4('missing.test.local'))).toBe('ENOTFOUND');
    expect(await codeOf(r.resolve6('orders.test.local'))).toBe('ENODATA');
    expect(await codeOf(r.resolve4('example.com'))).toBe('EREFUSED'); // no upstream
  });

  it('restarts on the same port with new records; after stop the port refuses queries and the process is gone', async () => {
    dns = await startDnsmasq({ records: { hosts: [{ name: 'orders.test.local', addresses: ['127.0.0.1'] }] } });
    const { port, server } = dns;
    const r = resolverFor(server);
    expect(await r.resolve4('orders.test.local')).toEqual(['127.0.0.1']);
    await dns.restart({ hosts: [{ name: 'orders.test.local', addresses: ['127.0.0.3'] }] });
    expect(dns.port).toBe(port);
    expect(dns.running).toBe(true);
    expect(await r.resolve4('orders.test.local')).toEqual(['127.0.0.3']);
    await dns.stop();
    expect(dns.running).toBe(false);
    expect(dns.pid).toBeUndefined();
    expect(await codeOf(r.resolve4('orders.test.local'))).toBe('ECONNREFUSED');
    await dns.stop(); // idempotent
    await expect(dns.restart()).rejects.toThrow(/after stop/);
  });

  it('kills dnsmasq when the test process exits without stop()', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', EXIT_SCRIPT], {
      env: { ...process.env, DNSMASQ_JS: new URL('../dist/dnsmasq.js', import.meta.url).href },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 2_000 });
  });

  it('reports a binary that cannot run', async () => {
    await expect(startDnsmasq({ binary: '/nonexistent/dnsmasq' })).rejects.toThrow(/could not run \/nonexistent\/dnsmasq/);
  });
});
