import { describe, expect, it } from 'vitest';
import { parseQuery } from './echo.js';

describe('parseQuery', () => {
  it('decodes values, keeps order and turns repeated names into arrays', () => {
    expect({ ...parseQuery('a=1&b=x%20y&a=2&a=3&c=') }).toEqual({ a: ['1', '2', '3'], b: 'x y', c: '' });
  });

  it('treats __proto__ as a plain name', () => {
    const query = parseQuery('__proto__=1');
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(query['__proto__']).toBe('1');
  });
});
