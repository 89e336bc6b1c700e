import { isEmailAddress } from '../addressSyntax';
import { SMTP_KEYS } from './keys';
import { SettingKeyDefinition, SettingValues } from './types';

/** The portal signs the tenant's mail once a signing domain is set. */
const signs = (values: SettingValues) => values.has(SMTP_KEYS.dkimDomain);

/** The domain of the sender address (as `customSenderOf` reads it): the signing domain that aligns with it. */
function senderDomain(values: SettingValues): string | undefined {
  const username = values.get(SMTP_KEYS.username);
  const sender =
    values.get(SMTP_KEYS.from) ??
    (username && isEmailAddress(username) ? username : undefined);
  return sender?.slice(sender.lastIndexOf('@') + 1) || undefined;
}

/**
 * DKIM signing by the portal, for servers that do not sign the tenant's
 * mail themselves. The key is a secret bound like the password: a stored
 * key signs only mail that goes to the server it was saved for.
 */
export const dkimKeys: readonly SettingKeyDefinition[] = [
  {
    key: SMTP_KEYS.dkimDomain,
    label: 'DKIM signing domain',
    description:
      'The domain the portal signs your mail for (d=), usually the domain of the sender address, so that the signature aligns with it for DMARC. Gmail, Yahoo and Outlook.com require a DKIM signature on bulk mail. Leave it unset if your server signs your mail itself (Exchange Online and Google Workspace can). With it set, mail is only sent signed: a key that cannot sign pauses delivery.',
    type: 'hostName',
    required: false,
    secret: false,
    suggestedValue: senderDomain,
  },
  {
    key: SMTP_KEYS.dkimSelector,
    label: 'DKIM selector',
    description:
      'The name of the key (s=): receivers read its public half from the TXT record <selector>._domainkey.<domain>. Use a new selector for a new key, so that mail signed with the old one still verifies while the new record spreads.',
    type: 'hostName',
    required: true,
    secret: false,
    suggestedValue: () => 'portal',
    appliesWhen: signs,
  },
  {
    key: SMTP_KEYS.dkimPrivateKey,
    label: 'DKIM private key',
    description:
      'The RSA private key in PEM (2048 bits recommended, at least 1024). Generate key lets the portal make one that never leaves it, and shows the record to publish. Stored encrypted and never shown again; like the password, it must be entered again when the server, port, username or login changes.',
    type: 'privateKey',
    required: true,
    secret: true,
    appliesWhen: signs,
  },
];
