import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';

type Explained = Pick<ConnectionTestResult, 'outcome' | 'message' | 'advice'>;

const GRAPH_REPLY = /Microsoft Graph (\d{3})(?: (\w+))?/;

const APP_PERMISSION =
  'In Entra ID give the app the Microsoft Graph application permission Mail.Send and grant admin consent. ' +
  'If an application access policy limits the app to some mailboxes, add this one (`Test-ApplicationAccessPolicy -Identity <SMTP.Username> -AppId <client id>` shows whether it may).';

/**
 * What Microsoft Graph's refusal means for the admin, in the same terms as
 * an SMTP reply: a missing permission or mailbox, a refused token, throttling.
 * `reply` is the text `GraphTransport` gave the failure.
 */
export function explainGraphFailure(reply: string, mailbox: string): Explained {
  const [, statusText, code] = reply.match(GRAPH_REPLY) ?? [];
  const status = Number(statusText);
  const what = `${status}${code ? ` ${code}` : ''}`;
  if (status === 403) {
    return {
      outcome: 'authentication-failed',
      message: `Microsoft Graph did not let the app send as ${mailbox} (${what}): the app lacks the Mail.Send application permission, or an application access policy excludes this mailbox.`,
      advice: APP_PERMISSION,
    };
  }
  if (status === 401) {
    return {
      outcome: 'token-failure',
      message: `Microsoft Graph refused the app's token (${what}).`,
      advice:
        'Check SMTP.OAuth.TenantId and SMTP.OAuth.ClientId, and that admin consent was granted for Mail.Send.',
    };
  }
  if (status === 404) {
    return {
      outcome: 'sender-refused',
      message: `Microsoft Graph found no mailbox ${mailbox} (${what}).`,
      advice:
        'Set SMTP.Username to an Exchange Online mailbox of this tenant (a user or shared mailbox with a licence).',
    };
  }
  if (status === 429 || status >= 500) {
    return {
      outcome: 'server-busy',
      message: `Microsoft Graph asked to slow down (${what}).`,
      advice:
        'Nothing to change: delivery waits as long as Graph asks and goes on. Lower the messages-per-minute limit if it happens often.',
    };
  }
  return {
    outcome: 'unknown-failure',
    message: `Microsoft Graph refused the message (${what}).`,
    advice: 'The reply below may say more.',
  };
}
