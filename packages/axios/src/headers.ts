/** Reading headers from `AxiosHeaders` or a plain object. */

/** A header as text, from `AxiosHeaders` or a plain object; undefined when absent. */
export function headerText(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  const value: unknown = typeof get === 'function' ? get.call(headers, name) : (headers as Record<string, unknown>)[name];
  if (value === undefined || value === null || value === false) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}
