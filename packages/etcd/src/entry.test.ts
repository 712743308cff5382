import { describe, expect, it } from 'vitest';
import { nextRevision, prefixRangeEnd } from './codec.js';
import { decodeEntry } from './entry.js';
import { defaultInstanceKey, serviceDirectory } from './keys.js';

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');
const KEY = '/datapunk/services/orders/a';

describe('decodeEntry', () => {
  it('accepts { url, weight, zone, metadata } and normalises the origin', () => {
    const value = b64(JSON.stringify({ url: 'HTTP://10.0.0.5:8080/', weight: 3, zone: 'a', metadata: { v: '2' } }));
    expect(decodeEntry(KEY, value, 65_536)).toEqual({
      ok: true,
      entry: { url: 'http://10.0.0.5:8080', weight: 3, zone: 'a', metadata: { v: '2' } },
    });
  });

  it('accepts a JSON string holding an origin, with weight 1', () => {
    expect(decodeEntry(KEY, b64('"http://10.0.0.5:8080"'), 65_536)).toEqual({
      ok: true,
      entry: { url: 'http://10.0.0.5:8080', weight: 1, metadata: {} },
    });
  });

  it.each([
    ['bad JSON', b64('{"url": "http://10.0.0.5:8080"'), /not valid JSON/],
    ['an empty value', b64(''), /not valid JSON/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), /not valid UTF-8/],
    ['a bad URL', b64(JSON.stringify({ url: 'not a url' })), /orders\/a\.url: expected an origin/],
    ['a path in the URL', b64(JSON.stringify({ url: 'http://10.0.0.5:8080/api' })), /without path/],
    ['a non-http URL', b64(JSON.stringify({ url: 'ftp://10.0.0.5' })), /http: or https:/],
    ['a weight of the wrong type', b64(JSON.stringify({ url: 'http://10.0.0.5:8080', weight: 'heavy' })), /weight: expected an integer/],
    ['metadata of the wrong type', b64(JSON.stringify({ url: 'http://10.0.0.5:8080', metadata: { n: 1 } })), /metadata\.n: expected a string/],
    ['an unknown field', b64(JSON.stringify({ url: 'http://10.0.0.5:8080', wieght: 2 })), /wieght: unknown option/],
    ['a number', b64('42'), /expected an origin string or/],
    ['null', b64('null'), /expected an origin string or/],
  ])('skips %s with a problem naming the key', (_, value, problem) => {
    const decoded = decodeEntry(KEY, value, 65_536);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.problem).toMatch(problem);
  });

  it('rejects a value over the size limit before decoding it, and accepts one at the limit', () => {
    const body = (size: number): string => {
      const base = JSON.stringify({ url: 'http://10.0.0.5:8080', metadata: { pad: '' } });
      return JSON.stringify({ url: 'http://10.0.0.5:8080', metadata: { pad: 'x'.repeat(size - base.length) } });
    };
    expect(Buffer.byteLength(body(1_000))).toBe(1_000);
    expect(decodeEntry(KEY, b64(body(1_000)), 1_000).ok).toBe(true);
    const over = decodeEntry(KEY, b64(body(1_001)), 1_000);
    expect(!over.ok && over.problem).toMatch(/1001 bytes exceeds the limit of 1000/);
    const huge = decodeEntry(KEY, b64('x'.repeat(1_000_000)), 65_536);
    expect(!huge.ok && huge.problem).toMatch(/value of 1000000 bytes exceeds the limit of 65536/);
  });
});

describe('key layout', () => {
  it('puts a service under the prefix, adding a missing slash', () => {
    expect(serviceDirectory('/datapunk/services/', 'orders')).toBe('/datapunk/services/orders/');
    expect(serviceDirectory('/custom', 'orders')).toBe('/custom/orders/');
  });

  it('names an instance by host:port, the default port written out', () => {
    expect(defaultInstanceKey('http://10.0.0.5:8080')).toBe('10.0.0.5:8080');
    expect(defaultInstanceKey('https://orders.internal')).toBe('orders.internal:443');
    expect(defaultInstanceKey('http://[::1]')).toBe('[::1]:80');
  });
});

describe('codec', () => {
  it.each([
    ['/a/', '/a0'],
    ['/datapunk/services/orders/', '/datapunk/services/orders0'],
  ])('the range end of %s is %s', (prefix, end) => {
    expect(Buffer.from(prefixRangeEnd(prefix), 'base64').toString()).toBe(end);
  });

  it('the range end drops trailing 0xff bytes, and is "\\0" when all are 0xff', () => {
    expect(Buffer.from(prefixRangeEnd('a\u00ff'), 'base64')).toEqual(Buffer.from([0x61, 0xc3, 0xc0]));
    expect(Buffer.from(prefixRangeEnd(''), 'base64')).toEqual(Buffer.from([0]));
  });

  it('adds one to 64-bit revisions without losing precision', () => {
    expect(nextRevision('9007199254740993')).toBe('9007199254740994');
    expect(nextRevision('41')).toBe('42');
    expect(nextRevision(undefined)).toBe('1');
  });
});

describe('secrets in etcd values', () => {
  it('a value holding a URL with credentials is skipped without the credentials in the problem', () => {
    for (const value of ['http://admin:hunter2@10.0.0.5', { url: 'http://admin:hunter2@10.0.0.5:8080' }, { url: 'http://10.0.0.5/?token=hunter2' }]) {
      const decoded = decodeEntry(KEY, b64(JSON.stringify(value)), 65_536);
      expect(decoded.ok).toBe(false);
      expect(decoded.ok ? '' : decoded.problem).not.toContain('hunter2');
      expect(decoded.ok ? '' : decoded.problem).not.toContain('admin');
    }
  });

  it('a value that is not JSON is skipped without the start of the text V8 quotes (it may be a user name)', () => {
    const decoded = decodeEntry(KEY, b64('http://admin:hunter2@10.0.0.5'), 65_536);
    expect(decoded).toEqual({ ok: false, problem: "value is not valid JSON (Unexpected token 'h')" });
  });
});

