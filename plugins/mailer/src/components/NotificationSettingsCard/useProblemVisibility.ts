import { useState } from 'react';

const without = (set: ReadonlySet<string>, key: string) =>
  new Set([...set].filter(k => k !== key));

/**
 * When a field's problem is shown: not before the user typed in it (a field
 * just added is not red), but once they typed and left it, from then on as
 * they type, and for every field once a save or a test was attempted.
 */
export function useProblemVisibility() {
  const [typedKeys, setTypedKeys] = useState<ReadonlySet<string>>(new Set());
  const [leftKeys, setLeftKeys] = useState<ReadonlySet<string>>(new Set());
  const [all, setAll] = useState(false);

  return {
    /** The user typed in the field of `key`. */
    typed(key: string) {
      setTypedKeys(keys => (keys.has(key) ? keys : new Set([...keys, key])));
    },
    /** The user left the field of `key`. */
    left(key: string) {
      if (!typedKeys.has(key)) return;
      setLeftKeys(keys => (keys.has(key) ? keys : new Set([...keys, key])));
    },
    /** A save or test was attempted: every problem matters now. */
    revealAll() {
      setAll(true);
    },
    /** The field of `key` was removed: added again, it starts afresh. */
    forget(key: string) {
      setTypedKeys(keys => without(keys, key));
      setLeftKeys(keys => without(keys, key));
    },
    /** After a save: a fresh form. */
    reset() {
      setTypedKeys(new Set());
      setLeftKeys(new Set());
      setAll(false);
    },
    /** Whether the problem of the field of `key` is shown. */
    shows(key: string): boolean {
      return all || leftKeys.has(key);
    },
    /** Whether a save or test was attempted with problems in the form. */
    revealedAll: all,
  };
}
