// @ts-check

/**
 * A short history per tenant of settings changes and connection tests: who,
 * when, and which keys (or which server and outcome), never a value. Times
 * are epoch milliseconds of the database's clock, like the outbox's.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mailer_settings_history', table => {
    table.comment(
      'Who changed which settings keys, and who tested the connection; no values',
    );
    table.bigIncrements('id');
    table.string('tenant_id', 190).notNullable();
    table.string('kind', 32).notNullable().comment('change or connection-test');
    table.string('actor', 255).nullable().comment('Entity ref of who did it');
    table.bigInteger('created_at').notNullable();
    table
      .text('details')
      .notNullable()
      .comment(
        'JSON: added, changed and removed key names; or host, port, outcome and messageSent of a test',
      );
    table.index(['tenant_id', 'created_at'], 'mailer_settings_history_idx');
    table.index(['created_at'], 'mailer_settings_history_age_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mailer_settings_history');
};
