/**
 * Earliest-deadline-first ordering of weighted turns, shared by weighted round robin (its
 * schedule table) and maglev (the order in which endpoints claim table slots).
 *
 * Endpoint `i`'s k-th turn (k = 0, 1, ...) has deadline `(k + 0.5) / weight[i]`; turns are taken
 * in deadline order, ties by lower index. Starting each endpoint half an interval in (rather
 * than at `1 / weight`, as Envoy's EDF does) centres light endpoints in the sequence instead of
 * bunching them at the end: weights 5, 1, 1 give `a a a b c a a`, not `a a a a a b c`. Over any
 * prefix every endpoint has had within about one turn of its exact share. Equal weights give
 * plain round robin in index order.
 *
 * `phases` moves where each endpoint's turns fall: turn k at `(k + phase) / weight`, phase in
 * [0, 1). The default 0.5 is the centred sequence above; random phases (gRFC A58's EDF, whose
 * first deadline is random within one period) keep many pickers over the same weights from
 * taking their turns in lockstep.
 *
 * Cost: O(n) to start, O(log n) per turn, no allocation per turn.
 */
export class EdfTurns {
  readonly #weights: Float64Array;
  readonly #turns: Float64Array; // turns taken so far per endpoint, plus the endpoint's phase
  // Min-heap on (deadline, index), the keys stored beside the indices to spare an indirection.
  readonly #heapIndex: Uint32Array;
  readonly #heapDeadline: Float64Array;

  /** `weights` must all be finite and > 0; `phases` (default 0.5 each) in [0, 1). */
  constructor(weights: ArrayLike<number>, phases?: ArrayLike<number>) {
    const n = weights.length;
    this.#weights = Float64Array.from(weights);
    this.#turns = new Float64Array(n);
    this.#heapIndex = new Uint32Array(n);
    this.#heapDeadline = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.#turns[i] = phases?.[i] ?? 0.5;
      this.#heapIndex[i] = i;
      this.#heapDeadline[i] = this.#turns[i]! / this.#weights[i]!;
    }
    for (let p = (n >>> 1) - 1; p >= 0; p--) this.#siftDown(p, this.#heapIndex[p]!, this.#heapDeadline[p]!);
  }

  /** The endpoint whose turn is next; advances the sequence. */
  next(): number {
    const i = this.#heapIndex[0]!;
    const k = this.#turns[i]! + 1;
    this.#turns[i] = k;
    // Computed afresh rather than accumulated, so rounding never drifts over long sequences.
    this.#siftDown(0, i, k / this.#weights[i]!);
    return i;
  }

  /** Places (`index`, `deadline`) at `position` or below, restoring the heap order. */
  #siftDown(position: number, index: number, deadline: number): void {
    const heapIndex = this.#heapIndex;
    const heapDeadline = this.#heapDeadline;
    const n = heapIndex.length;
    let p = position;
    for (;;) {
      let child = 2 * p + 1;
      if (child >= n) break;
      let childDeadline = heapDeadline[child]!;
      const right = child + 1;
      if (right < n) {
        const rightDeadline = heapDeadline[right]!;
        if (rightDeadline < childDeadline || (rightDeadline === childDeadline && heapIndex[right]! < heapIndex[child]!)) {
          child = right;
          childDeadline = rightDeadline;
        }
      }
      if (childDeadline > deadline || (childDeadline === deadline && heapIndex[child]! > index)) break;
      heapIndex[p] = heapIndex[child]!;
      heapDeadline[p] = childDeadline;
      p = child;
    }
    heapIndex[p] = index;
    heapDeadline[p] = deadline;
  }
}

/** The first `length` turns of the EDF sequence over `weights`, as endpoint indices. */
export function edfSchedule(weights: ArrayLike<number>, length: number): Uint32Array {
  const turns = new EdfTurns(weights);
  const table = new Uint32Array(length);
  for (let i = 0; i < length; i++) table[i] = turns.next();
  return table;
}
