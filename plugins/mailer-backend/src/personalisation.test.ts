import { SmtpTestServer } from '@internal/smtp-test-server';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';

const databases = createTestDatabases();

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start();
});
afterEach(() => smtp.close());

describe.each(databases.eachSupportedId())(
  'placeholders in mail, on %s',
  databaseId => {
    async function start() {
      const consumer = createConsumerPlugin();
      await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [consumer.plugin],
      });
      return consumer.mailer();
    }

    it('delivers transactional text exactly as written', async () => {
      const mailer = await start();
      const text = 'Template {{ .Values.image }} failed for {{name}}';
      await mailer.send({
        to: 'ops@example.com',
        subject: 'Deploy {{ .Values.image }}',
        text,
        html: `<p>${text}</p>`,
      });
      const [message] = await smtp.waitForMessages(1);
      expect(message.parsed.subject).toBe('Deploy {{ .Values.image }}');
      expect(message.parsed.text?.trim()).toBe(text);
      expect(message.parsed.html).toBe(`<p>${text}</p>`);
    });

    it('fills only the recipient’s own values in bulk mail and leaves the rest as written', async () => {
      const mailer = await start();
      await mailer.sendBulk(
        {
          subject: 'Hello {{name}}',
          text: 'Dear {{name}}, {{missing}} {{constructor}} {{__proto__}} {{ .Values.image }}',
        },
        [{ to: 'ada@example.com', variables: { name: 'Ada' } }],
      );
      const [message] = await smtp.waitForMessages(1);
      expect(message.parsed.subject).toBe('Hello Ada');
      expect(message.parsed.text?.trim()).toBe(
        'Dear Ada, {{missing}} {{constructor}} {{__proto__}} {{ .Values.image }}',
      );
    });
  },
);
