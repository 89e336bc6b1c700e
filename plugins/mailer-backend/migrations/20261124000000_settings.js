// @ts-check

/**
 * A tenant's notification settings: one row per tenant and key. Secret values
 * are stored encrypted, with the id of the key that encrypted them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mailer_settings', table => {
    table.comment('Notification settings of each tenant');
    table
      .string('tenant_id', 190)
      .notNullable()
      .comment('The tenant the setting belongs to');
    table
      .string('setting_key', 190)
      .notNullable()
      .comment('A key from the setting-key catalog, e.g. SMTP.Server');
    table
      .text('value')
      .notNullable()
      .comment('The value; for secrets, the AES-256-GCM ciphertext');
    table
      .string('encryption_key_id', 190)
      .nullable()
      .comment('Id of the key that encrypted value; null for plain values');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.fn.now());
    table
      .string('updated_by', 255)
      .nullable()
      .comment('Entity ref of who set the value');
    table.primary(['tenant_id', 'setting_key']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mailer_settings');
};
