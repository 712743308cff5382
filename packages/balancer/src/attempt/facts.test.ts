import { describe, expect, it } from 'vitest';
import { readHeader, type HeaderSource } from './facts.js';

const raw = (...pairs: string[]): Buffer[] => pairs.map((p) => Buffer.from(p, 'latin1'));

describe('readHeader', () => {
  const cases: [string, HeaderSource | undefined, string | undefined][] = [
    ['an object keyed by lower-case name', { 'retry-after': '5' }, '5'],
    ['the first value of a repeated header in an object', { 'retry-after': ['5', '9'] }, '5'],
    ['a reader function', (name) => (name === 'retry-after' ? '7' : undefined), '7'],
    ['raw Buffers, names in any case', raw('Content-Type', 'text/plain', 'Retry-After', '3'), '3'],
    ['raw strings, names in any case', ['content-length', '2', 'RETRY-AFTER', '4'], '4'],
    ['the first of a repeated raw header', raw('retry-after', '1', 'retry-after', '2'), '1'],
    ['a raw name that only shares the length', raw('retry-afte_', '1'), undefined],
    ['a raw list without it', raw('x-retry-after', '1'), undefined],
    ['no headers', undefined, undefined],
  ];
  it.each(cases)('reads %s', (_name, source, expected) => {
    expect(readHeader(source, 'retry-after')).toBe(expected);
  });
});
