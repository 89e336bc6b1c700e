import { SuppressedAddress } from '@elixeum/plugin-mailer-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import { SettingsHistoryCard } from '../SettingsHistory';
import {
  NO_SUPPRESSION_ACCESS,
  SUPPRESSION_PAGE_SIZE,
  SuppressedAddressesCard,
} from './SuppressedAddressesCard';

const ada: SuppressedAddress = {
  address: 'ada@example.com',
  list: 'news',
  reason: 'unsubscribed',
  since: '2025-03-04T09:30:00.000Z',
  campaignId: 'c-1',
};
const gone: SuppressedAddress = {
  address: 'gone@example.com',
  reason: 'hard-bounce',
  since: '2025-03-03T08:00:00.000Z',
};

function apiWith(suppressions: SuppressedAddress[]) {
  const api = new FakeMailerApi(customServerSettings);
  api.suppressions = suppressions;
  return api;
}

async function rows() {
  const table = await screen.findByRole('table', {
    name: 'Suppressed addresses',
  });
  return within(table).getAllByRole('row').slice(1);
}

describe('SuppressedAddressesCard', () => {
  it('lists each address with what it no longer gets and why', async () => {
    await renderWithMailerApi(
      <SuppressedAddressesCard />,
      apiWith([ada, gone]),
    );
    const [first, second] = await rows();
    expect(first).toHaveTextContent('ada@example.com');
    expect(first).toHaveTextContent('the list news');
    expect(first).toHaveTextContent('unsubscribed');
    expect(second).toHaveTextContent('gone@example.com');
    expect(second).toHaveTextContent('all mail');
    expect(second).toHaveTextContent('bounced (address does not exist)');
    expect(screen.getByText('1–2 of 2')).toBeInTheDocument();
  });

  it('searches the addresses from the first page', async () => {
    const api = apiWith([ada, gone]);
    await renderWithMailerApi(<SuppressedAddressesCard />, api);
    await rows();

    await userEvent.type(
      screen.getByRole('textbox', { name: 'Search addresses' }),
      'GONE',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));

    await waitFor(async () => expect(await rows()).toHaveLength(1));
    expect((await rows())[0]).toHaveTextContent('gone@example.com');
    expect(api.suppressionRequests.at(-1)).toEqual({
      search: 'GONE',
      offset: 0,
    });

    await userEvent.clear(
      screen.getByRole('textbox', { name: 'Search addresses' }),
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Search addresses' }),
      'nobody{Enter}',
    );
    expect(
      await screen.findByText('No suppressed address matches "nobody".'),
    ).toBeInTheDocument();
  });

  it('removes an address only once it is confirmed, and the history hears of it', async () => {
    const api = apiWith([ada, gone]);
    await renderWithMailerApi(
      <>
        <SuppressedAddressesCard />
        <SettingsHistoryCard />
      </>,
      api,
    );
    await rows();
    const historyReads = api.settingsHistoryRequests;

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Remove gone@example.com (all mail)',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Send mail to gone@example.com again?');
    expect(dialog).toHaveTextContent('harms your sender reputation');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.removedSuppressions).toEqual([]);

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Remove ada@example.com (the list news)',
      }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Remove',
      }),
    );
    await waitFor(async () => expect(await rows()).toHaveLength(1));
    expect(api.removedSuppressions).toEqual([
      { address: 'ada@example.com', list: 'news' },
    ]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() =>
      expect(api.settingsHistoryRequests).toBeGreaterThan(historyReads),
    );
  });

  it('keeps the dialog open and says why when the removal fails', async () => {
    const api = apiWith([ada]);
    api.removeSuppression = async () => {
      throw new Error('That address is not on the suppression list');
    };
    await renderWithMailerApi(<SuppressedAddressesCard />, api);
    await rows();
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Remove ada@example.com (the list news)',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Remove' }),
    );
    expect(
      await within(dialog).findByText(
        'That address is not on the suppression list',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    expect(await rows()).toHaveLength(1);
  });

  it('pages through a long list', async () => {
    const many = Array.from(
      { length: SUPPRESSION_PAGE_SIZE + 3 },
      (_, i): SuppressedAddress => ({ ...ada, address: `r${i}@example.com` }),
    );
    const api = apiWith(many);
    await renderWithMailerApi(<SuppressedAddressesCard />, api);
    expect(await rows()).toHaveLength(SUPPRESSION_PAGE_SIZE);
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(async () => expect(await rows()).toHaveLength(3));
    expect(
      screen.getByText(
        `${SUPPRESSION_PAGE_SIZE + 1}–${SUPPRESSION_PAGE_SIZE + 3} of ${
          SUPPRESSION_PAGE_SIZE + 3
        }`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
  });

  it('shows masked addresses without search or removal to who may only read delivery records', async () => {
    const api = apiWith([ada]);
    api.suppressionsMasked = true;
    await renderWithMailerApi(<SuppressedAddressesCard />, api, {
      canManage: false,
    });
    const [row] = await rows();
    expect(row).toHaveTextContent('a***@example.com');
    expect(
      screen.queryByRole('textbox', { name: 'Search addresses' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /^Remove/ }),
    ).not.toBeInTheDocument();
  });

  it('says which permission is missing, and asks for nothing, without the read permission', async () => {
    const api = apiWith([ada]);
    await renderWithMailerApi(<SuppressedAddressesCard />, api, {
      canReadDelivery: false,
    });
    expect(await screen.findByText(NO_SUPPRESSION_ACCESS)).toBeInTheDocument();
    expect(api.suppressionRequests).toEqual([]);
  });
});
