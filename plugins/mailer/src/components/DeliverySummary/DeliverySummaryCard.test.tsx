import { ResponseError } from '@backstage/errors';
import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import {
  counts,
  deliverySummary,
  hours,
} from '../../__testUtils__/deliverySummaries';
import { DeliverySummaryCard, NO_DELIVERY_ACCESS } from './DeliverySummaryCard';

const LONG_ADDRESS =
  'a.very.long.mailbox.name.for.the.accounts.payable.team@subsidiary.customer.example';

const summary: DeliverySummary = deliverySummary({
  campaigns: [
    {
      campaignId: 'c-2',
      kind: 'bulk',
      createdAt: '2025-03-04T09:30:00.000Z',
      createdBy: 'user:default/ada',
      subject: 'Hello {{name}}, the March newsletter',
      counts: counts({
        queued: 2,
        sending: 1,
        retrying: 1,
        sent: 9,
        failed: 1,
      }),
      unsubscribes: 0,
    },
    {
      campaignId: 'c-1',
      kind: 'test',
      createdAt: '2025-03-01T08:00:00.000Z',
      createdBy: 'user:default/ada',
      subject: 'Test message from your portal',
      counts: counts({ sent: 1 }),
      unsubscribes: 0,
    },
  ],
  recentFailures: [
    {
      id: 'd-7',
      campaignId: 'c-2',
      kind: 'bulk',
      subject: 'Hello {{name}}, the March newsletter',
      recipients: ['gone@customer.example', LONG_ADDRESS],
      reply: {
        responseCode: 550,
        response: '550 5.1.1 User unknown',
        code: 'EENVELOPE',
      },
      failedAt: '2025-03-04T09:31:00.000Z',
    },
  ],
});

function renderSummary(api: FakeMailerApi) {
  return renderWithMailerApi(<DeliverySummaryCard />, api);
}

