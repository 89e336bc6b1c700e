// @ts-check

/**
 * A paused server keeps what to do about its failure (e.g. "grant admin
 * consent", "register the service principal in Exchange") beside what
 * failed, so the card can show it while mail waits.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mailer_delivery_pauses', table => {
    table
      .text('advice')
      .nullable()
      .comment('What the tenant can do about the failure, without secrets');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mailer_delivery_pauses', table => {
    table.dropColumn('advice');
  });
};
