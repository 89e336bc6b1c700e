// @ts-check

/**
 * Day limits (a provider's recipients a day, e.g. Exchange Online's
 * 10,000): the rate limit ledger counts the recipients of what it hands
 * out as well as the messages, and keeps a day of it. Rows written before
 * counted messages only; each of those had at least one recipient.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mailer_rate_limit_ledger', table => {
    table
      .integer('recipients')
      .notNullable()
      .defaultTo(0)
      .comment('Recipients of the messages taken, for day limits');
  });
  await knex('mailer_rate_limit_ledger').update({
    recipients: knex.ref('count'),
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mailer_rate_limit_ledger', table => {
    table.dropColumn('recipients');
  });
};
