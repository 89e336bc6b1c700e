import { cleanServerText } from './cleanServerText';

describe('cleanServerText', () => {
  it('keeps an ordinary reply as it is', () => {
    expect(
      cleanServerText('550 5.1.1 <ada@example.com>: Recipient unknown'),
    ).toBe('550 5.1.1 <ada@example.com>: Recipient unknown');
  });

  it.each([
    ['NUL', '554 x\0y', '554 x y'],
    [
      'line breaks of a multi-line reply',
      '250-first\r\n250 second',
      '250-first 250 second',
    ],
    ['ANSI colours', '421 \x1b[31mred\x1b[0m done', '421 red done'],
    ['an OSC title sequence', '421 \x1b]0;pwned\x07bye', '421 bye'],
    ['C1 controls and DEL', '550 a\x7f\x85\x9bb', '550 a b'],
    ['a lone surrogate', '550 a\ud800b', '550 a\ufffdb'],
    [
      'a 4-byte character (utf8mb3 columns refuse it)',
      '550 caf\u00e9 \u{1f4a9}',
      '550 caf\u00e9 \ufffd',
    ],
    ['a byte-order mark', '\ufeff550 x', '550 x'],
  ])('makes %s safe', (_what, text, expected) => {
    expect(cleanServerText(text)).toBe(expected);
  });

  it('caps a 100 kB line, marking the cut', () => {
    const cleaned = cleanServerText(`554 ${'x'.repeat(100_000)}`);
    expect(cleaned).toHaveLength(2000);
    expect(cleaned.endsWith('…')).toBe(true);
  });

  it('leaves nothing any engine refuses, whatever the input', () => {
    let all = '';
    for (let code = 0; code < 0x110000; code += 7) {
      if (code < 0xd800 || code > 0xdfff) all += String.fromCodePoint(code);
    }
    const cleaned = cleanServerText(`${all}\ud800`, all.length + 10);
    // eslint-disable-next-line no-control-regex
    expect(cleaned).not.toMatch(/[\x00-\x1f\x7f-\x9f\ud800-\udfff]/);
    expect(Buffer.from(cleaned, 'utf8').toString('utf8')).toBe(cleaned);
  });
});
