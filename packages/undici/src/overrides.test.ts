import { describe, expect, it } from 'vitest';
import { findOverrides, OVERRIDES_HEADER, overridesHeader } from './overrides.js';

describe('overrides header', () => {
  it('is JSON, with non-ASCII and control characters escaped so that it is a valid header value', () => {
    const header = overridesHeader({ hashKey: 'zoë\n', retry: false });
    expect(header[OVERRIDES_HEADER]).toBe('{"hashKey":"zo\\u00eb\\n","retry":false}');
    expect(/^[\x20-\x7e]*$/.test(header[OVERRIDES_HEADER])).toBe(true);
    expect(JSON.parse(header[OVERRIDES_HEADER])).toEqual({ hashKey: 'zoë\n', retry: false });
  });

  it.each([
    ['a flat array', ['accept', '*/*', 'Datapunk-Balancer', '{"retry":false}'], ['accept', '*/*']],
    ['an object', { accept: '*/*', 'datapunk-balancer': '{"retry":false}' }, { accept: '*/*' }],
  ])('is read and removed from %s', (_name, headers, rest) => {
    const found = findOverrides(undefined, headers);
    expect(found.request).toEqual({ overrides: { retry: false }, overridesFrom: 'datapunk-balancer header' });
    expect(found.headers).toEqual(rest);
  });

  it('the dispatch option alone is passed as is, headers untouched (same object)', () => {
    const headers = { accept: '*/*' };
    const found = findOverrides({ maxRetries: 2 }, headers);
    expect(found.request).toEqual({ overrides: { maxRetries: 2 }, overridesFrom: 'balancer' });
    expect(found.headers).toBe(headers);
    expect(findOverrides(undefined, headers).request).toEqual({});
  });

  it('with both, the dispatch option wins field by field', () => {
    const found = findOverrides({ retry: true }, { 'datapunk-balancer': '{"retry":false,"hashKey":"k"}' });
    expect(found.request.overrides).toEqual({ retry: true, hashKey: 'k' });
  });

  it('a header that is not JSON is handed on as text, for the core to refuse with the header named', () => {
    const found = findOverrides(undefined, { 'datapunk-balancer': 'retry=false' });
    expect(found.request).toEqual({ overrides: 'retry=false', overridesFrom: 'datapunk-balancer header' });
    expect(found.headers).toEqual({});
  });
});
