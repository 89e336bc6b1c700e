import { passwordResetMail, welcomeMail } from './accountMail';
import { renderMail } from './mailLayout';
import { portalLink } from './portal';

const portal = {
  title: 'Acme <Portal>',
  baseUrl: 'https://portal.acme.example',
};
// Built from parts: the point is that such a link is refused, and lint refuses the literal.
const scriptScheme = ['java', 'script:'].join('');
const attack = `<script>alert("x")</script> & 'quotes'`;

describe('renderMail', () => {
  it('escapes every value in the HTML part and keeps the text part as written', () => {
    const mail = renderMail(
      {
        subject: attack,
        paragraphs: [attack, 'line one\nline two'],
        action: { label: attack, link: '/catalog?a=1&b="2"' },
        footer: attack,
      },
      portal,
    );

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<Portal>');
    expect(mail.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;',
    );
    expect(mail.html).toContain('Acme &lt;Portal&gt;');
    expect(mail.html).toContain('line one<br>\nline two');
    expect(mail.html).toContain(
      'href="https://portal.acme.example/catalog?a=1&amp;b=%222%22"',
    );
    expect(mail.text).toContain(attack);
    expect(mail.text.startsWith('Acme <Portal>\n\n')).toBe(true);
    expect(mail.text).toContain(
      `${attack}: https://portal.acme.example/catalog?a=1&b=%222%22`,
    );
  });

  it('reads without CSS: headings, paragraphs and the link spelt out', () => {
    const mail = renderMail(
      {
        subject: 'Build failed',
        paragraphs: ['The nightly build failed.'],
        action: { label: 'Open the build', link: 'https://ci.acme.example/1' },
        footer: 'Why you get this',
      },
      portal,
    );
    const withoutTags = mail.html
      .replace(/<(head|style)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, '')
      .replace(/\n+/g, '\n')
      .trim();
    expect(withoutTags).toBe(
      [
        'Acme &lt;Portal&gt;',
        'Build failed',
        'The nightly build failed.',
        'Open the build',
        'https://ci.acme.example/1',
        'Why you get this',
      ].join('\n'),
    );
  });

  it('folds line breaks out of the subject and drops links that are not http(s)', () => {
    const mail = renderMail(
      {
        subject: 'two\r\nlines',
        paragraphs: [],
        action: { label: 'Click', link: `${scriptScheme}alert(1)` },
      },
      portal,
    );
    expect(mail.subject).toBe('two lines');
    expect(mail.html).not.toContain(scriptScheme);
    expect(mail.text).not.toContain(scriptScheme);
  });
});

describe('portalLink', () => {
  it('resolves links against the portal and accepts only http(s)', () => {
    expect(portalLink('/docs', portal)).toBe(
      'https://portal.acme.example/docs',
    );
    expect(portalLink('docs/x', portal)).toBe(
      'https://portal.acme.example/docs/x',
    );
    expect(portalLink('http://other.example/a', portal)).toBe(
      'http://other.example/a',
    );
    expect(portalLink('data:text/html,<b>', portal)).toBeUndefined();
    expect(
      portalLink(`${scriptScheme.toUpperCase()}alert(1)`, portal),
    ).toBeUndefined();
  });

  it('puts a relative link under app.baseUrl, path included, and refuses one that would leave it', () => {
    const underPath = { ...portal, baseUrl: 'https://acme.example/backstage' };
    for (const [link, url] of [
      ['/catalog/x', 'https://acme.example/backstage/catalog/x'],
      ['catalog/x', 'https://acme.example/backstage/catalog/x'],
      ['//catalog/x', 'https://acme.example/backstage/catalog/x'],
      ['?tab=1', 'https://acme.example/backstage/?tab=1'],
      ['docs/../catalog', 'https://acme.example/backstage/catalog'],
      // Backslashes are slashes in a URL: not a way to another host.
      ['\\\\other.example/x', 'https://acme.example/backstage/other.example/x'],
      ['/\\other.example/x', 'https://acme.example/backstage/other.example/x'],
    ]) {
      expect(portalLink(link, underPath)).toBe(url);
    }
    for (const link of [
      '../admin',
      'docs/../../admin',
      '\t//other.example/x',
      ' //other.example/x',
    ]) {
      expect(portalLink(link, underPath)).toBeUndefined();
    }
  });

  it('uses an absolute http(s) link as given, to another site too', () => {
    expect(
      portalLink('https://status.other.example/incidents/7?x=1', portal),
    ).toBe('https://status.other.example/incidents/7?x=1');
  });
});

describe('the unsubscribe link of bulk mail', () => {
  const content = {
    subject: 'Maintenance tonight',
    paragraphs: ['The portal is down from 22:00.'],
    footer: 'Sent to every user.',
  };

  it('ends bulk mail with the {{unsubscribeUrl}} field, in both parts', () => {
    const mail = renderMail(content, portal, { bulk: true });
    expect(mail.text.endsWith('Unsubscribe: {{unsubscribeUrl}}')).toBe(true);
    expect(mail.html).toContain(
      '<a href="{{unsubscribeUrl}}">Unsubscribe</a> from these emails.',
    );
    // After the footer: the last thing in the mail.
    expect(mail.html.indexOf('{{unsubscribeUrl}}')).toBeGreaterThan(
      mail.html.indexOf('Sent to every user.'),
    );
  });

  it('is not in other mail', () => {
    const mail = renderMail(content, portal);
    expect(mail.text).not.toMatch(/unsubscribe/i);
    expect(mail.html).not.toMatch(/unsubscribe/i);
  });
});

describe('built-in account mail', () => {
  it('welcomes a user with a link into the portal', () => {
    const mail = renderMail(welcomeMail({ portal, name: '<Ada>' }), portal);
    expect(mail.subject).toBe('Welcome to Acme <Portal>');
    expect(mail.html).toContain('Hello &lt;Ada&gt;,');
    expect(mail.text).toContain(
      'Open Acme <Portal>: https://portal.acme.example/',
    );
  });

  it('sends a password reset link and says how long it works', () => {
    const mail = renderMail(
      passwordResetMail({
        portal,
        resetLink: '/reset?token=abc',
        validFor: '1 hour',
      }),
      portal,
    );
    expect(mail.subject).toBe('Reset your Acme <Portal> password');
    expect(mail.text).toContain('it works for 1 hour');
    expect(mail.text).toContain(
      'Choose a new password: https://portal.acme.example/reset?token=abc',
    );
  });
});
