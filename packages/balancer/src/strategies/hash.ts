/**
 * MurmurHash3 (x86, 32-bit) of a string's UTF-8 bytes, for ring-hash and maglev.
 *
 * The string is encoded on the fly (no `TextEncoder`, no allocation), so hashing a request's key
 * costs no garbage. Results equal the reference implementation over UTF-8 bytes, so another
 * language can reproduce a ring; a lone surrogate is encoded as U+FFFD, as `TextEncoder` does.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Returns the unsigned 32-bit MurmurHash3 of `key` (UTF-8) with `seed` (default 0). */
export function murmur3(key: string, seed = 0): number {
  let h = seed >>> 0;
  let block = 0; // bytes gathered for the current 4-byte block, little-endian
  let shift = 0; // bit offset of the next byte in `block`
  let length = 0; // bytes hashed
  const n = key.length;
  for (let i = 0; i < n; i++) {
    let cp = key.charCodeAt(i);
    let bytes: number; // up to four UTF-8 bytes, first byte lowest
    let count: number;
    if (cp < 0x80) {
      bytes = cp;
      count = 1;
    } else if (cp < 0x800) {
      bytes = (0xc0 | (cp >>> 6)) | ((0x80 | (cp & 0x3f)) << 8);
      count = 2;
    } else {
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
        const low = key.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      if (cp < 0x10000) {
        bytes = (0xe0 | (cp >>> 12)) | ((0x80 | ((cp >>> 6) & 0x3f)) << 8) | ((0x80 | (cp & 0x3f)) << 16);
        count = 3;
      } else {
        bytes =
          (0xf0 | (cp >>> 18)) |
          ((0x80 | ((cp >>> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >>> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24);
        count = 4;
      }
    }
    for (let j = 0; j < count; j++) {
      block |= (bytes & 0xff) << shift;
      bytes >>>= 8;
      shift += 8;
      if (shift === 32) {
        h = mixBlock(h, block);
        block = 0;
        shift = 0;
      }
    }
    length += count;
  }
  if (shift !== 0) h ^= scramble(block);
  return finish(h, length);
}

/**
 * MurmurHash3 of `prefix` followed by the decimal digits of a counter, with the prefix hashed
 * once: `new Murmur3Prefix('a_').hash(7) === murmur3('a_7')`. Ring-hash builds hash thousands of
 * `${id}_${i}` points per endpoint this way.
 */
export class Murmur3Prefix {
  readonly #h: number;
  readonly #block: number;
  readonly #shift: number;
  readonly #length: number;

  constructor(prefix: string, seed = 0) {
    // Absorb the prefix's whole 4-byte blocks; keep the tail bytes pending for the digits.
    const bytes = new TextEncoder().encode(prefix);
    const whole = bytes.length & ~3;
    let h = seed >>> 0;
    for (let o = 0; o < whole; o += 4) {
      h = mixBlock(h, bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24));
    }
    let block = 0;
    let shift = 0;
    for (let o = whole; o < bytes.length; o++) {
      block |= bytes[o]! << shift;
      shift += 8;
    }
    this.#h = h;
    this.#block = block;
    this.#shift = shift;
    this.#length = bytes.length;
  }

  /** The hash of the prefix followed by `counter` (a non-negative safe integer) in decimal. */
  hash(counter: number): number {
    let h = this.#h;
    let block = this.#block;
    let shift = this.#shift;
    let digits = 1;
    let scale = 1;
    while (scale * 10 <= counter) {
      scale *= 10;
      digits++;
    }
    for (let d = 0; d < digits; d++) {
      const digit = Math.floor(counter / scale) % 10;
      scale /= 10;
      block |= (0x30 + digit) << shift;
      shift += 8;
      if (shift === 32) {
        h = mixBlock(h, block);
        block = 0;
        shift = 0;
      }
    }
    if (shift !== 0) h ^= scramble(block);
    return finish(h, this.#length + digits);
  }
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
