// @ts-check

/**
 * The durable outbox: a campaign holds a message's body once, and one outbox
 * row per message holds its recipients and delivery state. Times are epoch
 * milliseconds, so comparisons behave the same on every database.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mailer_campaigns', table => {
    table.comment('Bodies of queued mail, stored once however many recipients');
    table.string('id', 36).primary();
    table.string('tenant_id', 190).notNullable();
    table
      .integer('priority')
      .notNullable()
      .comment('0 transactional, 1 bulk; lower goes first');
    table
      .text('template')
      .notNullable()
      .comment('JSON: subject, text, html, cc, bcc, replyTo, attachments');
    table
      .string('created_by', 255)
      .nullable()
      .comment('Who queued it, e.g. plugin:notifications');
    table.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('mailer_outbox', table => {
    table.comment('One row per message to deliver, with its delivery state');
    table.string('id', 36).primary();
    table
      .string('campaign_id', 36)
      .notNullable()
      .references('id')
      .inTable('mailer_campaigns')
      .onDelete('CASCADE');
    table.string('tenant_id', 190).notNullable();
    table
      .integer('priority')
      .notNullable()
      .comment('0 transactional, 1 bulk; lower goes first');
    table
      .text('recipients')
      .notNullable()
      .comment('JSON: to, and cc/bcc for single messages');
    table
      .text('variables')
      .nullable()
      .comment('JSON: personalised fields of a bulk message');
    table
      .string('state', 16)
      .notNullable()
      .comment('queued, sending, sent, retrying, failed');
    table.integer('attempts').notNullable().defaultTo(0);
    table.bigInteger('next_attempt_at').notNullable();
    table
      .bigInteger('lease_until')
      .nullable()
      .comment('A claimed message is free again after this');
    table.string('claim_token', 36).nullable();
    table.bigInteger('claimed_at').nullable();
    table.integer('last_response_code').nullable();
    table.text('last_reply').nullable();
    table.string('last_error_code', 32).nullable();
    table.string('smtp_message_id', 255).nullable();
    table
      .text('rejected')
      .nullable()
      .comment('JSON: recipients the server refused');
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.bigInteger('sent_at').nullable();
    table.index(['state', 'next_attempt_at'], 'mailer_outbox_due_idx');
    table.index(
      ['tenant_id', 'state', 'priority', 'next_attempt_at'],
      'mailer_outbox_tenant_due_idx',
    );
    table.index(
      ['tenant_id', 'claimed_at'],
      'mailer_outbox_tenant_claimed_idx',
    );
    table.index(['campaign_id', 'state'], 'mailer_outbox_campaign_idx');
    table.index(['claim_token'], 'mailer_outbox_claim_idx');
  });

  await knex.schema.createTable('mailer_tenant_locks', table => {
    table.comment(
      'A row per rate-limited tenant, locked while claiming its mail',
    );
    table.string('tenant_id', 190).primary();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mailer_tenant_locks');
  await knex.schema.dropTable('mailer_outbox');
  await knex.schema.dropTable('mailer_campaigns');
};
