import { SuppressedAddress } from '@elixeum/plugin-mailer-common';

/** What a suppression keeps from the address: one list, all bulk mail, or (a hard bounce) all mail. */
export function scopeText(
  suppression: Pick<SuppressedAddress, 'list' | 'reason'>,
): string {
  if (suppression.list) return `the list ${suppression.list}`;
  return suppression.reason === 'hard-bounce' ? 'all mail' : 'all bulk mail';
}
