/** Samples this process's resident set size every `intervalMs`; `stop()` returns the peak, in bytes. */
export function startRssSampler(intervalMs = 50): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
