/** A write waiting for its group, and its caller. */
interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes that arrive while another is being committed wait and then go
 * together, in one transaction: many plugins sending at once cost one
 * commit per group instead of one per message, and a lone write goes at
 * once, as before. Each caller's promise settles only once its own item is
 * committed (or has failed).
 *
 * When a group fails, each of its items is written again alone, so that
 * only the one that caused it (e.g. a taken idempotency key) fails, with
 * its own error.
 */
export class GroupCommit<T> {
  private readonly waiting: Array<Waiting<T>> = [];
  private draining = false;

  constructor(
    private readonly writers: {
      group: (items: T[]) => Promise<void>;
      one: (item: T) => Promise<void>;
    },
    private readonly maxGroup: number,
  ) {}

  write(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxGroup);
        if (group.length > 1) {
          try {
            await this.writers.group(group.map(w => w.item));
            for (const w of group) w.resolve();
            continue;
          } catch {
            // One of them may be the cause: each alone, below.
          }
        }
        for (const w of group) {
          try {
            await this.writers.one(w.item);
            w.resolve();
          } catch (error) {
            w.reject(error);
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
