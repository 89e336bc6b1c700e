import { deepStrictEqual, ok, strictEqual } from 'node:assert';
import { join } from 'node:path';
import { SMTP_KEYS } from '@elixeum/plugin-mailer-common';
import { Page } from 'playwright-core';
import { CardPage, eventually, expectVisible } from './cardPage';
import { launchChromium, Browser } from './chromium';
import {
  DEFAULT_MAILBOX_DOMAIN,
  E2eServers,
  MICROSOFT_APP,
  SMTP_AUTH_OFF_PASSWORD,
  TENANT_MAILBOX,
} from './e2eServers';
import {
  assertPortFree,
  buildApp,
  RunningPortal,
  startPortal,
} from './examplePortal';
import { waitForGuestInCatalog } from './guestInCatalog';
import { artifactsDir } from './paths';
import { Step } from './steps';

const RECIPIENT = 'ada@customer.example';
/** The guest's address in examples/org.yaml, where its notifications are emailed. */
const GUEST_ADDRESS = 'guest@portal.example';
/** The title of the notification the home page's button sends (packages/backend/src/notificationDemo.ts). */
const DEMO_NOTIFICATION_TITLE = 'A test notification from the example portal';
/** The subject of the home page's demo mailing (packages/backend/src/mailingDemo.ts). */
const DEMO_MAILING_SUBJECT = 'Demo mailing for {{name}}';
const DEMO_MAILING_SIZE = 60;
/** The subject of the backend's test message (ConnectionTester). */
const TEST_MESSAGE_SUBJECT = 'Test message from your portal';
/** The example's mail catcher, as app-config.yaml runs it and its "Example mail catcher" preset names it. */
const MAIL_CATCHER_PORT = 2525;

/**
 * The example portal end to end, against real SMTP servers and a token
 * endpoint on loopback: a guest signs in, opens the notification settings
 * from the sidebar, sees that the default mailbox's domain lacks DMARC
 * (the sender check, against a DNS server on loopback), tests the default
 * mailbox, is told why an untrusted
 * certificate and Office 365's disabled SMTP AUTH fail, points the tenant
 * at its own server, sends a test email, a notification and a mailing
 * (watching its progress), then moves the tenant to OAuth2 (XOAUTH2).
 */
