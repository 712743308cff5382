import { describe, expect, it } from 'vitest';
import { readLoadReportValue } from './report-value.js';

describe('a load report handed over by a health check (object or header value)', () => {
  it('accepts a LoadReport object with every field, maps included, as a frozen copy', () => {
    const given = { cpuUtilization: 0.3, memUtilization: 0.5, applicationUtilization: 0.25, rpsFractional: 120, eps: 2, namedMetrics: { q: -4 }, utilization: { db: 0.7 }, requestCost: { rows: 3 } };
    const r = readLoadReportValue(given);
    expect(r).toEqual({ result: 'accepted', report: given });
    if (r?.result !== 'accepted') throw new Error('not accepted');
    expect(r.report).not.toBe(given);
    expect(Object.isFrozen(r.report)).toBe(true);
  });

  it('an undefined field is an absent one; undefined as a whole is no report', () => {
    expect(readLoadReportValue({ cpuUtilization: 0.3, eps: undefined })).toEqual({ result: 'accepted', report: { cpuUtilization: 0.3 } });
    expect(readLoadReportValue(undefined)).toBeUndefined();
  });

  it('parses a string as the endpoint-load-metrics header it is', () => {
    expect(readLoadReportValue('TEXT cpu_utilization=0.9, rps_fractional=50')).toEqual({ result: 'accepted', report: { cpuUtilization: 0.9, rpsFractional: 50 } });
    expect(readLoadReportValue('JSON {"eps":1}')).toEqual({ result: 'accepted', report: { eps: 1 } });
    expect(readLoadReportValue('BIN AAAA')).toMatchObject({ result: 'unsupported' });
    expect(readLoadReportValue('cpu=1')).toMatchObject({ result: 'invalid', detail: 'no TEXT, JSON or BIN prefix' });
  });

  it.each<[string, unknown, string]>([
    ['out of range', { cpuUtilization: -0.1 }, 'cpuUtilization: out of range [0, Infinity]'],
    ['a fraction above 1', { memUtilization: 1.5 }, 'memUtilization: out of range [0, 1]'],
    ['not finite', { rpsFractional: Infinity }, 'rpsFractional: not a finite number'],
    ['a numeric string (in code, a number is a number)', { eps: '2' }, 'eps: expected a number'],
    ['a typo', { cpu: 0.3 }, 'loadReport: an unknown field'],
    ['the wire spelling', { cpu_utilization: 0.3 }, 'loadReport: an unknown field'],
    ['a map that is not an object', { namedMetrics: 3 }, 'namedMetrics: expected an object'],
    ['a map entry out of range', { utilization: { db: 2 } }, 'utilization: out of range [0, 1]'],
    ['neither an object nor a string', 0.3, 'loadReport: expected a LoadReport object or a header value'],
    ['an array', [0.3], 'loadReport: expected a LoadReport object or a header value'],
    ['null', null, 'loadReport: expected a LoadReport object or a header value'],
  ])('is invalid when %s, naming the field only', (_name, value, detail) => {
    expect(readLoadReportValue(value)).toEqual({ result: 'invalid', detail });
  });

  it('never throws, even on a getter that throws', () => {
    const hostile = Object.defineProperty({}, 'cpuUtilization', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(readLoadReportValue(hostile)).toEqual({ result: 'invalid', detail: 'loadReport: could not be read' });
  });
});
