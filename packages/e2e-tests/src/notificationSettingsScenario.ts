import { deepStrictEqual, strictEqual } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { findSettingKey, SMTP_KEYS } from '@elixeum/plugin-mailer-common';
import { SmtpTestServer } from '@internal/smtp-test-server';
import { Locator, Page } from 'playwright-core';
import { launchChromium, Browser } from './chromium';
import { buildApp, RunningPortal, startPortal } from './examplePortal';
import { waitForGuestInCatalog } from './guestInCatalog';
import { artifactsDir } from './paths';
import { Step } from './steps';

const SMTP_USER = 'mailer@tenant.example';
const RECIPIENT = 'ada@customer.example';
/** The guest's address in examples/org.yaml, where its notifications are emailed. */
const GUEST_ADDRESS = 'guest@portal.example';
/** The title of the notification the home page's button sends (packages/backend/src/notificationDemo.ts). */
const DEMO_NOTIFICATION_TITLE = 'A test notification from the example portal';
/** The subject of the backend's test message (ConnectionTester). */
const TEST_MESSAGE_SUBJECT = 'Test message from your portal';

/** The card names fields and menu items by each key's label in the shared catalog. */
function labelOf(key: string): string {
  const definition = findSettingKey(key);
  if (!definition) throw new Error(`${key} is not in the setting-key catalog`);
  return definition.label;
}

/** Polls an input until it holds `expected`; playwright-core has no `expect`. */
async function expectValue(
  field: Locator,
  expected: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual = await field.inputValue();
  while (actual !== expected && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
    actual = await field.inputValue();
  }
  strictEqual(actual, expected, `value of ${field}`);
}

async function expectVisible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}

/**
 * The example portal end to end: a guest signs in, opens the notification
 * settings from the sidebar, points the tenant at its own SMTP server (a real
 * one, started here, with a login and no TLS), saves, reloads, and sends a
 * test email that the server must receive.
 */
