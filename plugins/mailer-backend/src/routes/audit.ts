import { AuditorService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';
import { withoutContent } from './errorBoundary';

/**
 * Runs `action` inside an audit event. `meta` carries names, ids and
 * outcomes only: never setting values, and secrets above all. `action` may
 * add meta for the success record (e.g. what a test found).
 */
export async function audited<T>(
  auditor: AuditorService,
  req: Request,
  event: { eventId: string; meta: JsonObject },
  action: (addMeta: (meta: JsonObject) => void) => Promise<T>,
): Promise<T> {
  const auditEvent = await auditor.createEvent({
    eventId: event.eventId,
    severityLevel: 'medium',
    request: req,
    meta: event.meta,
  });
  const more: JsonObject = {};
  try {
    const result = await action(meta => Object.assign(more, meta));
    await auditEvent.success({ meta: more });
    return result;
  } catch (error) {
    await auditEvent.fail({ error: withoutContent(error), meta: more });
    throw error;
  }
}
