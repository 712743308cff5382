import { describe, expect, it } from 'vitest';
import { LineSplitter } from './ndjson.js';

describe('LineSplitter', () => {
  it('returns complete lines only, joining a message split across chunks', () => {
    const lines = new LineSplitter(1_000);
    expect(lines.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(lines.push(':2}\n\n')).toEqual(['{"b":2}']);
    expect(lines.push('{"c"')).toEqual([]);
    expect(lines.rest).toBe('{"c"');
  });

  it('throws on a message longer than the limit instead of buffering without end', () => {
    const lines = new LineSplitter(10);
    expect(() => lines.push('x'.repeat(11))).toThrow(RangeError);
  });
});
