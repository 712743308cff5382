import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOAD_HEADER, LOAD_HEADER_BIN, MAX_LOAD_HEADER_LENGTH, parseLoadHeader, readLoadReport } from './orca-header.js';

const accepted = (value: string) => {
  const r = parseLoadHeader(value);
  if (r.result !== 'accepted') throw new Error(`expected accepted, got ${r.result}: ${r.detail}`);
  return r.report;
};

describe('ORCA endpoint-load-metrics: valid headers', () => {
  it('reads every TEXT field, with the map fields flattened by prefix', () => {
    expect(
      accepted('TEXT cpu_utilization=0.3, mem_utilization=0.5, application_utilization=0.25, rps_fractional=120, eps=2, named_metrics.queue=4, utilization.db=0.7, request_cost.rows=-1.5e2'),
    ).toEqual({
      cpuUtilization: 0.3,
      memUtilization: 0.5,
      applicationUtilization: 0.25,
      rpsFractional: 120,
      eps: 2,
      namedMetrics: { queue: 4 },
      utilization: { db: 0.7 },
      requestCost: { rows: -150 },
    });
  });

  it('accepts the older name:value spelling, no spaces, and empty list elements', () => {
    expect(accepted('TEXT cpu_utilization:0.3,rps_fractional:10')).toEqual({ cpuUtilization: 0.3, rpsFractional: 10 });
    expect(accepted('TEXT cpu_utilization=.5,, rps_fractional=+7 ,')).toEqual({ cpuUtilization: 0.5, rpsFractional: 7 });
  });

  it('reads JSON with snake_case or camelCase names, numeric strings, and ignores unknown fields', () => {
    expect(accepted('JSON {"cpu_utilization":0.3,"rps_fractional":120,"eps":1,"named_metrics":{"queue":4},"future_field":[1]}')).toEqual({
      cpuUtilization: 0.3,
      rpsFractional: 120,
      eps: 1,
      namedMetrics: { queue: 4 },
    });
    expect(accepted('JSON {"cpuUtilization":"0.9","applicationUtilization":0.5,"requestCost":{"a":2}}')).toEqual({ cpuUtilization: 0.9, applicationUtilization: 0.5, requestCost: { a: 2 } });
  });

  it('allows cpu and application utilization above 1 (past a soft limit), as the proto does', () => {
    expect(accepted('TEXT cpu_utilization=1.4, application_utilization=2')).toEqual({ cpuUtilization: 1.4, applicationUtilization: 2 });
  });

  it('a metric named __proto__ is a metric, not a prototype', () => {
    const report = accepted('JSON {"named_metrics":{"__proto__":3}}');
    expect(Object.getPrototypeOf(report.namedMetrics)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(report.namedMetrics, '__proto__')?.value).toBe(3);
    expect(Object.getOwnPropertyDescriptor(accepted('TEXT named_metrics.__proto__=1').namedMetrics, '__proto__')?.value).toBe(1);
  });

  it('returns frozen reports', () => {
    const report = accepted('TEXT cpu_utilization=0.3, named_metrics.a=1');
    expect(Object.isFrozen(report) && Object.isFrozen(report.namedMetrics)).toBe(true);
  });
});

describe('ORCA endpoint-load-metrics: partial reports', () => {
  it('a report with some fields only is accepted with those fields (the strategy decides what it needs)', () => {
    expect(accepted('TEXT cpu_utilization=0.3')).toEqual({ cpuUtilization: 0.3 });
    expect(accepted('TEXT named_metrics.x=1')).toEqual({ namedMetrics: { x: 1 } });
    expect(accepted('JSON {}')).toEqual({});
  });

  it.each([
    ['cut inside a value', 'TEXT cpu_utilization=0.3, rps_fractional='],
    ['cut inside a name', 'TEXT cpu_utilization=0.3, rps_frac'],
    ['cut inside an exponent', 'TEXT cpu_utilization=3e'],
    ['cut JSON', 'JSON {"cpu_utilization":0.3,"rps_fr'],
    ['a name without its map prefix key', 'TEXT named_metrics.=3'],
  ])('a header cut short is invalid: %s', (_why, value) => {
    expect(parseLoadHeader(value).result).toBe('invalid');
  });
});

