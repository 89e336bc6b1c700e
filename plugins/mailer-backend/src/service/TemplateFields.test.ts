import { MAX_PERSONALISED_BYTES } from '../delivery/personalise';
import { TemplateFields } from './TemplateFields';

/** 10,239 bytes in UTF-8 but 3,413 characters. */
const EUROS = '€'.repeat(3413);
const TOO_LARGE = 'make the message longer than 26214400 bytes';

describe('TemplateFields', () => {
  it('refuses values that make the whole message larger than 25 MB in UTF-8 bytes, though not in characters', () => {
    // 2,600 fields: 26.6 MB in bytes, 8.9 million characters.
    const fields = TemplateFields.of({
      subject: 'News',
      text: '{{v}}'.repeat(2600),
    });
    expect(2600 * EUROS.length).toBeLessThan(MAX_PERSONALISED_BYTES);

    expect(fields.problemsOf({ v: EUROS }, 'recipients[0]')).toEqual([
      expect.stringContaining(`recipients[0].variables ${TOO_LARGE}`),
    ]);
    expect(fields.problemsOf({ v: 'x'.repeat(3413) }, 'r')).toEqual([]);
  });

  it('counts text, HTML (escaped) and attachments in base64 together', () => {
    const half = '{{v}}'.repeat(1300);
    // Each part 13.3 MB, 26.6 MB together.
    expect(
      TemplateFields.of({ subject: 's', text: half, html: half }).problemsOf(
        { v: EUROS },
        'r',
      ),
    ).toEqual([expect.stringContaining(TOO_LARGE)]);
    expect(
      TemplateFields.of({ subject: 's', text: half }).problemsOf(
        { v: EUROS },
        'r',
      ),
    ).toEqual([]);
    // Escaping grows HTML: `&` is five bytes once escaped.
    expect(
      TemplateFields.of({ subject: 's', html: '{{v}}'.repeat(600) }).problemsOf(
        { v: '&'.repeat(10 * 1024) },
        'r',
      ),
    ).toEqual([expect.stringContaining(TOO_LARGE)]);
    // 18 MB of bytes are 24 MB in base64; text of 9 MB as UTF-8 (an utf8
    // attachment, 12 MB in base64) would not fit beside it either.
    const attachments = [
      {
        content: Buffer.alloc(18 * 1024 * 1024).toString('base64'),
        encoding: 'base64',
      },
    ];
    const withFile = TemplateFields.of({
      subject: 's',
      text: '{{v}}'.repeat(130),
      attachments,
    });
    expect(withFile.problemsOf({ v: EUROS }, 'r')).toEqual([
      expect.stringContaining(TOO_LARGE),
    ]);
    expect(withFile.problemsOf({ v: 'short' }, 'r')).toEqual([]);
    expect(
      TemplateFields.of({
        subject: 's',
        text: '{{v}}',
        attachments: [
          ...attachments,
          { content: 'x'.repeat(9 * 1024 * 1024), encoding: 'utf8' },
        ],
      }).problemsOf({ v: 'short' }, 'r'),
    ).toEqual([expect.stringContaining(TOO_LARGE)]);
  });
});
