import { personalise } from './personalise';

describe('personalise', () => {
  it('fills fields, empties unknown ones, and escapes values only in HTML', () => {
    const variables = { name: 'Ada <ada@example.com>', team: 'R&D' };
    expect(
      personalise('Hi {{name}} of {{ team }}{{missing}}!', variables),
    ).toBe('Hi Ada <ada@example.com> of R&D!');
    expect(personalise('<p>{{name}} &amp; {{team}}</p>', variables, true)).toBe(
      '<p>Ada &lt;ada@example.com&gt; &amp; R&amp;D</p>',
    );
  });

  it('leaves text without fields as it is', () => {
    expect(personalise('Plain {text}', undefined)).toBe('Plain {text}');
  });
});
