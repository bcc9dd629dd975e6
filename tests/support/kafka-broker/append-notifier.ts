/**
 * Wakes long-polling Fetch requests when data is appended to one of the partitions they wait on
 * (by a produce or a transaction commit), or when topics change or the broker stops.
 */
interface Waiter {
  keys: ReadonlySet<string>;
  wake: () => void;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class AppendNotifier {
  private readonly waiters = new Set<Waiter>();

  /** Resolves on the first relevant append or after timeoutMs, whichever comes first. */
  wait(keys: ReadonlySet<string>, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        keys,
        wake: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, Math.max(0, timeoutMs));
      this.waiters.add(waiter);
    });
  }

  notify(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    for (const w of [...this.waiters]) if (w.keys.has(key)) w.wake();
  }

  notifyAll(): void {
    for (const w of [...this.waiters]) w.wake();
  }
}
