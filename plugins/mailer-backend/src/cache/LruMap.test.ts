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
});
