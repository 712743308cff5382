/**
 * The keys under a watched directory, decoded, and the instance list they make: valid entries in
 * key order, one per origin; the rest rejected with their keys.
 */
import type { DiscoveryIssue } from '@datapunk/balancer/adapter';
import type { DecodedEntry, EtcdInstanceEntry } from './entry.js';

/** A decoded key, kept with its mod revision so each change is decoded (and warned about) once. */
export interface Slot {
  readonly key: string;
  readonly modRevision: string;
  readonly decoded: DecodedEntry;
}

/** The list to deliver: valid entries by key, a second key for an origin rejected; `invalid` counts the rejected. */
export function listOf(slots: Iterable<Slot>): { entries: EtcdInstanceEntry[]; rejected: DiscoveryIssue[]; invalid: number } {
  const sorted = [...slots].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const entries: EtcdInstanceEntry[] = [];
  const rejected: DiscoveryIssue[] = [];
  const origins = new Set<string>();
  for (const slot of sorted) {
    if (!slot.decoded.ok) rejected.push({ path: slot.key, message: slot.decoded.problem });
    else if (origins.has(slot.decoded.entry.url)) rejected.push({ path: slot.key, message: `another key already lists ${slot.decoded.entry.url}` });
    else {
      origins.add(slot.decoded.entry.url);
      entries.push(slot.decoded.entry);
    }
  }
  return { entries, rejected, invalid: rejected.length };
}
