// The ready tasks in the order they should start: a binary heap, so choosing the next few of
// thousands of ready tasks costs a logarithm each, not a scan. Entries whose task is no longer
// ready are dropped when met. Pure.
export class ReadyQueue {
  private readonly heap: string[] = [];
  /** Heap steps taken, for the scale test's operation counts. */
  steps = 0;

  constructor(private readonly before: (a: string, b: string) => boolean) {}

  push(id: string): void {
    const heap = this.heap;
    heap.push(id);
    let i = heap.length - 1;
    while (i > 0) {
      this.steps++;
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): string | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        this.steps++;
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < heap.length && this.before(heap[l]!, heap[best]!)) best = l;
        if (r < heap.length && this.before(heap[r]!, heap[best]!)) best = r;
        if (best === i) break;
        [heap[i], heap[best]] = [heap[best]!, heap[i]!];
        i = best;
      }
    }
    return top;
  }

  /** The first `count` ids that are still `ready`, in order, left in the queue; stale entries are dropped. */
  peek(count: number, ready: (id: string) => boolean): string[] {
    const taken: string[] = [];
    const seen = new Set<string>();
    while (taken.length < count && this.heap.length > 0) {
      const id = this.pop()!;
      if (seen.has(id) || !ready(id)) continue;
      seen.add(id);
      taken.push(id);
    }
    for (const id of taken) this.push(id);
    return taken;
  }
}
