import { escapeHtml } from '@elixeum/plugin-mailer-node';
import { Response } from 'express';
import { createHash } from 'node:crypto';

/** The portal the page leads back to. */
export interface PagePortal {
  /** `app.title`. */
  title: string;
  /** `app.baseUrl`, if configured. */
  baseUrl?: string;
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;line-height:1.5;max-width:36em;margin:3em auto;padding:0 1em;color:#222}',
  'h1{font-size:1.4em}',
  'form{margin:1em 0}',
  'button{font-size:1em;padding:.5em 1.2em;cursor:pointer}',
  '.quiet{color:#555;font-size:.9em}',
].join('');

// The one inline style, allowed by its hash: nothing else may run or load.
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function page(title: string, body: string[], portal: PagePortal): string {
  const back = portal.baseUrl
    ? `<p><a href="${escapeHtml(portal.baseUrl)}">Back to ${escapeHtml(portal.title)}</a></p>`
    : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    ...body,
    back,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Sends a page: self-contained (no scripts, images or other requests), its
 * content escaped, under a policy that lets nothing else in, never cached,
 * never framed, and leaking no Referer (the link holds the token).
 */
function send(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Robots-Tag': 'noindex',
    })
    .send(html);
}

/** A hidden field and a button that POST the one-click body (RFC 8058) to this same URL. */
function form(label: string, scope?: 'all'): string {
  return [
    '<form method="post">',
    '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
    scope ? `<input type="hidden" name="scope" value="${scope}">` : '',
    `<button type="submit">${escapeHtml(label)}</button>`,
    '</form>',
  ].join('');
}

/**
 * What a link offers, on a GET (which never unsubscribes: mail scanners
 * follow links): who it is for, which list, a button for that list and
 * one for all bulk mail of the portal.
 */
export function sendOfferPage(
  res: Response,
  offer: { address: string; listId: string },
  portal: PagePortal,
): void {
  const list = `<strong>${escapeHtml(offer.listId)}</strong>`;
  const portalName = escapeHtml(portal.title);
  send(
    res,
    200,
    page(
      'Unsubscribe',
      [
        `<p>${escapeHtml(offer.address)} gets the ${list} mailings of ${portalName}.</p>`,
        form(`Unsubscribe from ${offer.listId}`),
        form(`Unsubscribe from all mailings of ${portal.title}`, 'all'),
        `<p class="quiet">Messages about your account, such as password resets, still reach you.</p>`,
      ],
      portal,
    ),
  );
}

/** The answer to an unsubscribe: 200, no redirect, no Location (RFC 8058). */
export function sendDonePage(
  res: Response,
  scope: 'list' | 'all-bulk',
  listId: string,
  portal: PagePortal,
): void {
  const what =
    scope === 'list'
      ? `the <strong>${escapeHtml(listId)}</strong> mailings`
      : 'mailings';
  send(
    res,
    200,
    page(
      'You are unsubscribed',
      [`<p>You will get no more ${what} of ${escapeHtml(portal.title)}.</p>`],
      portal,
    ),
  );
}

/** A refusal, in words a recipient understands; never which address or tenant a link was for. */
export function sendProblemPage(
  res: Response,
  status: number,
  title: string,
  message: string,
  portal: PagePortal,
  headers: Record<string, string> = {},
): void {
  res.set(headers);
  send(res, status, page(title, [`<p>${escapeHtml(message)}</p>`], portal));
}
