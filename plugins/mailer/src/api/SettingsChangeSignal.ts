/**
 * Tells whoever listens that the settings were changed or tested through
 * this API, so views of what the backend records about them (the settings
 * history) can reload without the cards knowing about each other.
 */
export class SettingsChangeSignal {
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` on every emit until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Calls every listener. */
  emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        // A broken view must not turn a save that succeeded into a failure.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
