/**
 * The records the test dnsmasq serves, and the dnsmasq configuration file that serves exactly
 * them (validated: a name, address or field dnsmasq would reject or misread throws a `TypeError`
 * naming it).
 */
import { isIP } from 'node:net';

/** A TXT record every configuration serves: `startDnsmasq` asks for it to know dnsmasq answers. */
export const READY_NAME = '_ready.testkit.invalid';

/** A/AAAA records of one name. */
export interface DnsmasqHost {
  readonly name: string;
  /** IPv4 and IPv6 addresses, each served as an A or AAAA record. */
  readonly addresses: readonly string[];
  /** TTL in seconds. Default: the records' `ttl`. */
  readonly ttl?: number;
}

/** One SRV record. dnsmasq rejects weights above 65535 itself, so those cannot be served. */
export interface DnsmasqSrv {
  /** Owner name, e.g. `_http._tcp.orders.test.local`. */
  readonly name: string;
  /** Target host name or IP literal. */
  readonly target: string;
  /** 0 to 65535 (0 is served as is, for tests of bad records). */
  readonly port: number;
  /** Default 0. */
  readonly priority?: number;
  /** Default 0. */
  readonly weight?: number;
}

/** A TXT record served by the test dnsmasq. */
export interface DnsmasqTxt {
  readonly name: string;
  /** One or more strings (no `"`, `\` or line breaks). */
  readonly text: string | readonly string[];
}

/** The records the test dnsmasq serves (A/AAAA, SRV, TXT). */
export interface DnsmasqRecords {
  readonly hosts?: readonly DnsmasqHost[];
  readonly srv?: readonly DnsmasqSrv[];
  readonly txt?: readonly DnsmasqTxt[];
  /** TTL in seconds of records without their own (dnsmasq's `local-ttl`). Default 1. */
  readonly ttl?: number;
  /**
   * Domains answered only from these records, so unknown names in them get NXDOMAIN (dnsmasq's
   * `local=/domain/`). Default: the parent domain of every record name (`test.local` for
   * `orders.test.local`), less those inside another.
   */
  readonly localDomains?: readonly string[];
}

const NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,251}[A-Za-z0-9_.])?$/;
const check = (ok: boolean, message: string): void => {
  if (!ok) throw new TypeError(`startDnsmasq: ${message}`);
};
const isUint = (n: unknown, max: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;

/** The dnsmasq configuration serving `records` on 127.0.0.1:`port`. Throws TypeError on a bad record. */
export function dnsmasqConfig(records: DnsmasqRecords, port: number): string {
  const names: string[] = [];
  const name = (value: unknown, what: string): string => {
    check(typeof value === 'string' && NAME.test(value), `${what}: expected a DNS name, got ${JSON.stringify(value)}`);
    names.push(value as string);
    return value as string;
  };
  const ttl = (value: unknown, what: string): string => {
    check(value === undefined || isUint(value, 2_147_483_647), `${what}: expected a TTL in whole seconds, got ${String(value)}`);
    return value === undefined ? '' : String(value);
  };
  const lines = [
    `port=${port}`,
    'listen-address=127.0.0.1',
    'bind-interfaces',
    'no-resolv',
    'no-hosts',
    'no-poll',
    'pid-file=',
    'log-facility=-',
    `local-ttl=${ttl(records.ttl ?? 1, 'ttl')}`,
    `txt-record=${READY_NAME},"ready"`,
  ];
  for (const [i, h] of (records.hosts ?? []).entries()) {
    const owner = name(h.name, `hosts[${i}].name`);
    check(Array.isArray(h.addresses) && h.addresses.length > 0, `hosts[${i}].addresses: expected at least one address`);
    for (const address of h.addresses) {
      check(typeof address === 'string' && isIP(address) !== 0, `hosts[${i}].addresses: expected IP addresses, got ${JSON.stringify(address)}`);
      const recordTtl = ttl(h.ttl, `hosts[${i}].ttl`);
      lines.push(`host-record=${owner},${address}${recordTtl && `,${recordTtl}`}`);
    }
  }
  for (const [i, s] of (records.srv ?? []).entries()) {
    const owner = name(s.name, `srv[${i}].name`);
    check(typeof s.target === 'string' && (NAME.test(s.target) || isIP(s.target) !== 0), `srv[${i}].target: expected a host name or IP, got ${JSON.stringify(s.target)}`);
    for (const key of ['port', 'priority', 'weight'] as const) {
      check(s[key] === undefined ? key !== 'port' : isUint(s[key], 65_535), `srv[${i}].${key}: expected an integer from 0 to 65535, got ${String(s[key])}`);
    }
    lines.push(`srv-host=${owner},${s.target},${s.port},${s.priority ?? 0},${s.weight ?? 0}`);
  }
  for (const [i, t] of (records.txt ?? []).entries()) {
    const owner = name(t.name, `txt[${i}].name`);
    const texts = typeof t.text === 'string' ? [t.text] : [...t.text];
    for (const text of texts) check(typeof text === 'string' && !/["\\\r\n]/.test(text), `txt[${i}].text: no quotes, backslashes or line breaks`);
    lines.push(`txt-record=${owner},${texts.map((x) => `"${x}"`).join(',')}`);
  }
  const parents = new Set(names.map((n) => n.replace(/\.$/, '').split('.').slice(1).join('.')).filter(Boolean));
  const covered = (d: string): boolean => [...parents].some((p) => d.endsWith(`.${p}`));
  for (const domain of records.localDomains ?? [...parents].filter((d) => !covered(d))) {
    check(NAME.test(domain), `localDomains: expected DNS names, got ${JSON.stringify(domain)}`);
    lines.push(`local=/${domain}/`);
  }
  return `${lines.join('\n')}\n`;
}

/** Live dnsmasq processes of this process, killed when it exits. */
