import { MailProvider } from '../smtp/mailProvider';

/** What the sender check knows of a provider's DNS: its name, its SPF, its DKIM selectors. */
export interface ProviderRecords {
  name: string;
  /** The domain its customers' SPF records include. */
  spfInclude: string;
  /** How its own documentation ends the SPF record it asks for. */
  spfAll: '-all' | '~all';
}

/** Exchange Online and Google Workspace, as their setup guides describe them. */
export const PROVIDER_RECORDS: Record<
  Exclude<MailProvider, 'other'>,
  ProviderRecords
> = {
  microsoft: {
    name: 'Exchange Online',
    spfInclude: 'spf.protection.outlook.com',
    spfAll: '-all',
  },
  google: {
    name: 'Google Workspace',
    spfInclude: '_spf.google.com',
    spfAll: '~all',
  },
};

/** The provider's records, or undefined for a server the check knows nothing of. */
export function recordsOf(provider: MailProvider): ProviderRecords | undefined {
  return provider === 'other' ? undefined : PROVIDER_RECORDS[provider];
}
