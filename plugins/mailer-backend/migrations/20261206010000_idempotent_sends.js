// @ts-check

/**
 * Idempotent single sends: a caller that sends again with the same
 * `Idempotency-Key` (its own retry after a lost answer, say) gets the first
 * message's id back instead of a second copy in the outbox. A key stands for
 * 24 hours; the hourly clean-up deletes older ones.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mailer_send_keys', table => {
    table.comment(
      'Idempotency keys of single sends, so a repeated send is queued once',
    );
    table.string('tenant_id', 190).notNullable();
    table
      .string('caller', 190)
      .notNullable()
      .comment('The calling service, e.g. plugin:notifications');
    table
      .string('idempotency_key', 255)
      .notNullable()
      .comment('As the caller sent it: 1 to 255 printable ASCII characters');
    table
      .string('request_hash', 64)
      .notNullable()
      .comment(
        'SHA-256 (hex) of the request, to refuse the key for another message',
      );
    table
      .string('message_id', 36)
      .notNullable()
      .comment('The message the first send queued');
    table.bigInteger('created_at').notNullable();
    // 635 characters: within InnoDB's 3,072-byte key limit in utf8mb4.
    table.primary(['tenant_id', 'caller', 'idempotency_key']);
    table.index(['created_at'], 'mailer_send_keys_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mailer_send_keys');
};
