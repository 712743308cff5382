/**
 * Decoding one etcd value into an instance entry, without ever throwing: a value that is too
 * large, not UTF-8, not JSON, or not a valid `{ url, weight?, zone?, metadata? }` gives a
 * problem to log (the entry is skipped), never an exception that would lose the whole list.
 * Validation is the core's own (`parseInstanceEntry`), with the etcd key as the path.
 */
import { parseInstanceEntry } from '@datapunk/balancer/adapter';

/** What `etcdDiscovery` delivers for one valid key. */
export interface EtcdInstanceEntry {
  readonly url: string;
  readonly weight: number;
  readonly zone?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** What one etcd value decodes to: an instance entry, or the reason it was skipped. */
export type DecodedEntry =
  | { readonly ok: true; readonly entry: EtcdInstanceEntry }
  | { readonly ok: false; readonly problem: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * V8's JSON.parse message without the snippet of the text it quotes (`Unexpected token 'h',
 * "http://adm"... is not valid JSON`): the snippet may be the start of a URL's userinfo, cut
 * before the `@` that would let it be redacted.
 */
function jsonProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/,\s*".*$/s, '');
}

/** Decodes the base64 `value` stored at `key` (the key names the entry in problems). */
export function decodeEntry(key: string, value: string | undefined, maxValueBytes: number): DecodedEntry {
  // Check the size before decoding (etcd sends canonical, padded base64: 4 characters per 3 bytes).
  const data = value ?? '';
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const size = Math.floor((data.length * 3) / 4) - padding;
  if (size > maxValueBytes) return { ok: false, problem: `value of ${size} bytes exceeds the limit of ${maxValueBytes} bytes` };
  const bytes = Buffer.from(data, 'base64');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, problem: 'value is not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `value is not valid JSON (${jsonProblem(error)})` };
  }
  const parsed = parseInstanceEntry(json, key);
  if (!parsed.ok) return { ok: false, problem: parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ') };
  const { url, weight, zone, metadata } = parsed.spec;
  return { ok: true, entry: zone === undefined ? { url, weight, metadata } : { url, weight, zone, metadata } };
}
