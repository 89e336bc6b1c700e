import { bounceKindOf } from './bounceKind';

describe('bounceKindOf', () => {
  it('reads a missing or disabled mailbox as a hard bounce', () => {
    for (const status of [
      '5.1.1',
      '5.1.2',
      '5.1.3',
      '5.1.6',
      '5.1.10',
      '5.2.1',
    ]) {
      expect([status, bounceKindOf(status)]).toEqual([status, 'hard']);
    }
  });

  it('reads a full mailbox as a soft bounce, whichever class it comes in', () => {
    for (const status of ['4.2.2', '5.2.2', '4.2.1', '4.2.0']) {
      expect([status, bounceKindOf(status)]).toEqual([status, 'soft']);
    }
  });

  it('reads refusals that say nothing about the address as no bounce', () => {
    // Policy, spam, DMARC, size, too many recipients, routing, a temporary 5.1.1 look-alike.
    for (const status of [
      '5.7.1',
      '5.7.26',
      '5.3.4',
      '4.5.3',
      '4.4.1',
      '4.1.1',
      '5.1.0',
      undefined,
    ]) {
      expect([status, bounceKindOf(status)]).toEqual([status, undefined]);
    }
  });
});
