import { ResponseError } from '@backstage/errors';
import { SenderCheckResult } from '@elixeum/plugin-mailer-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';
import { senderCheckResult } from '../../__testUtils__/senderChecks';

/** The line of one check in the list. */
function checkLine(name: string) {
  return within(screen.getByRole('list', { name: 'Sender check' })).getByRole(
    'listitem',
    { name: `${name} check` },
  );
}

async function deliverability() {
  return screen.findByRole('status', { name: 'Deliverability' });
}

describe('the sender check in the card', () => {
  it('checks the saved sender when the card opens, and says "Ready for bulk mail" when SPF, DKIM and DMARC pass and align', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);

    expect(await deliverability()).toHaveTextContent(
      'Ready for bulk mail (portal@example.com)',
    );
    expect(api.senderCheckRequests).toEqual([{}]);
    for (const name of [
      'Sender address',
      'SPF',
      'DKIM',
      'DMARC',
      'Alignment',
    ]) {
      expect(checkLine(name)).toHaveTextContent(new RegExp(`^Pass ${name}:`));
    }
  });

  it('shows each outcome on its own line, with the record to publish, and what bulk mail misses in order of importance', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.senderCheck = senderCheckResult({
      alignment: {
        status: 'fail',
        message: 'Neither DKIM nor SPF authenticates example.com itself.',
      },
      dmarc: {
        status: 'pass',
        message: 'DMARC p=none at _dmarc.example.com.',
        advice: 'p=none only asks for reports.',
      },
      dkim: {
        status: 'unchecked',
        message:
          'Could not read the DKIM records of example.com: the DNS did not answer.',
      },
      spf: {
        status: 'fail',
        message: 'example.com has 2 SPF records.',
        advice: 'Replace them with one record.',
        record: {
          name: 'example.com',
          type: 'TXT',
          value:
            'v=spf1 include:spf.protection.outlook.com ip4:203.0.113.7 -all',
        },
      },
      sender: {
        status: 'warn',
        message:
          'news@example.com is not the mailbox portal@example.com logs in as.',
      },
    });
    await renderCard(api);

    expect(await deliverability()).toHaveTextContent(
      'Not ready for bulk mail: no valid SPF record; DKIM could not be checked; the From domain is not aligned with DKIM or SPF',
    );
    expect(checkLine('Sender address')).toHaveTextContent(
      'Warning Sender address: news@example.com is not the mailbox portal@example.com logs in as.',
    );
    const spf = checkLine('SPF');
    expect(spf).toHaveTextContent('Fail SPF: example.com has 2 SPF records.');
    expect(spf).toHaveTextContent('Replace them with one record.');
    expect(
      within(spf).getByLabelText('TXT record to publish'),
    ).toHaveTextContent(
      'example.com TXT v=spf1 include:spf.protection.outlook.com ip4:203.0.113.7 -all',
    );
    expect(checkLine('DKIM')).toHaveTextContent(
      'Not checked DKIM: Could not read the DKIM records of example.com',
    );
    expect(checkLine('DMARC')).toHaveTextContent(
      'Pass DMARC: DMARC p=none at _dmarc.example.com.p=none only asks for reports.',
    );
    expect(checkLine('Alignment')).toHaveTextContent('Fail Alignment:');
  });

  it('names a missing DMARC record and the record to publish', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.senderCheck = senderCheckResult({
      dmarc: {
        status: 'fail',
        message: 'example.com has no DMARC record.',
        advice: 'Publish the TXT record _dmarc.example.com: v=DMARC1; p=none',
        record: {
          name: '_dmarc.example.com',
          type: 'TXT',
          value: 'v=DMARC1; p=none',
        },
      },
    });
    await renderCard(api);

    expect(await deliverability()).toHaveTextContent(
      'Not ready for bulk mail: no valid DMARC record',
    );
    expect(
      within(checkLine('DMARC')).getByLabelText('TXT record to publish'),
    ).toHaveTextContent('_dmarc.example.com TXT v=DMARC1; p=none');
  });

  it('checks the edited sender with every connection test, and afresh on "Check sender"', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.senderCheck = request =>
      senderCheckResult(
        {},
        request.values?.['SMTP.From'] ?? 'portal@example.com',
      );
    await renderCard(api);
    await deliverability();

    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    await userEvent.click(
      within(screen.getByRole('menu')).getByRole('menuitem', {
        name: 'Sender address',
      }),
    );
    await userEvent.type(
      screen.getByLabelText('Sender address'),
      'news@example.com',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );

    await waitFor(() =>
      expect(api.senderCheckRequests).toEqual([
        {},
        { values: { 'SMTP.From': 'news@example.com' } },
      ]),
    );
    expect(await deliverability()).toHaveTextContent('(news@example.com)');

    await userEvent.click(screen.getByRole('button', { name: 'Check sender' }));
    await waitFor(() =>
      expect(api.senderCheckRequests[2]).toEqual({
        values: { 'SMTP.From': 'news@example.com' },
        refresh: true,
      }),
    );
  });

  it('shows only the answer to the latest check, whichever arrives first', async () => {
    const api = new FakeMailerApi(customServerSettings);
    const answers: Array<(result: SenderCheckResult) => void> = [];
    api.senderCheck = () => new Promise(resolve => answers.push(resolve));
    await renderCard(api);
    await waitFor(() => expect(answers).toHaveLength(1));

    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );
    await waitFor(() => expect(answers).toHaveLength(2));
    answers[1](senderCheckResult({}, 'new@example.com'));
    expect(await deliverability()).toHaveTextContent('(new@example.com)');
    answers[0](senderCheckResult({}, 'old@example.com'));
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(await deliverability()).toHaveTextContent('(new@example.com)');
  });

  it("shows the server's refusal of a check", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.senderCheckError = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'InputError', message: 'Invalid settings: SMTP.From' },
          response: { statusCode: 400 },
        }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    await renderCard(api);

    expect(
      await screen.findByText('Invalid settings: SMTP.From'),
    ).toBeVisible();
    expect(
      screen.queryByRole('status', { name: 'Deliverability' }),
    ).not.toBeInTheDocument();
  });
});
