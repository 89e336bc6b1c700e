import { settledOrAfter } from './settledOrAfter';

const timers = () =>
  process.getActiveResourcesInfo().filter(kind => kind === 'Timeout').length;

describe('settledOrAfter', () => {
  it('leaves no timer behind when the work ends first, so a stopped backend lets its process exit', async () => {
    const before = timers();
    await settledOrAfter(Promise.resolve(), 60_000);
    expect(timers()).toBe(before);
    await expect(
      settledOrAfter(Promise.reject(new Error('lane failed')), 60_000),
    ).rejects.toThrow('lane failed');
    expect(timers()).toBe(before);
  });

  it('gives up waiting after the time given', async () => {
    const started = Date.now();
    await settledOrAfter(new Promise(() => undefined), 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
