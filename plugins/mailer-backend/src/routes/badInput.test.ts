import { mockCredentials } from '@backstage/backend-test-utils';
import { settingKeyCatalog } from '@elixeum/plugin-mailer-common';
import { SmtpTestServer } from '@internal/smtp-test-server';
import { Knex } from 'knex';
import request from 'supertest';
import { startMailerTestBackend } from '../__testUtils__/mailerTestBackend';
import { saveSettings } from '../__testUtils__/saveSettings';
import { createTestDatabases } from '../__testUtils__/testDatabases';

const databases = createTestDatabases();
jest.setTimeout(120_000);

const MEGABYTE = 'x'.repeat(1024 * 1024);
/** Text that would break out of a header or a protocol line, or end a C string. */
const BREAKING = [
  'a\r\nRCPT TO:<all@example.com>',
  'a\u0000b',
  'a\nb',
  MEGABYTE,
];
/** Addresses that look right but are not: Cyrillic а, е, о and a fullwidth ＠. */
const LOOK_ALIKES = [
  'аda@example.com',
  'ada@еxample.com',
  'nо-reply@example.com',
  'ada＠example.com',
];
const WRONG_TYPES = [true, 42, {}, [], null];

interface Case {
  name: string;
  method: 'get' | 'put' | 'post' | 'delete';
  path: string;
  audience: 'user' | 'service';
  body?: unknown;
}

const validMessage = { to: 'ada@example.com', subject: 'Hello', text: 'Hi' };

/** Every way to spoil one field of an object, as `[description, object]`. */
function spoiled(
  base: Record<string, unknown>,
  field: string,
  bad: unknown[],
): Array<[string, Record<string, unknown>]> {
  return bad.map(value => [
    `${field} = ${JSON.stringify(value).slice(0, 30)}`,
    { ...base, [field]: value },
  ]);
}

