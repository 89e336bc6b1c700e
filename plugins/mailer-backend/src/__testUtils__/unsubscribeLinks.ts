import { mockCredentials } from '@backstage/backend-test-utils';
import { ReceivedMessage } from '@internal/smtp-test-server';
import request from 'supertest';

// Reading unsubscribe links out of received mail, and using them as a mail
// provider or a recipient's browser would: without signing in.

/** A header of a raw message as it was sent (folded lines joined), or undefined. */
export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const prefix = `${name.toLowerCase()}:`;
  const line = unfolded
    .split(/\r?\n/)
    .find(l => l.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

/** Every `List-*` header of a message, by lower-case name. */
export function listHeadersOf(message: ReceivedMessage): string[] {
  const head = message.raw.slice(0, message.raw.search(/\r?\n\r?\n/));
  return head
    .split(/\r?\n/)
    .filter(l => /^list-/i.test(l))
    .map(l => l.slice(0, l.indexOf(':')).toLowerCase());
}

/** The HTTPS (here: the test backend's http) link of `List-Unsubscribe`. */
export function unsubscribeLinkOf(message: ReceivedMessage): string {
  const header = headerOf(message.raw, 'List-Unsubscribe');
  const link = header?.match(/<(https?:\/\/[^>]+)>/)?.[1];
  if (!link) throw new Error('The message has no unsubscribe link');
  return link;
}

/** The path of a link on the test backend, for supertest. */
export function pathOf(link: string): string {
  return new URL(link).pathname;
}

/** The messages one address received. */
export function messagesTo(
  messages: ReceivedMessage[],
  address: string,
): ReceivedMessage[] {
  return messages.filter(m => m.envelope.rcptTo.includes(address));
}

/** No credentials at all: what a mail provider or a browser sends. */
export const NOBODY = mockCredentials.none.header();

/** The one-click POST of RFC 8058, as a mail provider sends it. */
export function postOneClick(
  server: Parameters<typeof request>[0],
  link: string,
  body: 'urlencoded' | 'multipart' = 'urlencoded',
) {
  const post = request(server).post(pathOf(link)).set('Authorization', NOBODY);
  return body === 'urlencoded'
    ? post
        .type('application/x-www-form-urlencoded')
        .send('List-Unsubscribe=One-Click')
    : post.field('List-Unsubscribe', 'One-Click');
}
