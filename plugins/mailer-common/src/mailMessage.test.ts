import {
  findMailMessageProblems,
  MAX_RECIPIENTS_PER_MESSAGE,
} from './mailMessage';

const valid = { to: 'a@example.com', subject: 'Hello', text: 'Hi' };

describe('findMailMessageProblems', () => {
  it('accepts a plain message, display names and content attachments', () => {
    expect(findMailMessageProblems(valid)).toEqual([]);
    expect(
      findMailMessageProblems({
        ...valid,
        to: [{ name: 'Ada Lovelace', address: 'ada@example.com' }],
        replyTo: 'help@example.com',
        attachments: [
          { filename: 'a.txt', content: 'text' },
          { filename: 'b.bin', content: new Uint8Array([1]) },
        ],
      }),
    ).toEqual([]);
  });

  it.each([
    [{ ...valid, to: undefined }, 'to must name at least one recipient'],
    [
      { ...valid, bcc: ['ok@example.com', 'bad'] },
      'bcc has an invalid address',
    ],
    [{ ...valid, subject: 'a\nb' }, 'subject must be a single line'],
    [{ ...valid, subject: 'a\u0000b' }, 'without control characters'],
    [{ ...valid, text: 'a\u0000b' }, 'text must not contain NUL'],
    [{ ...valid, path: '/etc/passwd' }, 'unknown fields: path'],
    [
      { ...valid, to: { address: 'a@example.com', headers: 'x' } },
      'to may only have a name and an address',
    ],
    [
      { ...valid, attachments: [{ filename: 'x', content: 'a', raw: 'b' }] },
      'attachments[0] has unknown fields: raw',
    ],
    [{ ...valid, text: undefined }, 'a message needs text or html'],
    [{ ...valid, html: 42 }, 'html must be a string'],
    [
      { ...valid, attachments: [{ filename: 'x', path: '/etc/passwd' }] },
      'file paths and URLs are not allowed',
    ],
    [
      { ...valid, attachments: [{ filename: 'x\r\n', content: 'a' }] },
      'filename must be a single-line name',
    ],
    [
      {
        ...valid,
        to: Array.from(
          { length: MAX_RECIPIENTS_PER_MESSAGE + 1 },
          (_, i) => `r${i}@example.com`,
        ),
      },
      `at most ${MAX_RECIPIENTS_PER_MESSAGE} recipients`,
    ],
  ])('refuses %j', (message, problem) => {
    expect(findMailMessageProblems(message).join('; ')).toContain(problem);
  });
});
