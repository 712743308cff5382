/**
 * The health-check rules agree with what the running Node's `http.request` does: a value the
 * config accepts is one Node sends, a value it refuses is one Node throws on. Checked against
 * Node itself (a request to a closed loopback port, destroyed at once), so a Node release that
 * changes its rules fails here rather than in production probes.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { headerNameProblem, headerValueProblem, methodProblem, pathProblem } from './http-rules.js';

/** The error code Node throws building the request, or undefined when it accepts it. */
function nodeRefuses(options: { path?: string; method?: string; headers?: Record<string, string> }): string | undefined {
  try {
    const req = request({ host: '127.0.0.1', port: 9, agent: false, ...options });
    req.on('error', () => {});
    req.destroy();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const PATHS = ['/health', '/a b', '/\u00e9', '/\u0100', '/a\u007f', '/\u00ff', '/a#b', '/\u0000', '/%zz', '/a\tb', '/\u{1f600}', '/x?y=1'];
const METHODS = ['GET', 'get', 'M-SEARCH', 'PURGE', 'a b', 'GET\n', '\u00e9', 'x:y', 'G\u00e9T', 'OPTIONS', '(GET)', "!#$%&'*+-.^_`|~"];
const NAMES = ['x-ok', 'x y', '', 'x:y', 'caf\u00e9', 'Authorization', 'a\tb', "!#$%&'*+-.^_`|~"];
const VALUES = ['plain', 'a\nb', 'caf\u00e9', 'caf\u0101', 'a\tb', '\u007f', '\u0000', ' lead', '', 'Bearer abc.def', '\r'];

describe('health-check rules match Node', () => {
  it.each(PATHS)('path %j', (path) => {
    expect(pathProblem(path) !== undefined).toBe(nodeRefuses({ path }) !== undefined);
  });

  it.each(METHODS)('method %j', (method) => {
    expect(methodProblem(method) !== undefined).toBe(nodeRefuses({ method }) !== undefined);
  });

  it.each(NAMES)('header name %j', (name) => {
    expect(headerNameProblem(name) !== undefined).toBe(nodeRefuses({ headers: { [name]: 'v' } }) !== undefined);
  });

  it.each(VALUES)('header value %j', (value) => {
    expect(headerValueProblem('x-test', value) !== undefined).toBe(nodeRefuses({ headers: { 'x-test': value } }) !== undefined);
  });

  it('CONNECT is one Node accepts but a probe cannot complete, so only the config refuses it', () => {
    expect(nodeRefuses({ method: 'CONNECT' })).toBeUndefined();
    expect(methodProblem('CONNECT')).toContain('never gets a response');
  });

  it('names the offending character, never the whole header value', () => {
    expect(headerValueProblem('authorization', 'Bearer tok3n\n')).toMatch(/index 12 \("\\n"\)$/);
    expect(headerValueProblem('authorization', 'Bearer tok3n\n')).not.toContain('tok3n');
  });
});