export function notificationSettingsScenario() {
  let servers: E2eServers | undefined;
  let portal: RunningPortal | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let settings: CardPage | undefined;
  const pageErrors: string[] = [];

  function currentPage(): Page {
    if (!page) throw new Error('The browser is not open');
    return page;
  }
  function cardPage(): CardPage {
    if (!settings) throw new Error('The browser is not open');
    return settings;
  }
  function smtp(): E2eServers {
    if (!servers) throw new Error('The servers did not start');
    return servers;
  }

  /** A link in the sidebar (the home page links to the settings too). */
  function sidebarLink(name: string | RegExp) {
    return currentPage()
      .getByTestId('sidebar-root')
      .getByRole('link', { name, exact: true });
  }

  async function openSettingsFromSidebar(): Promise<void> {
    const p = currentPage();
    await sidebarLink('Email settings').click();
    await p.waitForURL('**/email-settings');
    await expectVisible(p.getByRole('heading', { name: 'Email settings' }));
  }

  const steps: Step[] = [
    { name: 'build the example app', run: buildApp },
    {
      name: 'start the SMTP servers (default mailbox, tenant, untrusted TLS, XOAUTH2) and a token endpoint',
      run: async () => {
        servers = await E2eServers.start();
      },
    },
    {
      name: 'start the example portal (backend serving the built app, fresh SQLite and key)',
      run: async () => {
        // The mail catcher on its port from app-config.yaml, so the
        // example's own preset reaches it as a newcomer's would.
        await assertPortFree(MAIL_CATCHER_PORT, 'the example mail catcher');
        portal = await startPortal({
          ...smtp().portalConfig(),
          mailCatcher: { port: MAIL_CATCHER_PORT },
        });
      },
    },
    {
      name: 'open Chromium with a fresh profile',
      run: async () => {
        browser = await launchChromium();
        page = browser.context.pages()[0] ?? (await browser.context.newPage());
        page.setDefaultTimeout(15_000);
        page.on('pageerror', error => pageErrors.push(error.message));
        // Leaving unsaved edits asks first; this scenario always means to go.
        page.on('dialog', dialog => void dialog.accept());
        settings = new CardPage(page);
      },
    },
    {
      name: 'sign in as guest',
      run: async () => {
        const p = currentPage();
        await p.goto(portal!.baseUrl);
        await p.getByRole('button', { name: 'Enter' }).click();
        await expectVisible(sidebarLink('Email settings'));
        await p.screenshot({ path: join(artifactsDir, '01-home.png') });
      },
    },
    {
      name: 'open the Email settings with the envelope item next to the notifications bell in the sidebar',
      run: async () => {
        await openSettingsFromSidebar();
        const card = cardPage().card();
        await expectVisible(
          card.getByText('Mail is sent from the default mailbox'),
        );
        await expectVisible(card.getByText('No settings yet.'));
        await cardPage().screenshot('02-card-empty');
      },
    },
    {
      name: 'the sender check: the default mailbox’s domain has no DMARC record, and the card names the record to publish',
      run: async () => {
        const card = cardPage().card();
        await expectVisible(
          card
            .getByRole('status', { name: 'Deliverability' })
            .filter({ hasText: 'Not ready for bulk mail' })
            .filter({ hasText: 'no valid DMARC record' }),
        );
        const dmarc = card.getByRole('listitem', { name: 'DMARC check' });
        await expectVisible(
          dmarc.filter({
            hasText: `Fail DMARC: ${DEFAULT_MAILBOX_DOMAIN} has no DMARC record`,
          }),
        );
        await expectVisible(
          dmarc
            .getByLabel('TXT record to publish')
            .filter({ hasText: `_dmarc.${DEFAULT_MAILBOX_DOMAIN} TXT` })
            .filter({ hasText: 'v=DMARC1; p=none' }),
        );
        await expectVisible(
          card
            .getByRole('listitem', { name: 'SPF check' })
            .filter({ hasText: 'Pass SPF: One SPF record, ending in -all' }),
        );
        ok(
          smtp().dns.queriesFor(`_dmarc.${DEFAULT_MAILBOX_DOMAIN}`).length > 0,
          'the DMARC record was looked for in the test DNS',
        );
        await cardPage().screenshot('02a-card-sender-check-no-dmarc');
      },
    },
    {
      name: 'send a test email before any setting: it goes through the default mailbox',
      run: async () => {
        await cardPage().sendTestEmail(RECIPIENT);
        await expectVisible(cardPage().result('default mailbox'));
        const [message] = await smtp().defaultMailbox.waitForMessages(1);
        deepStrictEqual(message.envelope.rcptTo, [RECIPIENT]);
        strictEqual(message.parsed.subject, TEST_MESSAGE_SUBJECT);
        await cardPage().screenshot('03-card-default-mailbox-test');
      },
    },
    {
      name: 'test a server with an untrusted certificate: the card says why and offers SMTP.TLS.CA',
      run: async () => {
        const { untrusted, tenantPassword } = smtp();
        const card = cardPage();
        await card.add(SMTP_KEYS.server, untrusted.host);
        await card.add(SMTP_KEYS.port, String(untrusted.port));
        await card.add(SMTP_KEYS.username, TENANT_MAILBOX);
        await card.add(SMTP_KEYS.password, tenantPassword);
        await card.add(SMTP_KEYS.security, 'starttls');
        await card.testConnection();
        await expectVisible(card.result('Certificate not trusted'));
        await expectVisible(
          card.card().getByRole('button', { name: 'Add SMTP.TLS.CA' }),
        );
        strictEqual(untrusted.messages.length, 0, 'messages received');
        strictEqual(
          untrusted.authAttempts.length,
          0,
          'the password was never sent to a server that could not be trusted',
        );
        await card.screenshot('04-card-untrusted-certificate');
      },
    },
    {
      name: 'test Office 365 with SMTP AUTH off (535 5.7.139): the card says how to turn it on',
      run: async () => {
        const { tenant } = smtp();
        const card = cardPage();
        await card.set(SMTP_KEYS.port, String(tenant.port));
        // The test server has no certificate, so the connection stays plain.
        await card.set(SMTP_KEYS.security, 'none');
        await card.set(SMTP_KEYS.password, SMTP_AUTH_OFF_PASSWORD);
        await card.testConnection();
        await expectVisible(card.result('SMTP AUTH is disabled'));
        await expectVisible(
          card.card().getByText('SmtpClientAuthenticationDisabled', {
            exact: false,
          }),
        );
        await card.screenshot('05-card-smtp-auth-off');
      },
    },
    {
      name: 'enter the right password and save: mail now goes through the tenant’s server',
      run: async () => {
        const card = cardPage();
        await card.set(SMTP_KEYS.password, smtp().tenantPassword);
        await card.save();
        await expectVisible(
          card
            .card()
            .getByText(
              `Mail is sent through your SMTP server as ${TENANT_MAILBOX}.`,
            ),
        );
        await card.screenshot('06-card-saved');
      },
    },
    {
      name: 'reload: settings kept, the password stored but never shown',
      run: async () => {
        const card = cardPage();
        await currentPage().reload();
        await card.expectValue(SMTP_KEYS.server, smtp().tenant.host);
        await card.expectValue(SMTP_KEYS.port, String(smtp().tenant.port));
        await card.expectValue(SMTP_KEYS.username, TENANT_MAILBOX);
        await card.expectValue(SMTP_KEYS.security, 'none');
        await card.expectValue(SMTP_KEYS.password, '');
        await expectVisible(
          card.card().getByText('Stored — leave blank to keep'),
        );
        await card.screenshot('07-card-reloaded');
      },
    },
    {
      name: 'send a test email: the tenant’s server receives it with the login, and the card says so',
      run: async () => {
        const { tenant } = smtp();
        await cardPage().sendTestEmail(RECIPIENT);
        await expectVisible(
          cardPage().result(`accepted a test message to ${RECIPIENT}`),
        );
        const [message] = await tenant.waitForMessages(1);
        deepStrictEqual(message.envelope, {
          mailFrom: TENANT_MAILBOX,
          rcptTo: [RECIPIENT],
        });
        strictEqual(message.parsed.subject, TEST_MESSAGE_SUBJECT);
        strictEqual(message.authenticatedUser, TENANT_MAILBOX);
        strictEqual(tenant.messages.length, 1, 'messages received');
        await cardPage().screenshot('08-card-test-email-sent');
      },
    },
    {
      name: 'send a notification from the home page: it is emailed through the tenant’s server to the guest’s catalog address',
      run: async () => {
        const p = currentPage();
        const { tenant } = smtp();
        await waitForGuestInCatalog(portal!.baseUrl);
        await sidebarLink('Home').click();
        await p
          .getByRole('button', { name: 'Send me a test notification' })
          .click();
        await expectVisible(p.getByRole('status').filter({ hasText: 'Sent.' }));
        await p.screenshot({ path: join(artifactsDir, '09-home-sent.png') });
        const messages = await tenant.waitForMessages(2);
        const message = messages[1];
        deepStrictEqual(message.envelope, {
          mailFrom: TENANT_MAILBOX,
          rcptTo: [GUEST_ADDRESS],
        });
        strictEqual(message.parsed.subject, DEMO_NOTIFICATION_TITLE);
        strictEqual(message.authenticatedUser, TENANT_MAILBOX);
        const html = String(message.parsed.html);
        ok(
          html.includes(`href="${portal!.baseUrl}/notifications"`),
          'the email links to the notifications page',
        );
        ok(
          String(message.parsed.text).includes(
            `switch them off in your own settings: ${portal!.baseUrl}/settings/notifications`,
          ),
          'the footer links to the user’s own notification switches',
        );
        // The welcome card reads where mail goes now.
        await expectVisible(
          p.getByText(
            `The mail of this portal goes out through your own server as ${TENANT_MAILBOX}.`,
            { exact: false },
          ),
        );
      },
    },
    {
      name: 'the notification is on Backstage’s notifications page (the bell), and the user can switch email off in Settings, which points admins to the Email settings',
      run: async () => {
        const p = currentPage();
        await sidebarLink(/^Notifications/).click();
        await p.waitForURL('**/notifications');
        await expectVisible(p.getByText(DEMO_NOTIFICATION_TITLE));
        await p.screenshot({ path: join(artifactsDir, '10-inbox.png') });
        await p.goto(`${portal!.baseUrl}/settings/notifications`);
        await expectVisible(p.getByText('Example portal'));
        await expectVisible(p.getByText('Email', { exact: true }));
        await expectVisible(
          p.getByRole('link', { name: 'Email settings', exact: true }).last(),
        );
        await p.screenshot({
          path: join(artifactsDir, '11-user-notification-settings.png'),
        });
      },
    },
    {
      name: 'queue a demo mailing from the home page: the delivery view shows its progress until all of it is sent',
      run: async () => {
        const p = currentPage();
        const { tenant } = smtp();
        const before = tenant.messages.length;
        await sidebarLink('Home').click();
        await p.getByRole('button', { name: 'Send a demo mailing' }).click();
        await expectVisible(
          p.getByRole('status').filter({ hasText: 'Queued.' }),
        );
        await openSettingsFromSidebar();
        // The tenant's server takes its time, so the mailing is still going.
        const progress = p.getByRole('progressbar', {
          name: `Progress of ${DEMO_MAILING_SUBJECT}`,
        });
        await expectVisible(progress);
        strictEqual(
          await progress.getAttribute('aria-valuemax'),
          String(DEMO_MAILING_SIZE),
        );
        ok(
          Number(await progress.getAttribute('aria-valuenow')) <
            DEMO_MAILING_SIZE,
          'the mailing was shown while it was still going',
        );
        await cardPage().screenshot(
          '12-delivery-progress',
          cardPage().deliveryCard(),
        );
        // The view refreshes itself until nothing waits any more.
        await expectVisible(
          cardPage()
            .deliveryCard()
            .getByRole('table', { name: 'Recent mailings' })
            .getByText(`${DEMO_MAILING_SIZE} sent · 0 failed · 0 waiting`),
        );
        await eventually(
          async () => tenant.messages.length - before,
          DEMO_MAILING_SIZE,
          'mailing messages received',
        );
        const customers = new Set(
          tenant.messages.slice(before).map(m => m.envelope.rcptTo[0]),
        );
        strictEqual(customers.size, DEMO_MAILING_SIZE, 'each customer once');
        await cardPage().screenshot(
          '13-delivery-done',
          cardPage().deliveryCard(),
        );
      },
    },
    {
      name: 'a customer unsubscribes with the link in the demo mailing: the page asks first, the button unsubscribes, the Suppressed addresses card lists them and an admin can let mail through again',
      run: async () => {
        const p = currentPage();
        const { tenant } = smtp();
        const message = tenant.messages.find(
          m => m.parsed.subject === 'Demo mailing for Customer 1',
        );
        ok(message, 'the demo mailing reached customer 1');
        const header = /^List-Unsubscribe: <([^>]+)>/im.exec(message.raw)?.[1];
        ok(header, 'the message has a List-Unsubscribe link');
        ok(
          String(message.parsed.text).includes(`Unsubscribe: ${header}`),
          'the body shows the same link',
        );
        await p.goto(header);
        await expectVisible(p.getByText('c***@customer.example gets the'));
        await p.screenshot({ path: join(artifactsDir, '13a-unsubscribe.png') });
        await p
          .getByRole('button', { name: 'Unsubscribe from mailing-demo' })
          .click();
        await expectVisible(
          p.getByRole('heading', { name: 'You are unsubscribed' }),
        );
        await p.screenshot({
          path: join(artifactsDir, '13b-unsubscribed.png'),
        });

        await p.goto(`${portal!.baseUrl}/email-settings`);
        const suppressed = cardPage().suppressionCard();
        const row = suppressed
          .getByRole('row')
          .filter({ hasText: 'customer1@customer.example' });
        await expectVisible(row.filter({ hasText: 'unsubscribed' }));
        await cardPage().screenshot('13c-suppressed-addresses', suppressed);
        await row.getByRole('button', { name: /^Remove/ }).click();
        await p
          .getByRole('dialog')
          .getByRole('button', { name: 'Remove', exact: true })
          .click();
        await expectVisible(suppressed.getByText('No suppressed addresses.'));
      },
    },
    {
      name: 'move the tenant to Office 365 with OAuth2: the password is dropped, a test email logs in with XOAUTH2',
      run: async () => {
        const { xoauth2, oauth } = smtp();
        const card = cardPage();
        await card.set(SMTP_KEYS.port, String(xoauth2.port));
        await card.add('SMTP.AuthMethod', 'xoauth2');
        await card.add('SMTP.OAuth.Provider', 'microsoft');
        await card.add('SMTP.OAuth.TenantId', MICROSOFT_APP.tenantId);
        await card.add('SMTP.OAuth.ClientId', MICROSOFT_APP.clientId);
        await card.add('SMTP.OAuth.ClientSecret', MICROSOFT_APP.clientSecret);
        // The password the new login does not use goes with the save.
        await expectVisible(
          card
            .card()
            .getByRole('note')
            .filter({ hasText: 'Saving removes the stored SMTP.Password' }),
        );
        await card.screenshot('14-card-oauth2');
        await card.save();
        await card.sendTestEmail(RECIPIENT);
        await expectVisible(
          card.result(`accepted a test message to ${RECIPIENT}`),
        );
        const [message] = await xoauth2.waitForMessages(1);
        deepStrictEqual(message.envelope, {
          mailFrom: TENANT_MAILBOX,
          rcptTo: [RECIPIENT],
        });
        strictEqual(message.authenticatedUser, TENANT_MAILBOX);
        const grants = oauth.tokenRequests.map(r => r.form.grant_type);
        ok(
          grants.length > 0 && grants.every(g => g === 'client_credentials'),
          `token requests: ${grants.join(', ')}`,
        );
        ok(
          oauth.tokenRequests.every(
            r => r.path === `/${MICROSOFT_APP.tenantId}/oauth2/v2.0/token`,
          ),
          'tokens come from the tenant’s authority path',
        );
        // The password the new login does not use is gone from the settings.
        await currentPage().reload();
        await eventually(
          () => card.field(SMTP_KEYS.password).count(),
          0,
          'password fields after the move to OAuth2',
        );
      },
    },
    {
      name: 'set up the Example mail catcher with "Set up a server" (a preset from app-config.yaml): one form, one save, and a test email reaches the mail catcher',
      run: async () => {
        const p = currentPage();
        const card = cardPage();
        await card.chooseProvider('Example mail catcher');
        const dialog = p.getByRole('dialog');
        await expectVisible(dialog.getByText('Filled in for you'));
        await card.screenshot('15-preset-form', dialog);
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        await expectVisible(
          card
            .card()
            .getByText('Example mail catcher saved.', { exact: false }),
        );
        await card.expectValue(SMTP_KEYS.server, '127.0.0.1');
        await card.expectValue(SMTP_KEYS.port, String(MAIL_CATCHER_PORT));
        await card.expectValue(SMTP_KEYS.security, 'none');
        await card.expectValue(SMTP_KEYS.authMethod, 'none');
        // The OAuth2 keys of the previous server went with the save.
        await eventually(
          () => card.field('SMTP.OAuth.ClientId').count(),
          0,
          'OAuth2 fields after choosing the mail catcher',
        );
        const shot = await card.screenshot('16-card-preset-chosen');
        console.log(
          `      screenshot of the card with the preset chosen: ${shot}`,
        );

        await card.sendTestEmail(RECIPIENT);
        await expectVisible(
          card.result(`accepted a test message to ${RECIPIENT}`),
        );
        await eventually(
          async () => {
            const response = await fetch(
              `${portal!.baseUrl}/api/mail-catcher/messages`,
            );
            const caught = (await response.json()) as Array<{
              subject?: string;
              to: string[];
            }>;
            return caught.some(
              m =>
                m.subject === TEST_MESSAGE_SUBJECT && m.to.includes(RECIPIENT),
            );
          },
          true,
          'the mail catcher received the test email',
        );
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
      await page.screenshot({ path, fullPage: true });
      console.log(`      screenshot of the page: ${path}`);
    },
    /** Closes the browser, the portal and the servers, whatever happened. */
    async cleanup(): Promise<void> {
      const results = await Promise.allSettled([
        browser?.close(),
        portal?.stop(),
        servers?.close(),
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
