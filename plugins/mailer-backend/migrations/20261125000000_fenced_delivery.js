// @ts-check

/**
 * Delivery you can trust: per-recipient results, pauses per server, rate
 * limits per server account, idempotent recipient batches, and indexes that
 * keep claims cheap however deep the queue is.
 *
 * Messages waiting for delivery (queued, or retrying after a failure) now
 * share one stored state, `waiting`: one ordered index then serves every
 * claim on every engine. The API still reports `queued` or `retrying`.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const mysql = /mysql/.test(String(knex.client.config.client));

  await knex('mailer_outbox')
    .whereIn('state', ['queued', 'retrying'])
    .update({ state: 'waiting' });

  await knex.schema.alterTable('mailer_outbox', table => {
    table.dropIndex(['state', 'next_attempt_at'], 'mailer_outbox_due_idx');
    table.dropIndex(
      ['tenant_id', 'state', 'priority', 'next_attempt_at'],
      'mailer_outbox_tenant_due_idx',
    );
    table.dropIndex(
      ['tenant_id', 'claimed_at'],
      'mailer_outbox_tenant_claimed_idx',
    );
    table
      .text('recipient_results', mysql ? 'mediumtext' : undefined)
      .nullable()
      .comment(
        'JSON: per recipient, sent, failed or deferred, with the reply that decided it',
      );
  });

  if (mysql) {
    // MySQL's text holds 64 KB; a message may carry 25 MB of attachments.
    await knex.schema.alterTable('mailer_campaigns', table => {
      table.text('template', 'longtext').notNullable().alter();
    });
    await knex.schema.alterTable('mailer_outbox', table => {
      table.text('recipients', 'mediumtext').notNullable().alter();
      table.text('variables', 'mediumtext').nullable().alter();
      table.text('rejected', 'mediumtext').nullable().alter();
      // No partial indexes here: the state leads instead.
      table.index(
        ['state', 'tenant_id', 'priority', 'next_attempt_at'],
        'mailer_outbox_waiting_idx',
      );
      table.index(['state', 'claim_token'], 'mailer_outbox_sending_idx');
      table.dropIndex(['claim_token'], 'mailer_outbox_claim_idx');
    });
  } else {
    // Partial indexes: only the rows a worker may take, however many sent
    // rows the retention period keeps.
    await knex.schema.alterTable('mailer_outbox', table => {
      table.index(
        ['tenant_id', 'priority', 'next_attempt_at'],
        'mailer_outbox_waiting_idx',
        { predicate: knex.whereRaw("state = 'waiting'") },
      );
      // Claimed rows are few (a window per server and replica): this index
      // finds a claim's rows, and the expired ones by a short scan. Moving a
      // lease on touches no index, so on PostgreSQL it is a HOT update.
      table.index(['claim_token'], 'mailer_outbox_sending_idx', {
        predicate: knex.whereRaw("state = 'sending'"),
      });
      table.dropIndex(['claim_token'], 'mailer_outbox_claim_idx');
    });
  }

  await knex.schema.alterTable('mailer_campaigns', table => {
    table
      .bigInteger('cancelled_at')
      .nullable()
      .comment('Set when the sender withdrew the campaign');
  });

  await knex.schema.createTable('mailer_campaign_batches', table => {
    table.comment(
      'Recipient batches already queued, so a retried batch is not queued twice',
    );
    table
      .string('campaign_id', 36)
      .notNullable()
      .references('id')
      .inTable('mailer_campaigns')
      .onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.integer('accepted').notNullable();
    table.primary(['campaign_id', 'seq']);
  });

  await knex.schema.createTable('mailer_delivery_pauses', table => {
    table.comment(
      'Servers that failed as a whole (refused, timed out, login refused): their mail waits',
    );
    table
      .string('lane_key', 64)
      .primary()
      .comment('The server and settings version the pause applies to');
    table
      .string('tenant_id', 190)
      .nullable()
      .comment(
        "The tenant whose own server it is; null for the default mailbox's",
      );
    table.bigInteger('paused_since').notNullable();
    table.bigInteger('paused_until').notNullable();
    table.integer('failures').notNullable();
    table.text('reason').notNullable().comment('What failed, without secrets');
    table.string('error_code', 32).nullable();
    table.integer('response_code').nullable();
    table.bigInteger('updated_at').notNullable();
    table.index(['tenant_id'], 'mailer_delivery_pauses_tenant_idx');
  });

  await knex.schema.createTable('mailer_rate_limit_ledger', table => {
    table.comment('Messages taken per server account, for per-minute limits');
    table.bigIncrements('id');
    table.string('account_key', 64).notNullable();
    table.bigInteger('taken_at').notNullable();
    table.integer('count').notNullable();
    table.index(['account_key', 'taken_at'], 'mailer_rate_limit_ledger_idx');
  });

  await knex.schema.createTable('mailer_rate_limit_locks', table => {
    table.comment(
      'A row per rate-limited account, locked while taking its quota',
    );
    table.string('account_key', 64).primary();
  });

  await knex.schema.dropTable('mailer_tenant_locks');
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  const mysql = /mysql/.test(String(knex.client.config.client));
  await knex.schema.createTable('mailer_tenant_locks', table => {
    table.string('tenant_id', 190).primary();
  });
  await knex.schema.dropTable('mailer_rate_limit_locks');
  await knex.schema.dropTable('mailer_rate_limit_ledger');
  await knex.schema.dropTable('mailer_delivery_pauses');
  await knex.schema.dropTable('mailer_campaign_batches');
  await knex.schema.alterTable('mailer_campaigns', table => {
    table.dropColumn('cancelled_at');
  });
  await knex.schema.alterTable('mailer_outbox', table => {
    table.dropIndex([], 'mailer_outbox_waiting_idx');
    table.dropIndex([], 'mailer_outbox_sending_idx');
    table.index(['claim_token'], 'mailer_outbox_claim_idx');
    table.dropColumn('recipient_results');
  });
  if (mysql) {
    await knex.schema.alterTable('mailer_campaigns', table => {
      table.text('template').notNullable().alter();
    });
    await knex.schema.alterTable('mailer_outbox', table => {
      table.text('recipients').notNullable().alter();
      table.text('variables').nullable().alter();
      table.text('rejected').nullable().alter();
    });
  }
  await knex.schema.alterTable('mailer_outbox', table => {
    table.index(['state', 'next_attempt_at'], 'mailer_outbox_due_idx');
    table.index(
      ['tenant_id', 'state', 'priority', 'next_attempt_at'],
      'mailer_outbox_tenant_due_idx',
    );
    table.index(
      ['tenant_id', 'claimed_at'],
      'mailer_outbox_tenant_claimed_idx',
    );
  });
  await knex('mailer_outbox')
    .where({ state: 'waiting' })
    .update({
      state: knex.raw(
        "CASE WHEN attempts > 0 THEN 'retrying' ELSE 'queued' END",
      ),
    });
};
