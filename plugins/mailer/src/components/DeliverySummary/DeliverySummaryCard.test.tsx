import { ResponseError } from '@backstage/errors';
import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import { DeliverySummaryCard, NO_DELIVERY_ACCESS } from './DeliverySummaryCard';

const summary: DeliverySummary = {
  campaigns: [
    {
      campaignId: 'c-2',
      createdAt: '2025-03-04T09:30:00.000Z',
      createdBy: 'user:default/ada',
      subject: 'March newsletter',
      counts: {
        queued: 2,
        sending: 1,
        retrying: 1,
        sent: 9,
        partial: 0,
        failed: 1,
      },
    },
    {
      campaignId: 'c-1',
      createdAt: '2025-03-01T08:00:00.000Z',
      subject: 'Password reset',
      counts: {
        queued: 0,
        sending: 0,
        retrying: 0,
        sent: 1,
        partial: 0,
        failed: 0,
      },
    },
  ],
  recentFailures: [
    {
      id: 'd-7',
      campaignId: 'c-2',
      recipients: ['gone@customer.example', 'cc@customer.example'],
      reply: {
        responseCode: 550,
        response: '5.1.1 User unknown',
        code: 'EENVELOPE',
      },
      failedAt: '2025-03-04T09:31:00.000Z',
    },
  ],
};

function renderSummary(api: FakeMailerApi) {
  return renderWithMailerApi(<DeliverySummaryCard />, api);
}

describe('DeliverySummaryCard', () => {
  it('lists recent mailings with their counts, and failures with the server reply', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = summary;
    await renderSummary(api);

    const mailings = await screen.findByRole('table', {
      name: 'Recent mailings',
    });
    const [, newsletter, reset] = within(mailings).getAllByRole('row');
    expect(within(newsletter).getByText('March newsletter')).toBeVisible();
    expect(
      within(newsletter).getByText('9 sent · 1 failed · 4 waiting'),
    ).toBeVisible();
    expect(newsletter.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2025-03-04T09:30:00.000Z',
    );
    expect(within(reset).getByText('Password reset')).toBeVisible();
    expect(
      within(reset).getByText('1 sent · 0 failed · 0 waiting'),
    ).toBeVisible();

    const failures = screen.getByRole('table', { name: 'Recent failures' });
    const [, failure] = within(failures).getAllByRole('row');
    expect(
      within(failure).getByText('gone@customer.example, cc@customer.example'),
    ).toBeVisible();
    expect(within(failure).getByText('March newsletter')).toBeVisible();
    expect(
      within(failure).getByText('550 5.1.1 User unknown (EENVELOPE)'),
    ).toBeVisible();
    expect(failure.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2025-03-04T09:31:00.000Z',
    );
  });

  it("shows that the tenant's mail is on hold, why, and when it is tried next", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = {
      campaigns: [],
      recentFailures: [],
      pause: {
        server: 'custom',
        since: '2025-03-04T09:30:00.000Z',
        nextAttemptAt: '2025-03-04T09:35:00.000Z',
        failures: 3,
        reason: 'The server refused the username or password (535 5.7.3).',
        reply: { responseCode: 535, code: 'EAUTH' },
      },
    };
    await renderSummary(api);

    const notice = await screen.findByRole('status');
    expect(notice).toHaveTextContent(
      'Mail is on hold: your SMTP server is not working',
    );
    expect(notice).toHaveTextContent(
      'The server refused the username or password (535 5.7.3). (535 (EAUTH))',
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
    expect(within(mailings).getByText('March newsletter')).toBeVisible();
    expect(screen.queryByText('No mail sent yet.')).not.toBeInTheDocument();
    expect(api.deliverySummaryRequests).toBe(2);
  });
});
