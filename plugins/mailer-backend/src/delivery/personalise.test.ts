import { personalise, PersonalisedTooLargeError } from './personalise';

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
});
