import { MailContent } from './mailLayout';
import { PortalInfo } from './portal';

/**
 * Built-in template: welcome a new account to the portal.
 *
 * @public
 */
export function welcomeMail(options: {
  portal: PortalInfo;
  /** How to greet the user, e.g. their display name. */
  name?: string;
  /** Where to sign in or finish setting up; defaults to the portal's home. */
  link?: string;
}): MailContent {
  const { portal, name } = options;
  return {
    subject: `Welcome to ${portal.title}`,
    paragraphs: [
      name ? `Hello ${name},` : 'Hello,',
      `Your account in ${portal.title} is ready.`,
    ],
    action: { label: `Open ${portal.title}`, link: options.link ?? '/' },
    footer: `You get this email because an account was created for this address in ${portal.title}. If that was not you, ignore it.`,
  };
}

/**
 * Built-in template: a link to choose a new password.
 *
 * @public
 */
export function passwordResetMail(options: {
  portal: PortalInfo;
  /** The single-use link that lets the user choose a new password. */
  resetLink: string;
  name?: string;
  /** How long the link works, in words, e.g. "1 hour". */
  validFor?: string;
}): MailContent {
  const { portal, name, validFor } = options;
  return {
    subject: `Reset your ${portal.title} password`,
    paragraphs: [
      name ? `Hello ${name},` : 'Hello,',
      `Someone asked to reset the password of your ${portal.title} account. Open the link below to choose a new one${
        validFor ? `; it works for ${validFor}` : ''
      }.`,
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ],
    action: { label: 'Choose a new password', link: options.resetLink },
    footer: `Sent by ${portal.title} because a password reset was requested for this address.`,
  };
}
