/**
 * Validates a service's `subset` option into a `SubsetConfig` (see `subset/subset.ts`).
 */
import { hostname } from 'node:os';
import { subsetPosition, type SubsetConfig } from '../subset/subset.js';
import type { Issues} from './validate.js';
import { obeys, readNumber, readObject, show } from './validate.js';

/** Largest subset size accepted (the instance weight cap, for symmetry: beyond it, do not subset). */
const MAX_SUBSET_SIZE = 10_000;

/**
 * The default client id: stable for the life of the process and distinct across the processes
 * of a fleet (`hostname:pid`). A restarted process is a new client and may get another subset.
 */
export function defaultClientId(): string {
  return `${hostname()}:${process.pid}`;
}

export function resolveSubset(value: unknown, path: string, issues: Issues): SubsetConfig | undefined {
  if (value === undefined || value === false) return undefined;
  const o = readObject(value, path, issues, ['size', 'clientId', 'clientCount']);
  if (!o) return undefined;
  if (o.size === undefined) issues.add(`${path}.size`, 'expected the number of instances per client, got nothing');
  const size = readNumber(o.size, `${path}.size`, issues, { min: 1, max: MAX_SUBSET_SIZE, integer: true }, 1);
  const clientCount =
    o.clientCount === undefined ? undefined : readNumber(o.clientCount, `${path}.clientCount`, issues, { min: 1, integer: true }, 1);
  let clientId: string | number = defaultClientId();
  if (clientCount !== undefined) {
    if (obeys(o.clientId, { min: 0, max: clientCount - 1, integer: true })) clientId = o.clientId;
    else issues.add(`${path}.clientId`, `expected this client's index, an integer >= 0 and < clientCount (${clientCount}), got ${show(o.clientId)}`);
  } else if (o.clientId !== undefined) {
    if ((typeof o.clientId === 'string' && o.clientId.length > 0) || obeys(o.clientId, { min: 0, integer: true })) clientId = o.clientId;
    else issues.add(`${path}.clientId`, `expected a non-empty string or an integer >= 0, got ${show(o.clientId)}`);
  }
  return Object.freeze({
    size,
    position: subsetPosition(clientId, clientCount),
    clientId: String(clientId),
    deterministic: clientCount !== undefined,
  });
}
