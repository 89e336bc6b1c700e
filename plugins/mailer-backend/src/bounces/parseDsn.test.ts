import { dsnFixture } from '../__testUtils__/dsnFixtures';
import { bounceKindOf } from './bounceKind';
import { NotADeliveryReport, parseDsn } from './parseDsn';

// Delivery status notifications as Postfix, Exchange Online and Gmail write
// them (fixtures written from their documented formats), about a message
// the portal sent.

const MESSAGE_ID = '<0f7d8e3c-2a6b-4c1d-9e8f-1a2b3c4d5e6f@tenant.example>';

describe('parseDsn', () => {
  it.each([
    [
      'postfix',
      {
        reportingMta: 'mx.tenant.example',
        status: '5.1.1',
        remoteMta: 'mx.example.org',
        diagnostic:
          /^550 5\.1\.1 <Gone@Example\.org>: Recipient address rejected: User unknown/,
        kind: 'hard',
      },
    ],
    [
      'exchange-online',
      {
        reportingMta: 'AM9PR04MB8700.eurprd04.prod.outlook.com',
        status: '5.2.2',
        remoteMta: undefined,
        diagnostic: /^554 5\.2\.2 mailbox full; STOREDRV/,
        kind: 'soft',
      },
    ],
    [
      'gmail',
      {
        reportingMta: 'googlemail.com',
        status: '5.1.1',
        remoteMta: undefined,
        diagnostic:
          /^The email account that you tried to reach does not exist\. Please try double-checking/,
        kind: 'hard',
      },
    ],
  ] as const)(
    'reads a %s report: recipient, action, status, diagnostic and the original Message-ID',
    async (name, expected) => {
      const report = await parseDsn(
        dsnFixture(name, 'Gone@Example.org', MESSAGE_ID),
      );
      expect(report.originalMessageId).toBe(MESSAGE_ID);
      expect(report.reportingMta).toBe(expected.reportingMta);
      expect(report.recipients).toEqual([
        {
          address: 'gone@example.org',
          action: 'failed',
          status: expected.status,
          diagnostic: expect.stringMatching(expected.diagnostic),
          ...(expected.remoteMta && { remoteMta: expected.remoteMta }),
        },
      ]);
      expect(bounceKindOf(report.recipients[0].status)).toBe(expected.kind);
    },
  );

  it('finds the original Message-ID in In-Reply-To when the headers are not returned', async () => {
    const text = dsnFixture(
      'exchange-online',
      'gone@example.org',
      MESSAGE_ID,
    ).replace(/Message-ID: <0f7d8e3c[^\r\n]*\r\n/, '');
    expect(text.match(/0f7d8e3c/g)).toHaveLength(2);
    expect((await parseDsn(text)).originalMessageId).toBe(MESSAGE_ID);
  });

  it('refuses what is not a delivery status notification, saying why', async () => {
    await expect(
      parseDsn(
        'From: a@example.org\r\nSubject: Out of office\r\n\r\nAway.\r\n',
      ),
    ).rejects.toEqual(
      new NotADeliveryReport(
        'not a delivery status notification (multipart/report; report-type=delivery-status)',
      ),
    );
    const noRecipient = dsnFixture('postfix', 'gone@example.org', MESSAGE_ID)
      .replace(/Final-Recipient: [^\r\n]*\r\n/, '')
      .replace(/Original-Recipient: [^\r\n]*\r\n/, '');
    await expect(parseDsn(noRecipient)).rejects.toThrow(
      'the report names no recipient',
    );
  });
});
