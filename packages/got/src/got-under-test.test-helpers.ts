/**
 * The got the tests run against: got 14 by default, got 16 (the `got16` alias, Node >= 22) when
 * `GOT_MAJOR=16`. Both expose the API this package relies on; the tests are typed with got 14's
 * declarations.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Got } from 'got';

/** The got major under test. */
export const gotMajor = process.env.GOT_MAJOR === '16' ? 16 : 14;

const specifier = gotMajor === 16 ? 'got16' : 'got';
const module_: { default: unknown } = gotMajor === 16 ? await import('got16') : await import('got');

/** The default got instance of the major under test. */
export const got = module_.default as Got;

/** The installed version of that got, read from its package.json (`dist/source/index.js` up three). */
export const gotVersion = (
  JSON.parse(
    readFileSync(join(dirname(createRequire(import.meta.url).resolve(specifier)), '../../package.json'), 'utf8'),
  ) as { version: string }
).version;
