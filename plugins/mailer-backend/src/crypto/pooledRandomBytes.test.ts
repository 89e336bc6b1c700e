import { pooledRandomBytes } from './pooledRandomBytes';

describe('pooledRandomBytes', () => {
  it('never hands out the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    // 2,000 × 12 bytes spans several 4 kB pools.
    for (let i = 0; i < 2000; i++) {
      const bytes = pooledRandomBytes(12);
      expect(bytes).toHaveLength(12);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('keeps bytes already handed out as they were when the pool is replaced', () => {
    const first = pooledRandomBytes(16);
    const copy = Buffer.from(first);
    for (let i = 0; i < 1000; i++) pooledRandomBytes(16);
    expect(first.equals(copy)).toBe(true);
  });

  it('serves sizes larger than the pool directly', () => {
    expect(pooledRandomBytes(10_000)).toHaveLength(10_000);
  });

  it('looks random: every byte value turns up over 64 kB', () => {
    const counts = new Array(256).fill(0);
    for (let i = 0; i < 4096; i++) {
      for (const byte of pooledRandomBytes(16)) counts[byte]++;
    }
    expect(counts.every(count => count > 0)).toBe(true);
  });
});
