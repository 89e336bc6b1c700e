import { ResponseError } from '@backstage/errors';
import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import { DeliverySummaryCard } from './DeliverySummaryCard';

const summary: DeliverySummary = {
  campaigns: [
    {
      campaignId: 'c-2',
      createdAt: '2025-03-04T09:30:00.000Z',
      createdBy: 'user:default/ada',
      subject: 'March newsletter',
      counts: { queued: 2, sending: 1, retrying: 1, sent: 9, failed: 1 },
    },
    {
      campaignId: 'c-1',
      createdAt: '2025-03-01T08:00:00.000Z',
      subject: 'Password reset',
      counts: { queued: 0, sending: 0, retrying: 0, sent: 1, failed: 0 },
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

  it("shows the server's error in the card", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummaryError = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotAllowedError', message: 'Unauthorized' },
          response: { statusCode: 403 },
        }),
        {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'Content-Type': 'application/json' },
        },
      ),
    );
    await renderSummary(api);

    expect(
      await screen.findByText(/Request failed with 403 Forbidden/),
    ).toBeVisible();
    expect(screen.getByText('Unauthorized')).toBeInTheDocument();
    expect(screen.queryByText('No mail sent yet.')).not.toBeInTheDocument();
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
