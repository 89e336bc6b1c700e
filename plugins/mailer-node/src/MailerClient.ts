import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, ResponseError } from '@backstage/errors';
import {
  findMailMessageProblems,
  MailDeliveryError,
  MailMessage,
  SendMailResponse,
} from '@elixeum/plugin-mailer-common';
import {
  MailerSendOptions,
  MailerSendResult,
  MailerService,
} from './MailerService';
import { toWireMessage } from './wireMessage';

/** The plugin id the mailer backend is installed under. */
export const MAILER_PLUGIN_ID = 'mailer';

/**
 * The default `MailerService`: calls the mailer backend over HTTP with a
 * plugin-to-plugin token, so the calling plugin needs no access to the
 * mailer's database and may run in another backend.
 */
export class MailerClient implements MailerService {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  async send(
    message: MailMessage,
    options?: MailerSendOptions,
  ): Promise<MailerSendResult> {
    // Fail fast in the caller's process with the same rules the backend applies.
    const problems = findMailMessageProblems(message);
    if (problems.length > 0) {
      throw new InputError(`Invalid mail message: ${problems.join('; ')}`);
    }
    const { discovery, auth } = this.deps;
    const baseUrl = await discovery.getBaseUrl(MAILER_PLUGIN_ID);
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: MAILER_PLUGIN_ID,
    });
    const response = await fetch(`${baseUrl}/messages`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({
        tenantId: options?.tenantId,
        message: toWireMessage(message),
      }),
    });
    if (!response.ok) {
      throw await toSendError(response);
    }
    const body = (await response.json()) as SendMailResponse;
    return { messageId: body.messageId, rejected: body.rejected };
  }
}

/**
 * Rebuilds the backend's error as the same Backstage error class, so callers
 * can tell a bad message from a refusal and read the SMTP reply.
 */
async function toSendError(response: Response): Promise<Error> {
  const error = await ResponseError.fromResponse(response);
  const { name, message, reply } = error.body.error as {
    name: string;
    message: string;
    reply?: MailDeliveryError['reply'];
  };
  switch (name) {
    case 'MailDeliveryError':
      return new MailDeliveryError(message, reply ?? {});
    case 'InputError':
      return new InputError(message);
    case 'NotAllowedError':
      return new NotAllowedError(message);
    default:
      return error;
  }
}
