import { UNSUBSCRIBE_URL_FIELD } from '@elixeum/plugin-mailer-common';
import { escapeHtml } from './escapeHtml';
import { portalLink, PortalInfo } from './portal';

/**
 * What one email says, before it is laid out. Every field is plain text.
 *
 * @public
 */
export interface MailContent {
  /** The subject line; line breaks are folded into spaces. */
  subject: string;
  /** The heading at the top of the body. Defaults to the subject. */
  heading?: string;
  /** The body, one string per paragraph; line breaks inside a paragraph are kept. */
  paragraphs: string[];
  /** The one thing to do next: a link into the portal (relative or absolute http(s)). */
  action?: { label: string; link: string };
  /** Small print at the end: why the recipient gets this mail. */
  footer?: string;
}

/**
 * How an email is laid out.
 *
 * @public
 */
export interface MailLayoutOptions {
  /**
   * Mail to a list (`sendBulk`, or `send` with a `listId`): the footer
   * ends with an unsubscribe link, `{{unsubscribeUrl}}`, which the mailer
   * fills in with each recipient's own link, as Gmail and Yahoo require of
   * bulk mail besides the unsubscribe headers.
   */
  bulk?: boolean;
}

/**
 * A laid-out email: the subject and both bodies of a `MailMessage`.
 *
 * @public
 */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

// RFC 5322 caps a header line at 998 characters; leave room for "Subject: ".
const MAX_SUBJECT_LENGTH = 900;

function subjectLine(subject: string): string {
  const folded = subject.replace(/\s+/g, ' ').trim();
  return folded.length > MAX_SUBJECT_LENGTH
    ? `${folded.slice(0, MAX_SUBJECT_LENGTH - 1)}…`
    : folded;
}

function htmlParagraph(text: string): string {
  return `<p>${escapeHtml(text).replace(/\r?\n/g, '<br>\n')}</p>`;
}

/** The field the mailer fills with each recipient's unsubscribe link. */
const UNSUBSCRIBE_URL = `{{${UNSUBSCRIBE_URL_FIELD}}}`;

/**
 * Lays out `content` as the portal's one email layout: a text part, and an
 * HTML part made of plain headings, paragraphs and links, so it reads the
 * same in a client that shows no CSS. Every value is HTML-escaped in the
 * HTML part, and a link that is not http(s) is left out. Bulk mail ends
 * with an unsubscribe link.
 *
 * @public
 */
export function renderMail(
  content: MailContent,
  portal: PortalInfo,
  options: MailLayoutOptions = {},
): RenderedMail {
  const subject = subjectLine(content.subject);
  const heading = content.heading ?? subject;
  const paragraphs = content.paragraphs.filter(p => p.trim().length > 0);
  const actionUrl = content.action && portalLink(content.action.link, portal);

  const text = [
    portal.title,
    heading,
    ...paragraphs,
    ...(actionUrl ? [`${content.action!.label}: ${actionUrl}`] : []),
    ...(content.footer ? [`--\n${content.footer}`] : []),
    ...(options.bulk ? [`Unsubscribe: ${UNSUBSCRIBE_URL}`] : []),
  ].join('\n\n');

  const homeUrl = portalLink('/', portal);
  const portalName = escapeHtml(portal.title);
  const html = [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title>`,
    '</head>',
    '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em; margin: 0 auto; padding: 1em;">',
    `<p><strong>${
      homeUrl
        ? `<a href="${escapeHtml(homeUrl)}">${portalName}</a>`
        : portalName
    }</strong></p>`,
    `<h1 style="font-size: 1.4em;">${escapeHtml(heading)}</h1>`,
    ...paragraphs.map(htmlParagraph),
    ...(actionUrl
      ? [
          `<p><a href="${escapeHtml(actionUrl)}"><strong>${escapeHtml(
            content.action!.label,
          )}</strong></a></p>`,
          // Spelt out too, for clients that hide where a link goes.
          `<p><small>${escapeHtml(actionUrl)}</small></p>`,
        ]
      : []),
    ...(content.footer || options.bulk ? ['<hr>'] : []),
    ...(content.footer
      ? [`<p><small>${escapeHtml(content.footer)}</small></p>`]
      : []),
    ...(options.bulk
      ? [
          `<p><small><a href="${UNSUBSCRIBE_URL}">Unsubscribe</a> from these emails.</small></p>`,
        ]
      : []),
    '</body>',
    '</html>',
    '',
  ].join('\n');

  return { subject, text, html };
}
