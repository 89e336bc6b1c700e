// @ts-check

/**
 * Lists and the suppression list: a campaign (and each of its messages)
 * names the list it is sent to, so that a recipient can leave one list and
 * keep the others; `mailer_suppressions` holds, per tenant, the addresses
 * that left a list or all bulk mail, or bounced, and why. A recipient
 * batch remembers how many of its recipients were suppressed, so that a
 * batch sent again answers as the first time.
 *
 * Bulk campaigns queued before get the list their caller's plugin id names,
 * as new ones do by default, and so do their messages still to be sent.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const mysql = /mysql/.test(String(knex.client.config.client));

  await knex.schema.createTable('mailer_suppressions', table => {
    table.comment(
      'Addresses that get no more bulk mail from a tenant (or, after a hard bounce, no mail), and why',
    );
    table.string('tenant_id', 190).notNullable();
    if (mysql) {
      // Compared byte for byte, as on the other engines: MySQL's default
      // collation would take "josé@…" for "jose@…".
      table
        .specificType(
          'address',
          'varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
        )
        .notNullable()
        .comment('In lower case');
    } else {
      table.string('address', 254).notNullable().comment('In lower case');
    }
    table
      .string('list_id', 63)
      .notNullable()
      .comment('The list the address left, or * for all bulk mail');
    table
      .string('reason', 16)
      .notNullable()
      .comment('unsubscribed, hard-bounce, soft-bounce, complaint or admin');
    table
      .bigInteger('created_at')
      .notNullable()
      .comment('When it was (last) suppressed');
    table
      .bigInteger('expires_at')
      .nullable()
      .comment('When a temporary suppression ends; null: never');
    table
      .string('campaign_id', 36)
      .nullable()
      .comment('The mailing whose link or bounce caused it');
    table
      .text('detail')
      .nullable()
      .comment('What caused it, e.g. the reply of a bounce; never a secret');
    // 2,028 bytes in utf8mb4: within InnoDB's 3,072-byte key limit.
    table.primary(['tenant_id', 'address', 'list_id']);
    table.index(['tenant_id', 'created_at'], 'mailer_suppressions_recent_idx');
    table.index(['campaign_id'], 'mailer_suppressions_campaign_idx');
    table.index(['expires_at'], 'mailer_suppressions_expiry_idx');
  });

  await knex.schema.alterTable('mailer_campaigns', table => {
    table
      .string('list_id', 63)
      .nullable()
      .comment('The list a mailing goes to; null for transactional mail');
  });
  await knex.schema.alterTable('mailer_outbox', table => {
    table
      .string('list_id', 63)
      .nullable()
      .comment("Its campaign's list, read with every claim");
  });
  await knex.schema.alterTable('mailer_campaign_batches', table => {
    table
      .integer('suppressed')
      .notNullable()
      .defaultTo(0)
      .comment('Recipients of the batch that were suppressed, not sent');
  });

  /** @type {Array<{ created_by: string | null }>} */
  const callers = await knex('mailer_campaigns')
    .where({ kind: 'bulk' })
    .distinct('created_by');
  for (const { created_by: caller } of callers) {
    const listId = listIdOf(caller);
    const campaigns = () =>
      caller === null
        ? knex('mailer_campaigns')
            .where({ kind: 'bulk' })
            .whereNull('created_by')
        : knex('mailer_campaigns').where({ kind: 'bulk', created_by: caller });
    await campaigns().update({ list_id: listId });
    await knex('mailer_outbox')
      .whereIn('state', ['waiting', 'sending'])
      .whereIn('campaign_id', campaigns().select('id'))
      .update({ list_id: listId });
  }
};

/**
 * The default list of a caller, as the backend names it: the plugin id of
 * `plugin:<id>` (or the name after any other prefix), lower case, with
 * anything but letters, digits and inner hyphens made a hyphen.
 *
 * @param {string | null} caller
 */
function listIdOf(caller) {
  const name = (caller ?? '').slice((caller ?? '').indexOf(':') + 1);
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'bulk';
}

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mailer_campaign_batches', table => {
    table.dropColumn('suppressed');
  });
  await knex.schema.alterTable('mailer_outbox', table => {
    table.dropColumn('list_id');
  });
  await knex.schema.alterTable('mailer_campaigns', table => {
    table.dropColumn('list_id');
  });
  await knex.schema.dropTable('mailer_suppressions');
};
