import { LoggerService } from '@backstage/backend-plugin-api';
import { MailerBackendApi } from '@elixeum/plugin-mailer-node';
import { SenderOperations } from '../service/SenderOperations';
import { isClientError, logUnexpected } from './errorBoundary';

/**
 * The sender operations as plugins in the same backend call them (through
 * `mailerInProcessBackendServiceRef`): what the service routes are for
 * plugins elsewhere, with the same error boundary. A client error reaches
 * the caller as it is; anything else is logged without its content and the
 * caller gets only a reference, as a 500 would give it.
 */
export function inProcessCalls(
  operations: SenderOperations,
  logger: LoggerService,
): MailerBackendApi {
  const guarded =
    <A extends unknown[], R>(what: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        if (isClientError(error)) throw error;
        const { reference } = logUnexpected(logger, what, error);
        throw new Error(
          `The mailer could not complete the request; quote reference ${reference} when reporting it`,
        );
      }
    };
  return {
    sendMessage: guarded('Sending a message', (caller, request, key) =>
      operations.sendMessage(caller, request, key),
    ),
    sendMessages: guarded('Sending messages', (caller, requests) =>
      operations.sendMessages(caller, requests),
    ),
    getStatus: guarded('Reading a message status', (caller, id, query) =>
      operations.getStatus(caller, id, query),
    ),
    createCampaign: guarded('Creating a campaign', (caller, request) =>
      operations.createCampaign(caller, request),
    ),
    addRecipients: guarded('Adding recipients', (caller, id, request) =>
      operations.addRecipients(caller, id, request),
    ),
    cancelCampaign: guarded('Cancelling a campaign', (caller, id, query) =>
      operations.cancelCampaign(caller, id, query),
    ),
  };
}
