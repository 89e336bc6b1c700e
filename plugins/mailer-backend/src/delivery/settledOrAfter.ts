/**
 * Waits for `work`, or at most `ms`. The timer is cleared as soon as either
 * ends: a shutdown that finished early must not leave a timer behind that
 * keeps the process alive (a test worker that cannot exit, a backend that
 * stops late).
 */
export async function settledOrAfter(
  work: Promise<unknown>,
  ms: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>(resolve => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