function cases(campaignId: string, messageId: string): Case[] {
  const all: Case[] = [];
  const settings = (name: string, body: unknown) =>
    all.push({
      name: `PUT /settings ${name}`,
      method: 'put',
      path: '/settings',
      audience: 'user',
      body,
    });
  for (const { key, type } of settingKeyCatalog) {
    // Numbers are fine (`"SMTP.Port": 587`), and null removes a key.
    for (const value of [true, {}, [], ...BREAKING]) {
      settings(`${key} = ${JSON.stringify(value).slice(0, 30)}`, {
        values: { [key]: value },
      });
    }
    if (type === 'email' || type === 'serverAddress' || type === 'text') {
      for (const value of LOOK_ALIKES) {
        if (type === 'text') continue;
        settings(`${key} = ${value}`, { values: { [key]: value } });
      }
    }
  }
  settings('SMTP.Server = smtp.еxample.com', {
    values: { 'SMTP.Server': 'smtp.еxample.com' },
  });
  for (const body of [
    [],
    { values: [] },
    { values: 'SMTP.Port' },
    { values: {}, extra: 1 },
    { values: { 'SMTP.Colour': 'blue' } },
    { values: { 'SMTP.Server\r\n': 'smtp.example.com' } },
    { values: { [MEGABYTE]: 'x' } },
  ]) {
    settings(JSON.stringify(body).slice(0, 40), body);
  }

  for (const key of [
    'SMTP.Colour',
    'SMTP.Pоrt',
    'SMTP.Port%0D%0A',
    'SMTP.Port%00',
  ]) {
    all.push({
      name: `DELETE /settings/${key}`,
      method: 'delete',
      path: `/settings/${key}`,
      audience: 'user',
    });
  }

  const connectionTest = (name: string, body: unknown) =>
    all.push({
      name: `POST /connection-test ${name}`,
      method: 'post',
      path: '/connection-test',
      audience: 'user',
      body,
    });
  for (const [name, body] of [
    ...spoiled({}, 'sendTo', [...BREAKING, ...LOOK_ALIKES, ...WRONG_TYPES]),
    ...spoiled({}, 'values', ['x', [], 5]),
    ['unknown key', { sendTo: 'a@example.com', cc: 'b@example.com' }],
    ['a value with a line break', { values: { 'SMTP.Username': 'a\r\nb' } }],
    ['a password with NUL', { values: { 'SMTP.Password': 'pass\u0000word' } }],
  ] as Array<[string, unknown]>) {
    connectionTest(name, body);
  }

  const service = (path: string, name: string, body: unknown) =>
    all.push({
      name: `POST ${path} ${name}`,
      method: 'post',
      path,
      audience: 'service',
      body,
    });
  const message = (name: string, m: unknown) =>
    service('/messages', name, { message: m });
  for (const field of ['to', 'cc', 'bcc', 'replyTo', 'subject']) {
    for (const [name, m] of spoiled(validMessage, field, [
      ...BREAKING,
      // An empty cc or bcc list is no recipient at all, which is fine.
      ...WRONG_TYPES.filter(
        v => field === 'to' || (v !== null && !Array.isArray(v)),
      ),
      ...(field === 'subject' ? [] : LOOK_ALIKES),
    ])) {
      message(name, m);
    }
  }
  for (const [name, to] of spoiled({ address: 'ada@example.com' }, 'name', [
    ...BREAKING,
    42,
  ])) {
    message(`to.${name}`, { ...validMessage, to });
  }
  for (const body of ['text', 'html']) {
    message(`${body} with NUL`, { ...validMessage, [body]: 'a\u0000b' });
    message(`${body} of the wrong type`, { ...validMessage, [body]: 42 });
  }
  const attachment = { filename: 'a.txt', content: 'hello' };
  for (const field of ['filename', 'contentType']) {
    for (const [name, a] of spoiled(attachment, field, [...BREAKING, 42])) {
      message(`attachment ${name}`, { ...validMessage, attachments: [a] });
    }
  }
  for (const [name, m] of [
    ['not an object', 'hello'],
    ['unknown field', { ...validMessage, headers: { 'X-A': 'b' } }],
    [
      'attachment path',
      {
        ...validMessage,
        attachments: [{ filename: 'p', path: '/etc/passwd' }],
      },
    ],
    [
      'attachment unknown field',
      { ...validMessage, attachments: [{ ...attachment, raw: 'x' }] },
    ],
    ['attachments not a list', { ...validMessage, attachments: {} }],
  ] as Array<[string, unknown]>) {
    message(name, m);
  }
  for (const [name, body] of [
    ...spoiled({ message: validMessage }, 'tenantId', [...BREAKING, 42, '']),
    ...spoiled({ message: validMessage }, 'priority', ['urgent', MEGABYTE, 1]),
    ['unknown key', { message: validMessage, from: 'boss@example.com' }],
  ] as Array<[string, unknown]>) {
    service('/messages', name, body);
  }

  for (const [name, template] of [
    ...spoiled({ subject: 'Hello {{name}}', text: 'Hi' }, 'subject', [
      ...BREAKING,
      42,
    ]),
    ['with recipients', { subject: 's', text: 't', to: 'a@example.com' }],
    ['not an object', 'hello'],
    ['null', null],
    ['unknown field', { subject: 's', text: 't', sender: 'x@example.com' }],
  ] as Array<[string, unknown]>) {
    service('/campaigns', `template ${name}`, { template });
  }

  const recipientsPath = `/campaigns/${campaignId}/recipients`;
  const recipient = { to: 'ada@example.com', variables: { name: 'Ada' } };
  for (const [name, r] of [
    ...spoiled(recipient, 'to', [...BREAKING, ...LOOK_ALIKES, ...WRONG_TYPES]),
    ...spoiled(recipient, 'variables', ['x', [], 5]),
    ...BREAKING.filter(v => v !== MEGABYTE).map(v => [
      `to.name = ${JSON.stringify(v)}`,
      { to: { name: v, address: 'ada@example.com' } },
    ]),
    [
      'a variable of a megabyte',
      { ...recipient, variables: { name: MEGABYTE } },
    ],
    ['a variable with NUL', { ...recipient, variables: { name: 'A\u0000' } }],
    [
      'a variable name of a megabyte',
      { ...recipient, variables: { [MEGABYTE]: 'x' } },
    ],
    ['a variable that is not text', { ...recipient, variables: { name: 5 } }],
    ['unknown field', { ...recipient, cc: 'b@example.com' }],
  ] as Array<[string, unknown]>) {
    service(recipientsPath, `recipient ${name}`, { recipients: [r] });
  }
  for (const [name, body] of [
    ['recipients not a list', { recipients: 'ada@example.com' }],
    ['unknown key', { recipients: [recipient], template: {} }],
    ...spoiled({ recipients: [recipient] }, 'tenantId', [...BREAKING, 42]),
  ] as Array<[string, unknown]>) {
    service(recipientsPath, name, body);
  }
  for (const id of ['a%0D%0Ab', 'a%00b', 'x'.repeat(65)]) {
    service(`/campaigns/${id}/recipients`, 'a bad campaign id', {
      recipients: [recipient],
    });
  }

  for (const query of [
    'waitMs=soon',
    'waitMs=-1',
    'waitMs[]=1',
    'tenantId=a%0D%0Ab',
    'tenantId=a%00b',
    'unknown=1',
  ]) {
    all.push({
      name: `GET /messages/:id?${query}`,
      method: 'get',
      path: `/messages/${messageId}?${query}`,
      audience: 'service',
    });
  }
  for (const id of ['a%0D%0Ab', 'a%00b', 'x'.repeat(65)]) {
    all.push({
      name: `GET /messages/${id.slice(0, 20)}`,
      method: 'get',
      path: `/messages/${id}`,
      audience: 'service',
    });
  }
  return all;
}

