// @ts-check

/**
 * What a campaign is, so the delivery view can group it: `single` (one
 * transactional message, queued by send()), `bulk` (a mailing to many) or
 * `test` (a test email of the settings card, recorded already sent or
 * failed). Plus the indexes the delivery view's reports read by.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const mysql = /mysql/.test(String(knex.client.config.client));

  await knex.schema.alterTable('mailer_campaigns', table => {
    table
      .string('kind', 16)
      .notNullable()
      .defaultTo('single')
      .comment('single, bulk or test');
  });
  // Earlier rows: send() queued transactional mail and createCampaign() bulk
  // mail unless told otherwise, so the priority tells them apart.
  await knex('mailer_campaigns')
    .where({ priority: 1 })
    .update({ kind: 'bulk' });

  await knex.schema.alterTable('mailer_campaigns', table => {
    // A tenant's recent mailings, and its single messages of the last day.
    table.index(
      ['tenant_id', 'kind', 'created_at'],
      'mailer_campaigns_tenant_kind_idx',
    );
  });

  // Finished messages by when they finished (a final row is not written
  // again): the hourly chart and the recent failures. Partial where the
  // engine has them, so rows on their way never enter the index.
  await knex.schema.alterTable('mailer_outbox', table => {
    if (mysql) {
      table.index(
        ['tenant_id', 'state', 'updated_at'],
        'mailer_outbox_finished_idx',
      );
    } else {
      table.index(['tenant_id', 'updated_at'], 'mailer_outbox_finished_idx', {
        predicate: knex.whereRaw("state IN ('sent', 'partial', 'failed')"),
      });
    }
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mailer_outbox', table => {
    table.dropIndex([], 'mailer_outbox_finished_idx');
  });
  await knex.schema.alterTable('mailer_campaigns', table => {
    table.dropIndex([], 'mailer_campaigns_tenant_kind_idx');
    table.dropColumn('kind');
  });
};
