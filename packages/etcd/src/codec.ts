/**
 * Encoding for etcd's JSON gateway: keys and values are base64 bytes, 64-bit integers
 * (revisions, lease ids) are decimal strings. Lease ids use all 63 bits, so they stay strings here
 * and are never turned into numbers.
 */

export function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function fromBase64(data: string): Buffer {
  return Buffer.from(data, 'base64');
}

/**
 * The end of the key range covering every key that starts with `prefix` (etcd's
 * `GetPrefixRangeEnd`): the prefix with its last byte below 0xff incremented and the rest cut.
 * An all-0xff prefix has no end; etcd reads `"\0"` as "to the end of the keyspace".
 */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i]!++;
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

/** `revision + 1` for a decimal int64 string; `"0"`, absent or garbage gives `"1"`. */
export function nextRevision(revision: string | undefined): string {
  if (revision === undefined || !/^\d+$/.test(revision)) return '1';
  return (BigInt(revision) + 1n).toString();
}
