import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';
import {
  NOBODY,
  pathOf,
  postOneClick,
  unsubscribeLinkOf,
} from './__testUtils__/unsubscribeLinks';

// The public unsubscribe route faces the internet without credentials:
// whatever arrives that is not a one-click unsubscribe (or the page) gets a
// clear 4xx page, and changes nothing.

const databases = createTestDatabases();
jest.setTimeout(60_000);

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start();
});
afterEach(() => smtp.close());

describe.each(databases.eachSupportedId())(
  'bad input on the unsubscribe route on %s',
  databaseId => {
    /** A backend and the unsubscribe link of ada@example.com's message. */
    async function start() {
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [consumer.plugin],
      });
      await consumer
        .mailer()
        .sendBulk({ subject: 's', text: 't' }, [{ to: 'ada@example.com' }]);
      const [message] = await smtp.waitForMessages(1);
      return { ...started, path: pathOf(unsubscribeLinkOf(message)) };
    }

    /** Nothing recorded: the address is on no list. */
    async function expectNothingChanged(
      knex: Awaited<ReturnType<typeof start>>['knex'],
    ) {
      expect(await knex('mailer_suppressions')).toEqual([]);
    }

    it('refuses an oversized body with 413', async () => {
      const { server, path, knex } = await start();
      const answer = await request(server)
        .post(path)
        .set('Authorization', NOBODY)
        .type('form')
        .send(`List-Unsubscribe=One-Click&pad=${'x'.repeat(8 * 1024)}`);
      expect(answer.status).toBe(413);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      await expectNothingChanged(knex);
    });

    it('refuses other methods with 405 and says which are allowed', async () => {
      const { server, path, knex } = await start();
      for (const method of ['put', 'delete', 'patch', 'options'] as const) {
        const answer = await request(server)
          [method](path)
          .set('Authorization', NOBODY);
        expect([method, answer.status]).toEqual([method, 405]);
        expect(answer.headers.allow).toBe('GET, HEAD, POST');
      }
      await expectNothingChanged(knex);
    });

    it('refuses a body that is not a one-click form', async () => {
      const { server, path, knex } = await start();
      const post = () =>
        request(server).post(path).set('Authorization', NOBODY);
      const answers = [
        [
          415,
          await post().type('json').send({ 'List-Unsubscribe': 'One-Click' }),
        ],
        [415, await post().type('text').send('List-Unsubscribe=One-Click')],
        [415, await post()],
        [400, await post().type('form').send('List-Unsubscribe=Yes')],
        [400, await post().type('form').send('unsubscribe=1')],
        [
          400,
          await post()
            .set('Content-Type', 'multipart/form-data; boundary=abc')
            .send('--xyz\r\nnot a part\r\n'),
        ],
      ] as const;
      for (const [status, answer] of answers) {
        expect([answer.status, answer.text]).toEqual([
          status,
          expect.stringContaining('Not possible'),
        ]);
      }
      await expectNothingChanged(knex);
    });

    it('refuses garbage and cut links with a 4xx page', async () => {
      const { server, knex } = await start();
      for (const [path, status] of [
        ['/api/mailer/unsubscribe', 404],
        ['/api/mailer/unsubscribe/', 404],
        ['/api/mailer/unsubscribe/x/y', 404],
        ['/api/mailer/unsubscribe/x', 400],
        [`/api/mailer/unsubscribe/${'A'.repeat(3000)}`, 400],
        ['/api/mailer/unsubscribe/%00%0a%3Cscript%3E', 400],
      ] as const) {
        const answer = await request(server)
          .get(path)
          .set('Authorization', NOBODY);
        expect([path.slice(0, 60), answer.status]).toEqual([
          path.slice(0, 60),
          status,
        ]);
        expect(answer.text).not.toContain('<script>');
      }
      await expectNothingChanged(knex);
    });

    it('answers a flood from one source with 429, and then records nothing from it', async () => {
      const { server, path, knex } = await start();
      const statuses: number[] = [];
      for (let i = 0; i < 121; i++) {
        statuses.push(
          (await request(server).get(path).set('Authorization', NOBODY)).status,
        );
      }
      expect(statuses.slice(0, 120).every(s => s === 200)).toBe(true);
      expect(statuses[120]).toBe(429);
      const refused = await postOneClick(server, `http://x${path}`);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('60');
      await expectNothingChanged(knex);
    });

    it('refuses links that are not ours after ten from one source a minute, even a real one', async () => {
      const { server, path, knex } = await start();
      for (let i = 0; i < 10; i++) {
        await request(server)
          .get(`/api/mailer/unsubscribe/guess${i}`)
          .set('Authorization', NOBODY)
          .expect(400);
      }
      await request(server)
        .get('/api/mailer/unsubscribe/guess10')
        .set('Authorization', NOBODY)
        .expect(429);
      // A real link still works: only guesses are limited this tightly.
      await postOneClick(server, `http://x${path}`).expect(200);
      expect(await knex('mailer_suppressions')).toHaveLength(1);
    });
  },
);