/** Everything the mailer stores, to compare before and after. */
async function everything(knex: Knex) {
  return {
    settings: await knex('mailer_settings').select().orderBy('setting_key'),
    campaigns: await knex('mailer_campaigns').select().orderBy('id'),
    outbox: await knex('mailer_outbox')
      .select('id', 'recipients', 'variables')
      .orderBy('id'),
  };
}

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start();
});
afterAll(() => smtp.close());

describe.each(databases.eachSupportedId())('bad input on %s', databaseId => {
  it('answers every bad field of every route with 400 and changes nothing', async () => {
    const { server, knex } = await startMailerTestBackend(
      databases,
      databaseId,
      // Nothing is delivered, so the stored messages stay as queued.
      {
        defaultServer: { host: smtp.host, port: smtp.port },
        delivery: { pollInterval: '60s' },
      },
    );
    await saveSettings(server, {
      'SMTP.Server': 'smtp.example.com',
      'SMTP.Port': 587,
      'SMTP.Username': 'mailer@example.com',
      'SMTP.Password': 'a-Stored-password-1',
    });
    const service = mockCredentials.service.header();
    const { campaignId } = (
      await request(server)
        .post('/api/mailer/campaigns')
        .set('Authorization', service)
        .send({ template: { subject: 'Hello {{name}}', text: 'Hi' } })
        .expect(201)
    ).body;
    const { id: messageId } = (
      await request(server)
        .post('/api/mailer/messages')
        .set('Authorization', service)
        .send({ message: validMessage })
        .expect(202)
    ).body;
    const before = await everything(knex);
    const connectionsBefore = smtp.connections.opened;

    const unexpected: string[] = [];
    let n = 0;
    for (const c of cases(campaignId, messageId)) {
      n += 1;
      // A user of its own per case: the connection test's rate limit counts per user.
      const authorization =
        c.audience === 'user'
          ? mockCredentials.user.header(`user:default/sweep-${n}`)
          : service;
      let call = request(server)
        [c.method](`/api/mailer${c.path}`)
        .set('Authorization', authorization);
      if (c.body !== undefined) {
        call = call
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(c.body));
      }
      const response = await call;
      if (
        response.status !== 400 ||
        response.body?.error?.name !== 'InputError'
      ) {
        unexpected.push(
          `${c.name}: ${response.status} ${response.body?.error?.name}`,
        );
      }
    }

    expect(unexpected).toEqual([]);
    expect(n).toBeGreaterThan(200);
    expect(await everything(knex)).toEqual(before);
    expect(smtp.connections.opened).toBe(connectionsBefore);
  });
});
