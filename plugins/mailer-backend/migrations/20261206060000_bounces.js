// @ts-check

/**
 * Bounces: soft bounces counted per address (one row per message that
 * bounced softly, so retries of one message count once), and every
 * delivery status notification the intake received, matched to its
 * message or not: a report that matches nothing is kept, with its text,
 * for the tenant's admins to read.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const mysql = /mysql/.test(String(knex.client.config.client));
  /** An address column compared byte for byte, as the suppression list's. */
  const address = (
    /** @type {import('knex').Knex.CreateTableBuilder} */ table,
  ) =>
    mysql
      ? table.specificType(
          'address',
          'varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
        )
      : table.string('address', 254);

  await knex.schema.createTable('mailer_soft_bounces', table => {
    table.comment(
      'Soft bounces (a full mailbox) per address and message, counted to suppress an address that keeps bouncing',
    );
    table.string('tenant_id', 190).notNullable();
    address(table).notNullable().comment('In lower case');
    table
      .string('message_id', 36)
      .notNullable()
      .comment('The outbox message that bounced');
    table.bigInteger('bounced_at').notNullable();
    table.primary(['tenant_id', 'address', 'message_id']);
    table.index(['bounced_at'], 'mailer_soft_bounces_age_idx');
  });

  await knex.schema.createTable('mailer_bounce_reports', table => {
    table.comment(
      'Delivery status notifications received, matched to a message or kept for admins to read',
    );
    table.string('id', 36).primary();
    table.string('tenant_id', 190).notNullable();
    table.bigInteger('received_at').notNullable();
    table
      .string('outcome', 16)
      .notNullable()
      .comment(
        'matched, unmatched, or unreadable (not a delivery status notification)',
      );
    table.text('reason').nullable().comment('Why it matched nothing');
    table
      .string('message_id', 36)
      .nullable()
      .comment('The outbox message it is about');
    table.string('campaign_id', 36).nullable();
    table.string('original_message_id', 255).nullable();
    table.string('reporting_mta', 255).nullable();
    table.string('subject', 255).nullable();
    table
      .text('recipients')
      .nullable()
      .comment(
        'JSON: each recipient, action, status, diagnostic and what it did',
      );
    table
      .text('raw', 'mediumtext')
      .nullable()
      .comment('The report as received, kept when it matched nothing');
    table.index(
      ['tenant_id', 'received_at'],
      'mailer_bounce_reports_recent_idx',
    );
    table.index(['received_at'], 'mailer_bounce_reports_age_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mailer_bounce_reports');
  await knex.schema.dropTable('mailer_soft_bounces');
};
