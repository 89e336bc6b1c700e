// @ts-check

/**
 * A campaign's subject in a column of its own, so the delivery view (read
 * every few seconds while mail is in flight) lists campaigns without
 * reading their bodies, which may hold 25 MB of attachments.
 *
 * Existing campaigns get theirs from their stored body, parsed here rather
 * than with each engine's JSON functions: those differ, and PostgreSQL's
 * refuses some text JavaScript wrote (a lone surrogate in `\u` escapes).
 * Bodies are read a few megabytes at a time, however large they are.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mailer_campaigns', table => {
    table
      .text('subject')
      .nullable()
      .comment(
        "The body's subject, for lists; for a bulk mailing, the template with its {{fields}}",
      );
  });

  const postgres = /^(pg|postgres)/.test(String(knex.client.config.client));
  // In bytes where the engine knows it without reading the value.
  const size = knex.raw(
    postgres ? 'octet_length(template) AS size' : 'length(template) AS size',
  );
  const IDS_PER_BATCH = 200;
  const BYTES_PER_READ = 8 * 1024 * 1024;
  let after = '';
  for (;;) {
    /** @type {Array<{ id: string; size: number | string }>} */
    const batch = await knex('mailer_campaigns')
      .where('id', '>', after)
      .orderBy('id')
      .limit(IDS_PER_BATCH)
      .select('id', size);
    if (batch.length === 0) break;
    after = batch[batch.length - 1].id;
    // Groups of bodies a few megabytes together; a larger body alone.
    /** @type {string[][]} */
    const groups = [[]];
    let bytes = 0;
    for (const row of batch) {
      const current = groups[groups.length - 1];
      if (current.length > 0 && bytes + Number(row.size) > BYTES_PER_READ) {
        groups.push([row.id]);
        bytes = Number(row.size);
      } else {
        current.push(row.id);
        bytes += Number(row.size);
      }
    }
    for (const ids of groups) {
      /** @type {Array<{ id: string; template: string }>} */
      const rows = await knex('mailer_campaigns')
        .whereIn('id', ids)
        .select('id', 'template');
      const subjects = rows.map(row => [row.id, subjectOf(row.template)]);
      // One statement per group: a CASE over the group's ids.
      await knex('mailer_campaigns')
        .whereIn('id', ids)
        .update({
          subject: knex.raw(
            `CASE id ${subjects.map(() => 'WHEN ? THEN ?').join(' ')} END`,
            subjects.flat(),
          ),
        });
    }
  }
};

/**
 * The subject of a stored body; empty for a body that cannot be read (its
 * messages fail by themselves at delivery).
 *
 * @param {string} template
 */
function subjectOf(template) {
  try {
    const { subject } = JSON.parse(template);
    return typeof subject === 'string' ? subject : '';
  } catch {
    return '';
  }
}

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mailer_campaigns', table => {
    table.dropColumn('subject');
  });
};
