import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from './redact.js';

describe('redactUrl', () => {
  it.each([
    ['http://admin:hunter2@10.0.0.5', 'http://***@10.0.0.5'],
    ['http://admin@10.0.0.5:8080', 'http://***@10.0.0.5:8080'],
    ['https://a:b@c@10.0.0.5/x', 'https://***@10.0.0.5/x'],
    ['http://u:p/ss@host', 'http://***@host'],
    ['http:admin:hunter2@host', 'http:***@host'],
    ['http:\\\\admin:hunter2@host', 'http:\\\\***@host'],
    ['admin:hunter2@10.0.0.5', '***@10.0.0.5'],
    ['http://10.0.0.5/?token=abc&x=1#frag', 'http://10.0.0.5/?token=***&x=***#frag'],
    ['http://u:p@10.0.0.5/?token=abc', 'http://***@10.0.0.5/?token=***'],
  ])('%s -> %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each(['http://10.0.0.5:8080', 'orders', 'not a url', '/health?x', ''])('leaves %j alone', (input) => {
    expect(redactUrl(input)).toBe(input);
  });
});

describe('redactText', () => {
  it.each([
    ['connect to http://admin:hunter2@10.0.0.5:80 failed', 'connect to http://***@10.0.0.5:80 failed'],
    ['got "http://a:b@c@host" and "https://x:y@h2"', 'got "http://***@host" and "https://***@h2"'],
    ['bad entry admin:hunter2@10.0.0.5 skipped', 'bad entry ***@10.0.0.5 skipped'],
    ['see http:admin:pw@host.', 'see http:***@host.'],
    ['GET http://h/x?token=abc&y=2 failed', 'GET http://h/x?token=***&y=*** failed'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each(['ECONNREFUSED 127.0.0.1:8080', 'mail bob@example.com', 'what? nothing', 'ratio 3:4 at noon'])('leaves %j alone', (input) => {
    expect(redactText(input)).toBe(input);
  });
});
