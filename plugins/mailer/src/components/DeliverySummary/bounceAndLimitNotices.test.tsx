import { screen, waitFor } from '@testing-library/react';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import { deliverySummary } from '../../__testUtils__/deliverySummaries';
import { DeliverySummaryCard } from './DeliverySummaryCard';

async function renderSummary(api: FakeMailerApi) {
  await renderWithMailerApi(<DeliverySummaryCard />, api);
}

describe('the delivery view', () => {
  it("says mail waits for the day's sending limit, and until when, without calling it a failure", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = deliverySummary({
      pause: {
        server: 'custom',
        since: '2026-12-06T09:00:00.000Z',
        nextAttemptAt: '2026-12-07T08:12:00.000Z',
        failures: 1,
        reason:
          "The day's limit of 10,000 recipients through portal@example.com is used up: mail waits until 2026-12-07T08:12:00.000Z, when the first of them are 24 hours old.",
        advice: 'Nothing failed and nothing is lost.',
        reply: { code: 'EDAYLIMIT' },
      },
    });
    await renderSummary(api);

    const notice = await screen.findByRole('status');
    expect(notice).toHaveTextContent(
      "Mail is on hold: the day's sending limit is used up",
    );
    expect(notice).toHaveTextContent("The day's limit of 10,000 recipients");
    expect(notice).toHaveTextContent('Nothing failed and nothing is lost.');
    expect(notice).not.toHaveTextContent('not working');
    expect(notice.querySelector('time')?.getAttribute('datetime')).toBe(
      '2026-12-07T08:12:00.000Z',
    );
  });

  it('shows the bounce reports that matched no message, with why, and nothing while there are none', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.bounceReports = {
      items: [
        {
          id: 'r-2',
          receivedAt: '2026-12-06T09:14:00.000Z',
          outcome: 'unmatched',
          reason:
            'No message 0f7d8e3c-2a6b-4c1d-9e8f-1a2b3c4d5e6f in the outbox',
          reportingMta: 'mx.example.org',
          recipients: [
            { address: 'gone@example.org', action: 'failed', status: '5.1.1' },
          ],
        },
        {
          id: 'r-1',
          receivedAt: '2026-12-06T08:00:00.000Z',
          outcome: 'unreadable',
          reason: 'not a delivery status notification',
          recipients: [],
        },
      ],
      unmatched: 2,
      masked: false,
    };
    await renderSummary(api);

    const line = await screen.findByText('2 bounce reports matched no message');
    const alert = line.closest('[role="status"]')!;
    expect(alert).toHaveTextContent(
      'from mx.example.org about gone@example.org (5.1.1): No message 0f7d8e3c-2a6b-4c1d-9e8f-1a2b3c4d5e6f in the outbox',
    );
    expect(alert).toHaveTextContent(': not a delivery status notification');
  });

  it('says nothing of bounce reports when every one matched its message', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.bounceReports = {
      items: [
        {
          id: 'r-1',
          receivedAt: '2026-12-06T08:00:00.000Z',
          outcome: 'matched',
          messageId: 'm-1',
          recipients: [{ address: 'gone@example.org', action: 'failed' }],
        },
      ],
      unmatched: 0,
      masked: false,
    };
    await renderSummary(api);
    await screen.findByText(/No mail sent yet|Recent mailings/);
    await waitFor(() =>
      expect(screen.queryByText(/matched no message/)).not.toBeInTheDocument(),
    );
  });
});
