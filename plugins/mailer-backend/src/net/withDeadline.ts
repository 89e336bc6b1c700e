/**
 * Settles as `work` does, or, once `ms` have passed, rejects with what
 * `onDeadline` returns (it also lets go of whatever `work` holds). A
 * rejection of `work` after the deadline is dropped, never left unhandled.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  onDeadline: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onDeadline()), ms);
    work.then(
      value => {
        clearTimeout(timer);
        resolve(value);
      },
      error => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
