/**
 * A set of HTTP statuses (`retry.retryOnStatuses`) whose `has` is one array read: it runs for
 * every response, and a `Set` lookup hashes the number first. Read-only once built.
 */
export class StatusSet extends Set<number> {
  readonly #mask = new Uint8Array(600);

  constructor(statuses: Iterable<number> = []) {
    super();
    for (const status of statuses) {
      super.add(status);
      if (Number.isInteger(status) && status >= 0 && status < 600) this.#mask[status] = 1;
    }
  }

  override has(status: number): boolean {
    return this.#mask[status] === 1;
  }

  override add(_status: number): this {
    throw new TypeError('a StatusSet is read-only');
  }

  override delete(_status: number): boolean {
    throw new TypeError('a StatusSet is read-only');
  }

  override clear(): void {
    throw new TypeError('a StatusSet is read-only');
  }
}