export function notificationSettingsScenario() {
  const smtpPassword = randomBytes(12).toString('base64url');
  let smtp: SmtpTestServer | undefined;
  let portal: RunningPortal | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const pageErrors: string[] = [];

  function currentPage(): Page {
    if (!page) throw new Error('The browser is not open');
    return page;
  }

  /** The card has no role of its own: it is the MUI card whose title is "Outgoing email". */
  function card(): Locator {
    const p = currentPage();
    // Production builds suffix MUI class names (MuiCard-root-680).
    return p
      .locator('[class*="MuiCard-root"]')
      .filter({ has: p.getByText('Outgoing email', { exact: true }) });
  }

  async function screenshotCard(name: string): Promise<void> {
    // Let ripples and fades finish, so the picture shows the settled card.
    await currentPage().waitForTimeout(400);
    await card().screenshot({ path: join(artifactsDir, `${name}.png`) });
  }

  function field(key: string): Locator {
    return currentPage().getByLabel(labelOf(key), { exact: true });
  }

  async function addSetting(key: string, value: string): Promise<void> {
    const p = currentPage();
    await p.getByRole('button', { name: 'Add', exact: true }).click();
    await p.getByRole('menuitem', { name: labelOf(key), exact: true }).click();
    const input = field(key);
    if (findSettingKey(key)?.type === 'choice') {
      await input.selectOption(value);
    } else {
      await input.fill(value);
    }
  }

  const steps: Step[] = [
    { name: 'build the example app', run: buildApp },
    {
      name: 'start an SMTP server that wants a login and offers no TLS',
      run: async () => {
        smtp = await SmtpTestServer.start({
          host: '127.0.0.1',
          users: { [SMTP_USER]: smtpPassword },
        });
      },
    },
    {
      name: 'start the example portal (backend serving the built app, fresh SQLite and key)',
      run: async () => {
        portal = await startPortal({ tenantSmtpPort: smtp!.port });
      },
    },
    {
      name: 'open Chromium with a fresh profile',
      run: async () => {
        browser = await launchChromium();
        page = browser.context.pages()[0] ?? (await browser.context.newPage());
        page.setDefaultTimeout(15_000);
        page.on('pageerror', error => pageErrors.push(error.message));
      },
    },
    {
      name: 'sign in as guest',
      run: async () => {
        const p = currentPage();
        await p.goto(portal!.baseUrl);
        await p.getByRole('button', { name: 'Enter' }).click();
        await expectVisible(p.getByRole('link', { name: 'Notifications' }));
        await p.screenshot({ path: join(artifactsDir, '01-home.png') });
      },
    },
    {
      name: 'open the notification settings with the bell item in the sidebar',
      run: async () => {
        const p = currentPage();
        await p.getByRole('link', { name: 'Notifications' }).click();
        await p.waitForURL('**/notification-settings');
        await expectVisible(
          p.getByRole('heading', { name: 'Notification settings' }),
        );
        await expectVisible(
          card().getByText('Mail is sent from the default mailbox'),
        );
        await expectVisible(card().getByText('No settings yet.'));
        await screenshotCard('02-card-empty');
      },
    },
    {
      name: 'add server, port, username, password and security = none with Add',
      run: async () => {
        await addSetting(SMTP_KEYS.server, smtp!.host);
        await addSetting(SMTP_KEYS.port, String(smtp!.port));
        await addSetting(SMTP_KEYS.username, SMTP_USER);
        await addSetting(SMTP_KEYS.password, smtpPassword);
        // The test server has no certificate, so the connection stays plain.
        await addSetting(SMTP_KEYS.security, 'none');
        await expectValue(field(SMTP_KEYS.security), 'none');
        await screenshotCard('03-card-filled');
      },
    },
    {
      name: 'save: mail now goes through the tenant’s server',
      run: async () => {
        const p = currentPage();
        await p.getByRole('button', { name: 'Save', exact: true }).click();
        await expectVisible(card().getByText('Settings saved.'));
        await expectVisible(
          card().getByText(
            `Mail is sent through your SMTP server as ${SMTP_USER}.`,
          ),
        );
        await screenshotCard('04-card-saved');
      },
    },
    {
      name: 'reload: settings kept, the password stored but never shown',
      run: async () => {
        const p = currentPage();
        await p.reload();
        await expectValue(field(SMTP_KEYS.server), smtp!.host);
        await expectValue(field(SMTP_KEYS.port), String(smtp!.port));
        await expectValue(field(SMTP_KEYS.username), SMTP_USER);
        await expectValue(field(SMTP_KEYS.security), 'none');
        await expectValue(field(SMTP_KEYS.password), '');
        await expectVisible(card().getByText('Stored — leave blank to keep'));
        await screenshotCard('05-card-reloaded');
      },
    },
    {
      name: 'send a test email: the SMTP server receives it and the card says so',
      run: async () => {
        const p = currentPage();
        await p.getByLabel('Test email address').fill(RECIPIENT);
        await p.getByRole('button', { name: 'Send test email' }).click();
        await expectVisible(
          card()
            .getByRole('alert')
            .filter({ hasText: `accepted a test message to ${RECIPIENT}` }),
        );
        const [message] = await smtp!.waitForMessages(1);
        deepStrictEqual(message.envelope, {
          mailFrom: SMTP_USER,
          rcptTo: [RECIPIENT],
        });
        strictEqual(message.parsed.subject, TEST_MESSAGE_SUBJECT);
        strictEqual(message.authenticatedUser, SMTP_USER);
        strictEqual(smtp!.messages.length, 1, 'messages received');
        await screenshotCard('06-card-test-email-sent');
      },
    },
    {
      name: 'send a notification from the home page: it is emailed through the tenant’s server to the guest’s catalog address',
      run: async () => {
        const p = currentPage();
        await waitForGuestInCatalog(portal!.baseUrl);
        await p.getByRole('link', { name: 'Home' }).click();
        await p
          .getByRole('button', { name: 'Send me a test notification' })
          .click();
        await expectVisible(p.getByRole('status').filter({ hasText: 'Sent.' }));
        await p.screenshot({ path: join(artifactsDir, '07-home-sent.png') });
        const messages = await smtp!.waitForMessages(2);
        const message = messages[1];
        deepStrictEqual(message.envelope, {
          mailFrom: SMTP_USER,
          rcptTo: [GUEST_ADDRESS],
        });
        strictEqual(message.parsed.subject, DEMO_NOTIFICATION_TITLE);
        strictEqual(message.authenticatedUser, SMTP_USER);
        const html = String(message.parsed.html);
        strictEqual(
          html.includes(`href="${portal!.baseUrl}/notifications"`),
          true,
          'the email links to the notifications page',
        );
      },
    },
    {
      name: 'the notification is on Backstage’s notifications page (Inbox), and the user can switch email off in Settings',
      run: async () => {
        const p = currentPage();
        await p.getByRole('link', { name: 'Inbox' }).click();
        await p.waitForURL('**/notifications');
        await expectVisible(p.getByText(DEMO_NOTIFICATION_TITLE));
        await p.screenshot({ path: join(artifactsDir, '08-inbox.png') });
        await p.goto(`${portal!.baseUrl}/settings/notifications`);
        await expectVisible(p.getByText('Example portal'));
        await expectVisible(p.getByText('Email', { exact: true }));
        await p.screenshot({
          path: join(artifactsDir, '09-user-notification-settings.png'),
        });
      },
    },
    {
      name: 'no uncaught errors in the page',
      run: async () => deepStrictEqual(pageErrors, []),
    },
  ];

  return {
    steps,
    /** A picture of the whole page when a step fails, if the browser is open. */
    async captureFailure(): Promise<void> {
      if (!page) return;
      const path = join(artifactsDir, 'failure.png');
      await page.screenshot({ path });
      console.log(`      screenshot of the page: ${path}`);
    },
    /** Closes the browser, the portal and the SMTP server, whatever happened. */
    async cleanup(): Promise<void> {
      const results = await Promise.allSettled([
        browser?.close(),
        portal?.stop(),
        smtp?.close(),
      ]);
      for (const result of results) {
        if (result.status === 'rejected') {
          console.log(`  cleanup: ${result.reason}`);
        }
      }
    },
    /** For an `exit` or signal handler: no waiting, just no leftovers. */
    kill(): void {
      portal?.kill();
      browser?.discard();
    },
  };
}
