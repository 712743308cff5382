/**
 * The undici the tests run against: undici 7 by default, undici 8 (the `undici8` alias) when
 * `UNDICI_MAJOR=8` (Node 22+ only; see the `test:undici8` script).
 */
import type * as Undici from 'undici';

export const undiciMajor = process.env.UNDICI_MAJOR === '8' ? 8 : 7;

export const undici: typeof Undici =
  undiciMajor === 8 ? ((await import('undici8')) as unknown as typeof Undici) : await import('undici');

export const { Agent, MockAgent, fetch, getGlobalDispatcher, request, setGlobalDispatcher } = undici;
export type { Dispatcher } from 'undici';
