import {
  findBulkRecipientProblems,
  MAX_VARIABLE_VALUE_BYTES,
  MAX_VARIABLES_PER_RECIPIENT,
} from './bulkRecipient';

describe('findBulkRecipientProblems', () => {
  it('accepts an address, a display name and text variables', () => {
    expect(
      findBulkRecipientProblems({
        to: { name: 'Ada Lovelace', address: 'ada@example.com' },
        variables: {
          name: 'Ada',
          'team.name': 'R&D',
          address: 'Line 1\nLine 2',
        },
      }),
    ).toEqual([]);
    expect(findBulkRecipientProblems({ to: 'ada@example.com' })).toEqual([]);
  });

  it.each([
    [{ to: 'not an address' }, 'recipient.to has an invalid address'],
    [{ to: 'аda@example.com' }, 'recipient.to has an invalid address'],
    [
      { to: { name: 'Ada\r\nBcc: x@y.z', address: 'ada@example.com' } },
      'invalid display name',
    ],
    [
      { to: { name: 'A\u0000da', address: 'ada@example.com' } },
      'invalid display name',
    ],
    [
      { to: { name: 'x'.repeat(201), address: 'ada@example.com' } },
      'invalid display name',
    ],
    [{ to: 'a@example.com', cc: 'b@example.com' }, 'unknown fields: cc'],
    [{ to: 'a@example.com', variables: ['x'] }, 'must be an object'],
    [{ to: 'a@example.com', variables: { name: 5 } }, 'name must be text'],
    [{ to: 'a@example.com', variables: { 'a b': 'x' } }, 'field name'],
    [{ to: 'a@example.com', variables: { '{{x}}': 'x' } }, 'field name'],
    [
      { to: 'a@example.com', variables: { name: 'A\u0000' } },
      'name must not contain control characters',
    ],
    [
      {
        to: 'a@example.com',
        variables: { name: 'é'.repeat(MAX_VARIABLE_VALUE_BYTES / 2 + 1) },
      },
      `at most ${MAX_VARIABLE_VALUE_BYTES} bytes`,
    ],
    [
      {
        to: 'a@example.com',
        variables: Object.fromEntries(
          Array.from({ length: MAX_VARIABLES_PER_RECIPIENT + 1 }, (_, i) => [
            `v${i}`,
            'x',
          ]),
        ),
      },
      `at most ${MAX_VARIABLES_PER_RECIPIENT} fields`,
    ],
    [
      { to: 'a@example.com', variables: { unsubscribeUrl: 'https://x' } },
      'filled in by the mailer',
    ],
  ])('refuses %j', (recipient, problem) => {
    expect(findBulkRecipientProblems(recipient).join('; ')).toContain(problem);
  });
});
