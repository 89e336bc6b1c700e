import { composeMessage } from './composeMessage';
import {
  MAX_PERSONALISED_BYTES,
  personalise,
  PersonalisedTooLargeError,
} from './personalise';

/** 10,239 bytes in UTF-8 but 3,413 characters: a value's most, in bytes, in a three-byte character. */
const EUROS = '€'.repeat(3413);

describe('personalise', () => {
  it('fills fields and escapes values only in HTML', () => {
    const variables = { name: 'Ada <ada@example.com>', team: 'R&D' };
    expect(personalise('Hi {{name}} of {{ team }}!', variables)).toBe(
      'Hi Ada <ada@example.com> of R&D!',
    );
    expect(personalise('<p>{{name}} &amp; {{team}}</p>', variables, true)).toBe(
      '<p>Ada &lt;ada@example.com&gt; &amp; R&amp;D</p>',
    );
  });

  it('leaves transactional text, which has no variables, exactly as written', () => {
    for (const text of [
      'Template {{ .Values.image }} failed',
      'Hello {{name}}',
      'Plain {text}',
    ]) {
      expect(personalise(text, undefined)).toBe(text);
      expect(personalise(text, undefined, true)).toBe(text);
    }
  });

  it('leaves a field without a value as written', () => {
    expect(personalise('Hi {{name}}, {{missing}}!', { name: 'Ada' })).toBe(
      'Hi Ada, {{missing}}!',
    );
  });

  it('uses only the recipient’s own values, never inherited properties', () => {
    const text =
      '{{constructor}} {{__proto__}} {{toString}} {{hasOwnProperty}} {{valueOf}}';
    expect(personalise(text, {})).toBe(text);
    expect(personalise(text, { name: 'Ada' }, true)).toBe(text);
    // A value named like a property is still the recipient's own value.
    expect(personalise('{{constructor}}', { constructor: 'Ctor' })).toBe(
      'Ctor',
    );
  });
});

describe('personalise limits', () => {
  it('stops instead of growing a text past the size a message may have', () => {
    const template = '{{v}}'.repeat(3000);
    const variables = { v: 'x'.repeat(10 * 1024) };
    expect(() => personalise(template, variables)).toThrow(
      PersonalisedTooLargeError,
    );
    // Escaping grows HTML too: `"` becomes six characters.
    expect(() =>
      personalise('{{v}}'.repeat(500), { v: '"'.repeat(10 * 1024) }, true),
    ).toThrow(PersonalisedTooLargeError);
    expect(personalise('{{v}}'.repeat(10), variables)).toHaveLength(
      10 * 10 * 1024,
    );
  });

  it('counts bytes in UTF-8, not characters', () => {
    // 2,600 × 10 kB: 26.6 MB in UTF-8, 8.9 million characters.
    const template = '{{v}}'.repeat(2600);
    expect(2600 * EUROS.length).toBeLessThan(MAX_PERSONALISED_BYTES);
    expect(2600 * Buffer.byteLength(EUROS)).toBeGreaterThan(
      MAX_PERSONALISED_BYTES,
    );
    expect(() => personalise(template, { v: EUROS })).toThrow(
      PersonalisedTooLargeError,
    );
    expect(() => personalise(template, { v: 'x'.repeat(3413) })).not.toThrow();
  });
});

describe('the size of a personalised message', () => {
  /** A claimed bulk message: only what composing reads of it. */
  const message = (variables: Record<string, string>) =>
    ({
      id: 'm1',
      recipients: { to: ['ada@example.com'] },
      variables,
    }) as Parameters<typeof composeMessage>[1];
  const compose = (
    template: Parameters<typeof composeMessage>[0],
    variables: Record<string, string>,
  ) =>
    composeMessage(template, message(variables), { from: 'a@example.com' }, [
      'ada@example.com',
    ]);

  it('is the whole message in bytes: text and HTML together, each under 25 MB', () => {
    // Each part 13.3 MB in UTF-8 (4.4 million characters), 26.6 MB together.
    const half = '{{v}}'.repeat(1300);
    expect(() =>
      compose({ subject: 'Hi', text: half, html: half }, { v: EUROS }),
    ).toThrow(PersonalisedTooLargeError);
    expect(() =>
      compose({ subject: 'Hi', text: half }, { v: EUROS }),
    ).not.toThrow();
  });

  it('counts the attachments as they travel, in base64', () => {
    // 18 MB of bytes are 24 MB in base64; 1.3 MB of personalised text passes 25 MB.
    const file = Buffer.alloc(18 * 1024 * 1024).toString('base64');
    const template = {
      subject: 'Report',
      text: '{{v}}'.repeat(130),
      attachments: [
        { filename: 'a.bin', content: file, encoding: 'base64' as const },
      ],
    };
    expect(() => compose(template, { v: EUROS })).toThrow(
      PersonalisedTooLargeError,
    );
    expect(() => compose(template, { v: 'short' })).not.toThrow();
  });
});
