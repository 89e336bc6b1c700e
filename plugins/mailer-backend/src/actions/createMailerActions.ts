import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { MailQueue } from '../service/MailQueue';
import { RecipientFailures } from '../service/RecipientFailures';
import { ActionAccess } from './actionCaller';
import { registerDeliverySummaryAction } from './deliverySummaryAction';
import { registerMessageStatusAction } from './messageStatusAction';
import { registerRecipientFailuresAction } from './recipientFailuresAction';

/** What the actions read, and who may call them. */
export interface MailerActionsOptions extends ActionAccess {
  actionsRegistry: ActionsRegistryService;
  queue: MailQueue;
  failures: RecipientFailures;
}

/**
 * The mailer's actions for AI assistants and automation, in Backstage's
 * actions registry: read-only, each checked as the route that shows the
 * same records is. Sending mail and changing settings are deliberately not
 * actions: a prompt must not be able to send mail or reroute it.
 */
export function createMailerActions(options: MailerActionsOptions): void {
  const { actionsRegistry, queue, failures } = options;
  registerDeliverySummaryAction(actionsRegistry, options, queue);
  registerMessageStatusAction(actionsRegistry, options, queue);
  registerRecipientFailuresAction(actionsRegistry, options, failures);
}
