import { LruMap } from './LruMap';

describe('LruMap', () => {
  it('keeps the most recently set or used entries, up to its capacity', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.use('a')).toBe(1);
    map.set('c', 3);
    expect([...map.keys()]).toEqual(['a', 'c']);
    // Setting an existing key marks it used without growing the map.
    map.set('a', 10);
    map.set('d', 4);
    expect([...map.entries()]).toEqual([
      ['a', 10],
      ['d', 4],
    ]);
    // `get` only reads; `use` of a missing key leaves the map as it is.
    expect(map.get('a')).toBe(10);
    map.set('e', 5);
    expect([...map.keys()]).toEqual(['d', 'e']);
    expect(map.use('a')).toBeUndefined();
    expect(map.size).toBe(2);
  });

  it('tells an entry holding undefined from a missing one', () => {
    const map = new LruMap<string, number | undefined>(2);
    map.set('unreadable', undefined);
    expect(map.has('unreadable')).toBe(true);
    expect(map.use('unreadable')).toBeUndefined();
    expect(map.has('unreadable')).toBe(true);
  });

  it('with a weight limit, lets the least recently used go until the entries weigh no more than it', () => {
    const map = new LruMap<string, string>(10, {
      maxWeight: 10,
      weightOf: value => value.length,
    });
    map.set('a', 'aaaa').set('b', 'bbbb');
    expect(map.totalWeight).toBe(8);
    map.use('a');
    // 4 + 4 + 3 > 10: the least recently used (b) goes, not the heavier.
    map.set('c', 'ccc');
    expect([...map.keys()]).toEqual(['a', 'c']);
    expect(map.totalWeight).toBe(7);
    // Replacing an entry counts its new weight only.
    map.set('a', 'a');
    expect(map.totalWeight).toBe(4);
    map.set('d', 'dddddd');
    expect([...map.keys()]).toEqual(['c', 'a', 'd']);
    expect(map.totalWeight).toBe(10);
    map.delete('c');
    expect(map.totalWeight).toBe(7);
    map.clear();
    expect(map.totalWeight).toBe(0);
  });

  it('does not keep an entry heavier than the whole limit, nor what it replaced', () => {
    const map = new LruMap<string, string>(10, {
      maxWeight: 5,
      weightOf: value => value.length,
    });
    map.set('small', 'xx').set('big', 'yyy');
    map.set('big', 'z'.repeat(6));
    expect([...map.keys()]).toEqual(['small']);
    expect(map.totalWeight).toBe(2);
    // Still bounded by count as well.
    const counted = new LruMap<string, string>(2, {
      maxWeight: 100,
      weightOf: value => value.length,
    });
    counted.set('a', 'a').set('b', 'b').set('c', 'c');
    expect([...counted.keys()]).toEqual(['b', 'c']);
    expect(counted.totalWeight).toBe(2);
  });
});
