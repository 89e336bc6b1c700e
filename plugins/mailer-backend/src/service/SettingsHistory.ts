import {
  ConnectionTestResult,
  SettingsHistoryResponse,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { SettingsHistoryStore } from '../database/SettingsHistoryStore';
import { StoredSetting, StoredSettingsChange } from '../database/SettingsStore';
import { Suppression } from '../database/SuppressionStore';
import { maskAddress } from './maskRecipients';

/** How many lines the settings page shows: the latest, not an archive. */
const SHOWN_ENTRIES = 50;

/**
 * A short history per tenant of who changed which settings keys and who
 * tested the connection. Key names only: a value, even hashed, would let a
 * reader confirm a guessed password.
 */
export class SettingsHistory {
  constructor(private readonly store: SettingsHistoryStore) {}

  /**
   * Records which keys `change` adds, changes and removes, in the change's
   * own transaction; nothing when it changes no key (a value saved again).
   */
  async recordChange(
    tx: Knex.Transaction,
    tenantId: string,
    before: StoredSetting[],
    change: StoredSettingsChange,
  ): Promise<void> {
    const previous = new Map(before.map(s => [s.key, s]));
    const added: string[] = [];
    const changed: string[] = [];
    for (const setting of change.put) {
      const old = previous.get(setting.key);
      if (!old) added.push(setting.key);
      // A secret is new ciphertext every time: given again, it counts as changed.
      else if (
        setting.encryptionKeyId !== null ||
        old.encryptionKeyId !== null ||
        old.value !== setting.value
      )
        changed.push(setting.key);
    }
    const removed = change.remove.filter(key => previous.has(key));
    if (added.length + changed.length + removed.length === 0) return;
    await this.store.record(
      tenantId,
      {
        kind: 'change',
        actor: change.actor,
        added: added.sort(),
        changed: changed.sort(),
        removed: removed.sort(),
      },
      tx,
    );
  }

  /** Records that a connection test ran: where to, how it ended, whether a message went. */
  async recordConnectionTest(
    tenantId: string,
    actor: string | undefined,
    server: { host: string; port: number },
    result: ConnectionTestResult,
  ): Promise<void> {
    await this.store.record(tenantId, {
      kind: 'connection-test',
      actor,
      host: server.host,
      port: server.port,
      outcome: result.outcome,
      messageSent: result.messageSent,
    });
  }

  /**
   * Records that someone took an address off the suppression list, in the
   * removal's transaction. The address is masked: everyone who may read
   * the settings reads the history (the audit log has it whole).
   */
  async recordSuppressionRemoved(
    tx: Knex.Transaction,
    tenantId: string,
    actor: string,
    removed: Suppression,
  ): Promise<void> {
    await this.store.record(
      tenantId,
      {
        kind: 'suppression-removed',
        actor,
        address: maskAddress(removed.address),
        ...(removed.scope !== 'all-bulk' && { list: removed.scope.list }),
        reason: removed.reason,
      },
      tx,
    );
  }

  /** The tenant's latest lines, newest first. */
  async list(tenantId: string): Promise<SettingsHistoryResponse> {
    return { entries: await this.store.list(tenantId, SHOWN_ENTRIES) };
  }

  /** Deletes what is past the retention period; returns how many lines. */
  purge(retentionMs: number): Promise<number> {
    return this.store.purgeOlderThan(retentionMs);
  }
}