describe('ORCA endpoint-load-metrics: garbage', () => {
  it.each([
    ['no prefix', 'cpu_utilization=0.3'],
    ['a lower-case prefix', 'text cpu_utilization=0.3'],
    ['an empty value', ''],
    ['an unknown field (Envoy refuses it too)', 'TEXT cpu_utilization=0.3, gpu=0.1'],
    ['a deprecated integer rps', 'TEXT rps=10'],
    ['a duplicate field', 'TEXT cpu_utilization=0.3, cpu_utilization=0.4'],
    ['a duplicate named metric', 'TEXT named_metrics.a=1, named_metrics.a=2'],
    ['both JSON spellings of one field', 'JSON {"cpu_utilization":0.3,"cpuUtilization":0.4}'],
    ['a hex number', 'TEXT cpu_utilization=0x1'],
    ['Infinity', 'TEXT eps=Infinity'],
    ['NaN', 'TEXT eps=NaN'],
    ['a number with a unit', 'TEXT rps_fractional=10rps'],
    ['JSON that is an array', 'JSON [0.3]'],
    ['JSON null', 'JSON null'],
    ['JSON with a string that is not a number', 'JSON {"eps":"many"}'],
    ['JSON with a boolean', 'JSON {"eps":true}'],
    ['JSON map that is not an object', 'JSON {"named_metrics":[1]}'],
    ['binary bytes', 'TEXT \u0000\u0001\u00ff'],
  ])('%s is invalid', (_why, value) => {
    const r = parseLoadHeader(value);
    expect(r.result).toBe('invalid');
  });

  it.each([
    ['negative cpu', 'TEXT cpu_utilization=-0.1'],
    ['memory above 1', 'TEXT mem_utilization=1.01'],
    ['a named utilization above 1', 'TEXT utilization.db=1.5'],
    ['negative rps', 'TEXT rps_fractional=-1'],
    ['negative eps', 'JSON {"eps":-2}'],
    ['an overflowing number', 'TEXT rps_fractional=1e400'],
    ['an overflowing JSON number', 'JSON {"rps_fractional":1e400}'],
  ])('out of range: %s is invalid', (_why, value) => {
    const r = parseLoadHeader(value);
    expect(r).toMatchObject({ result: 'invalid', detail: expect.stringMatching(/out of range|finite/) });
  });

  it('BIN is unsupported, not invalid', () => {
    expect(parseLoadHeader('BIN CAEQAg==')).toMatchObject({ result: 'unsupported' });
  });

  it('the detail never repeats the header text', () => {
    for (const value of ['TEXT secret-token', 'TEXT named_metrics.s3cr3t=x', 'TEXT s3cr3t=1', 'JSON {"s3cr3t":1,"eps":"s3cr3t"}']) {
      const r = parseLoadHeader(value);
      expect(r.result).toBe('invalid');
      expect(JSON.stringify(r)).not.toMatch(/s3cr3t|secret/);
    }
  });

  it('never throws, whatever the text (property)', () => {
    const pieces = fc.constantFrom('TEXT ', 'JSON ', 'BIN ', 'cpu_utilization', 'named_metrics.', '=', ':', ',', ' ', '0.3', '-1', 'e9', '{', '}', '"', '[', 'null', '.');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 8 })), { maxLength: 30 }), (parts) => {
        const r = parseLoadHeader(parts.join(''));
        expect(['accepted', 'invalid', 'unsupported']).toContain(r.result);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('ORCA endpoint-load-metrics: huge headers', () => {
  it(`a header over ${MAX_LOAD_HEADER_LENGTH} characters is invalid without being parsed`, () => {
    const pairs = Array.from({ length: 400 }, (_, i) => `named_metrics.m${i}=${i}`).join(', ');
    const value = `TEXT cpu_utilization=0.3, ${pairs}`;
    expect(value.length).toBeGreaterThan(MAX_LOAD_HEADER_LENGTH);
    expect(parseLoadHeader(value)).toEqual({ result: 'invalid', detail: `longer than ${MAX_LOAD_HEADER_LENGTH} characters` });
    expect(parseLoadHeader(`JSON {"eps":1,"x":"${'a'.repeat(1_000_000)}"}`).result).toBe('invalid');
  });

  it('a header of exactly the cap is parsed', () => {
    const head = 'TEXT cpu_utilization=0.3, named_metrics.pad=';
    const value = head + '1'.padStart(MAX_LOAD_HEADER_LENGTH - head.length, '0');
    expect(value).toHaveLength(MAX_LOAD_HEADER_LENGTH);
    expect(parseLoadHeader(value)).toMatchObject({ result: 'accepted', report: { cpuUtilization: 0.3, namedMetrics: { pad: 1 } } });
  });
});

describe('readLoadReport', () => {
  it('reads the text header from an object or a reader, and says nothing when there is none', () => {
    expect(readLoadReport({ [LOAD_HEADER]: 'TEXT eps=1' })).toEqual({ result: 'accepted', report: { eps: 1 } });
    expect(readLoadReport((name) => (name === LOAD_HEADER ? 'TEXT eps=2' : undefined))).toEqual({ result: 'accepted', report: { eps: 2 } });
    expect(readLoadReport({ 'content-type': 'text/plain' })).toBeUndefined();
  });

  it('the binary gRPC header is unsupported; a text header beside it is read instead', () => {
    expect(readLoadReport({ [LOAD_HEADER_BIN]: 'CAEQAg==' })).toMatchObject({ result: 'unsupported' });
    expect(readLoadReport({ [LOAD_HEADER_BIN]: 'CAEQAg==', [LOAD_HEADER]: 'TEXT eps=3' })).toEqual({ result: 'accepted', report: { eps: 3 } });
  });

  it('a repeated header is read from its first value', () => {
    expect(readLoadReport({ [LOAD_HEADER]: ['TEXT eps=4', 'TEXT eps=5'] })).toEqual({ result: 'accepted', report: { eps: 4 } });
  });
});
