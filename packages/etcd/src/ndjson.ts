/**
 * Splits a streamed response into lines: etcd's gateway writes one JSON message per line on
 * streaming calls (watch, lease keepalive).
 */
export class LineSplitter {
  private buffer = '';

  /** @param maxLineLength longest line accepted, in characters; a longer one throws. */
  constructor(private readonly maxLineLength: number) {}

  /** Adds a chunk and returns the complete, non-blank lines it finished. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop()!;
    if (this.buffer.length > this.maxLineLength) {
      throw new RangeError(`streamed message longer than ${this.maxLineLength} characters`);
    }
    return lines.filter((line) => line.trim() !== '');
  }

  /** What is left after the last newline (a message cut off by the end of the stream). */
  get rest(): string {
    return this.buffer;
  }
}