describe('DeliverySummaryCard', () => {
  it('shows a mailing in progress with its progress bar and its subject as a template, and a test email from the card', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = summary;
    await renderSummary(api);

    const mailings = await screen.findByRole('table', {
      name: 'Recent mailings',
    });
    const [, newsletter, test] = within(mailings).getAllByRole('row');
    const subject = within(newsletter).getAllByRole('cell')[0];
    expect(subject).toHaveTextContent('Hello {{name}}, the March newsletter');
    expect(within(subject).getByText('template')).toBeVisible();
    expect(within(subject).getByText('{{name}}')).toHaveStyle({
      fontFamily: 'monospace',
    });
    const progress = within(newsletter).getByRole('progressbar', {
      name: 'Progress of Hello {{name}}, the March newsletter',
    });
    expect(progress).toHaveAttribute('aria-valuenow', '10');
    expect(progress).toHaveAttribute('aria-valuemax', '14');
    expect(progress).toHaveAttribute(
      'aria-valuetext',
      '9 sent, 1 failed, 4 waiting, of 14',
    );
    expect(
      within(newsletter).getByText('9 sent · 1 failed · 4 waiting'),
    ).toBeVisible();
    expect(newsletter.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2025-03-04T09:30:00.000Z',
    );

    expect(
      within(test).getByText('Test message from your portal'),
    ).toBeVisible();
    expect(within(test).getByText('test email')).toBeVisible();
    expect(within(test).queryByText('template')).not.toBeInTheDocument();
    // Finished: the counts, no bar.
    expect(within(test).queryByRole('progressbar')).not.toBeInTheDocument();
    expect(
      within(test).getByText('1 sent · 0 failed · 0 waiting'),
    ).toBeVisible();
  });

  it('lists failures with whole addresses, the mailing they belong to, and the server reply', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = summary;
    await renderSummary(api);

    const failures = await screen.findByRole('table', {
      name: 'Recent failures',
    });
    const [, failure] = within(failures).getAllByRole('row');
    const [recipients] = within(failure).getAllByRole('cell');
    expect(recipients).toHaveTextContent(
      `gone@customer.example, ${LONG_ADDRESS}`,
    );
    // A long address is cut, not broken across lines; its tooltip has it whole.
    expect(within(recipients).getByTitle(LONG_ADDRESS)).toHaveStyle({
      whiteSpace: 'nowrap',
      textOverflow: 'ellipsis',
      overflow: 'hidden',
    });
    expect(within(recipients).getByText('template')).toBeVisible();
    // The code once; nodemailer's own code only as a tooltip.
    expect(within(failure).getByText('550 5.1.1 User unknown')).toHaveAttribute(
      'title',
      'EENVELOPE',
    );
    expect(failure.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2025-03-04T09:31:00.000Z',
    );
  });

  it("explains a receiver's refusal of the sender beside its reply", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = deliverySummary({
      recentFailures: [
        {
          ...summary.recentFailures[0],
          reply: {
            responseCode: 550,
            response:
              '550 5.7.26 This mail has been blocked because the sender is unauthenticated. - gsmtp',
          },
          explanation: {
            message:
              'The receiver refused the mail: the sender is not authenticated (550 5.7.26).',
            advice: 'Publish SPF, DKIM and DMARC for the From domain.',
          },
        },
      ],
    });
    await renderSummary(api);

    const failures = await screen.findByRole('table', {
      name: 'Recent failures',
    });
    const [, failure] = within(failures).getAllByRole('row');
    const [, reply] = within(failure).getAllByRole('cell');
    expect(reply).toHaveTextContent(
      '550 5.7.26 This mail has been blocked because the sender is unauthenticated. - gsmtp' +
        'The receiver refused the mail: the sender is not authenticated (550 5.7.26). ' +
        'Publish SPF, DKIM and DMARC for the From domain.',
    );
  });

  it('counts single messages on one line instead of listing each as a mailing', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = deliverySummary({
      singleMessages: {
        since: '2025-03-03T09:45:00.000Z',
        counts: counts({ sent: 42, failed: 1 }),
      },
      hourly: hours({ 0: { sent: 40, failed: 1 }, 3: { sent: 2 } }),
    });
    await renderSummary(api);

    expect(
      await screen.findByText(
        'Single messages in the last 24 hours: 42 sent, 1 failed',
      ),
    ).toBeVisible();
    expect(screen.getByText('No mailings yet.')).toBeVisible();
    expect(screen.queryByText('No mail sent yet.')).not.toBeInTheDocument();
  });

  it('says how many single messages still wait or reached only some recipients', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = deliverySummary({
      singleMessages: {
        since: '2025-03-03T09:45:00.000Z',
        counts: counts({ sent: 3, partial: 1, queued: 1, retrying: 1 }),
      },
    });
    await renderSummary(api);

    expect(
      await screen.findByText(
        'Single messages in the last 24 hours: 3 sent, 0 failed, 1 partly sent, 2 waiting',
      ),
    ).toBeVisible();
  });

  it("charts the last 24 hours, with the totals as the chart's name and each hour's counts on its bar", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = deliverySummary({
      hourly: hours({
        0: { sent: 100, failed: 2 },
        5: { sent: 20, failed: 1 },
      }),
    });
    await renderSummary(api);

    const chart = await screen.findByRole('img', {
      name: 'Last 24 hours: 120 sent, 3 failed',
    });
    const bars = chart.querySelectorAll('g');
    expect(bars).toHaveLength(24);
    expect(bars[23].querySelector('title')).toHaveTextContent(
      /^From .*: 100 sent, 2 failed$/,
    );
    expect(bars[18].querySelector('title')).toHaveTextContent(
      /: 20 sent, 1 failed$/,
    );
    // The busiest hour fills the chart; a quiet one shows only its base line.
    const heights = (bar: Element) =>
      [...bar.querySelectorAll('rect')].map(r =>
        Number(r.getAttribute('height')),
      );
    expect(heights(bars[23])[1] + heights(bars[23])[2]).toBeCloseTo(40);
    expect(heights(bars[0])).toEqual([1, 0, 0]);
    expect(
      screen.getByText(
        (_, element) =>
          element?.tagName === 'P' &&
          element.textContent === 'Last 24 hours: 120 sent, 3 failed',
      ),
    ).toBeVisible();
  });

  it("shows that the tenant's mail is on hold, why, and when it is tried next", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = deliverySummary({
      pause: {
        server: 'custom',
        since: '2025-03-04T09:30:00.000Z',
        nextAttemptAt: '2025-03-04T09:35:00.000Z',
        failures: 3,
        reason: 'The server refused the username or password (535 5.7.3).',
        advice: 'Check SMTP.Username and enter the password again.',
        reply: { responseCode: 535, code: 'EAUTH' },
      },
    });
    await renderSummary(api);

    const notice = await screen.findByRole('status');
    expect(notice).toHaveTextContent(
      'Mail is on hold: your SMTP server is not working',
    );
    expect(notice).toHaveTextContent(
      'The server refused the username or password (535 5.7.3).',
    );
    expect(notice).not.toHaveTextContent('(535)');
    expect(notice).toHaveTextContent(
      'What to do: Check SMTP.Username and enter the password again.',
    );
    expect(notice).toHaveTextContent('tried 3 times');
    expect(notice).toHaveTextContent('at once when you fix the settings');
    const [since, next] = notice.querySelectorAll('time');
    expect(since.getAttribute('dateTime')).toBe('2025-03-04T09:30:00.000Z');
    expect(next.getAttribute('dateTime')).toBe('2025-03-04T09:35:00.000Z');
    expect(screen.getByText('No mail sent yet.')).toBeVisible();
  });

  it('says "No mail sent yet." when the tenant has sent nothing', async () => {
    await renderSummary(new FakeMailerApi(customServerSettings));

    expect(await screen.findByText('No mail sent yet.')).toBeVisible();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('says so when recent mailings had no failures', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = { ...summary, recentFailures: [] };
    await renderSummary(api);

    expect(await screen.findByText('No failed messages.')).toBeVisible();
    expect(
      screen.queryByRole('table', { name: 'Recent failures' }),
    ).not.toBeInTheDocument();
  });

  async function errorResponse(
    status: number,
    statusText: string,
    name: string,
  ) {
    return ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name, message: `${statusText} (from the server)` },
          response: { statusCode: status },
        }),
        {
          status,
          statusText,
          headers: { 'Content-Type': 'application/json' },
        },
      ),
    );
  }

  it("shows the server's error in the card", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummaryError = await errorResponse(
      500,
      'Internal Server Error',
      'Error',
    );
    await renderSummary(api);

    expect(
      await screen.findByText(/Request failed with 500 Internal Server Error/),
    ).toBeVisible();
    expect(screen.queryByText('No mail sent yet.')).not.toBeInTheDocument();
  });

  it('says plainly that the records need a permission, and does not ask for them without it', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderWithMailerApi(<DeliverySummaryCard />, api, {
      canReadDelivery: false,
    });

    expect(await screen.findByText(NO_DELIVERY_ACCESS)).toBeVisible();
    expect(api.deliverySummaryRequests).toBe(0);
    expect(
      screen.queryByRole('button', { name: 'Refresh' }),
    ).not.toBeInTheDocument();
  });

  it('says the same when the server refuses with 403', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummaryError = await errorResponse(
      403,
      'Forbidden',
      'NotAllowedError',
    );
    await renderSummary(api);

    expect(await screen.findByText(NO_DELIVERY_ACCESS)).toBeVisible();
    expect(screen.queryByText(/Request failed/)).not.toBeInTheDocument();
  });

  it('fetches the summary again on Refresh', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderSummary(api);
    await screen.findByText('No mail sent yet.');

    api.deliverySummary = summary;
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));

    const mailings = await screen.findByRole('table', {
      name: 'Recent mailings',
    });
    expect(
      within(mailings).getByText('Test message from your portal'),
    ).toBeVisible();
    expect(screen.queryByText('No mail sent yet.')).not.toBeInTheDocument();
    expect(api.deliverySummaryRequests).toBe(2);
  });

  it('refreshes itself while mail is on its way, and stops once all of it is through', async () => {
    const api = new FakeMailerApi(customServerSettings);
    const sending = (sent: number, queued: number) =>
      deliverySummary({
        campaigns: [
          {
            ...summary.campaigns[0],
            counts: counts({ sent, queued }),
          },
        ],
      });
    api.deliverySummary = sending(2, 8);
    await renderWithMailerApi(
      <DeliverySummaryCard refreshIntervalMs={50} />,
      api,
    );
    const progress = await screen.findByRole('progressbar');
    expect(progress).toHaveAttribute('aria-valuenow', '2');

    api.deliverySummary = sending(6, 4);
    await waitFor(() =>
      expect(screen.getByRole('progressbar')).toHaveAttribute(
        'aria-valuenow',
        '6',
      ),
    );

    api.deliverySummary = sending(10, 0);
    expect(
      await screen.findByText('10 sent · 0 failed · 0 waiting'),
    ).toBeVisible();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    const asked = api.deliverySummaryRequests;
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(api.deliverySummaryRequests).toBe(asked);
  });

  it('shows suppressed recipients as neither sent nor failed, and how many unsubscribed through a mailing', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = deliverySummary({
      campaigns: [
        {
          campaignId: 'c-3',
          kind: 'bulk',
          createdAt: '2025-03-04T09:30:00.000Z',
          subject: 'April news',
          list: 'news',
          counts: counts({ sent: 7, suppressed: 2, queued: 1 }),
          unsubscribes: 3,
        },
      ],
    });
    await renderSummary(api);
    const mailings = await screen.findByRole('table', {
      name: 'Recent mailings',
    });
    const [header, mailing] = within(mailings).getAllByRole('row');
    expect(header).toHaveTextContent('Unsubscribed');
    expect(
      within(mailing).getByText('7 sent · 0 failed · 1 waiting · 2 suppressed'),
    ).toBeVisible();
    expect(within(mailing).getAllByRole('cell')[3]).toHaveTextContent('3');
    expect(within(mailing).getByRole('progressbar')).toHaveAttribute(
      'aria-valuetext',
      '7 sent, 0 failed, 2 suppressed, 1 waiting, of 10',
    );
  });
});
