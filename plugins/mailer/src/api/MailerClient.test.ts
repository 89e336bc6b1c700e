import { ResponseError } from '@backstage/errors';
import { MailerClient } from './MailerClient';

function jsonResponse(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function clientAnswering(response: Response) {
  const requests: { url: string; init?: RequestInit }[] = [];
  const client = new MailerClient({
    discoveryApi: {
      getBaseUrl: async pluginId => `http://portal.test/api/${pluginId}`,
    },
    fetchApi: {
      fetch: async (input, init) => {
        requests.push({ url: String(input), init });
        return response;
      },
    },
  });
  return { client, requests };
}

const settingsResponse = {
  settings: [],
  status: { server: 'default', missingKeys: [], sender: 'portal@example.com' },
};

describe('MailerClient', () => {
  it('sends a settings change as JSON to the mailer backend', async () => {
    const { client, requests } = clientAnswering(
      jsonResponse(200, settingsResponse),
    );

    await expect(
      client.updateSettings({
        values: { 'SMTP.Port': '2525', 'SMTP.From': null },
      }),
    ).resolves.toEqual(settingsResponse);

    expect(requests).toEqual([
      {
        url: 'http://portal.test/api/mailer/settings',
        init: {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: '{"values":{"SMTP.Port":"2525","SMTP.From":null}}',
        },
      },
    ]);
  });

  it('removes a key with DELETE on its own path', async () => {
    const { client, requests } = clientAnswering(
      jsonResponse(200, settingsResponse),
    );

    await client.removeSetting('SMTP.From');

    expect(requests[0].url).toBe(
      'http://portal.test/api/mailer/settings/SMTP.From',
    );
    expect(requests[0].init?.method).toBe('DELETE');
  });

  it('reads the delivery summary with GET /delivery-summary', async () => {
    const summary = { campaigns: [], recentFailures: [] };
    const { client, requests } = clientAnswering(jsonResponse(200, summary));

    await expect(client.getDeliverySummary()).resolves.toEqual(summary);

    expect(requests).toEqual([
      {
        url: 'http://portal.test/api/mailer/delivery-summary',
        init: undefined,
      },
    ]);
  });

  it('reads the settings history with GET /settings/history', async () => {
    const history = {
      entries: [
        {
          kind: 'change',
          at: '2026-12-05T10:00:00.000Z',
          actor: 'user:default/ada',
          added: ['SMTP.Server'],
          changed: [],
          removed: [],
        },
      ],
    };
    const { client, requests } = clientAnswering(jsonResponse(200, history));

    await expect(client.getSettingsHistory()).resolves.toEqual(history);

    expect(requests).toEqual([
      {
        url: 'http://portal.test/api/mailer/settings/history',
        init: undefined,
      },
    ]);
  });

  it("throws a ResponseError that carries the server's message", async () => {
    const { client } = clientAnswering(
      jsonResponse(400, {
        error: {
          name: 'InputError',
          message:
            'Invalid settings: SMTP.Port must be a whole number from 1 to 65535',
        },
        response: { statusCode: 400 },
      }),
    );

    const error = await client
      .updateSettings({ values: { 'SMTP.Port': '0' } })
      .catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.cause.message).toBe(
      'Invalid settings: SMTP.Port must be a whole number from 1 to 65535',
    );
  });

  it('tells listeners after a save, a removal or a connection test, never after a failed one or a read', async () => {
    const answers = [
      jsonResponse(200, settingsResponse),
      jsonResponse(200, settingsResponse),
      jsonResponse(200, settingsResponse),
      jsonResponse(200, {
        outcome: 'success',
        message: 'Connected and signed in.',
        messageSent: false,
        server: 'custom',
      }),
      jsonResponse(409, {
        error: { name: 'ConflictError', message: 'Changed meanwhile' },
        response: { statusCode: 409 },
      }),
    ];
    const client = new MailerClient({
      discoveryApi: {
        getBaseUrl: async pluginId => `http://portal.test/api/${pluginId}`,
      },
      fetchApi: { fetch: async () => answers.shift()! },
    });
    const heard: string[] = [];
    const stop = client.onSettingsChanged(() => heard.push('changed'));

    await client.getSettings();
    expect(heard).toEqual([]);
    await client.updateSettings({ values: { 'SMTP.Port': '2525' } });
    expect(heard).toEqual(['changed']);
    await client.removeSetting('SMTP.From');
    await client.testConnection({ values: {} });
    expect(heard).toEqual(['changed', 'changed', 'changed']);
    await expect(
      client.updateSettings({ values: { 'SMTP.Port': '25' } }),
    ).rejects.toBeInstanceOf(ResponseError);
    expect(heard).toHaveLength(3);

    stop();
    answers.push(jsonResponse(200, settingsResponse));
    await client.updateSettings({ values: { 'SMTP.Port': '587' } });
    expect(heard).toHaveLength(3);
  });

  it('reads suppressions with the search in the query, and removes one address of one list, telling the history', async () => {
    const requests: { url: string; init?: RequestInit }[] = [];
    const client = new MailerClient({
      discoveryApi: {
        getBaseUrl: async pluginId => `http://portal.test/api/${pluginId}`,
      },
      fetchApi: {
        fetch: async (input, init) => {
          requests.push({ url: String(input), init });
          return jsonResponse(200, { items: [], total: 0, masked: false });
        },
      },
    });
    const heard: string[] = [];
    client.onSettingsChanged(() => heard.push('changed'));

    await client.listSuppressions({
      search: 'ada+news@example.com',
      offset: 50,
    });
    await client.listSuppressions();
    await client.removeSuppression({
      address: 'ada+news@example.com',
      list: 'news',
    });
    await client.removeSuppression({ address: 'bob@example.com' });

    expect(requests.map(r => [r.init?.method ?? 'GET', r.url])).toEqual([
      [
        'GET',
        'http://portal.test/api/mailer/suppressions?q=ada%2Bnews%40example.com&offset=50',
      ],
      ['GET', 'http://portal.test/api/mailer/suppressions'],
      [
        'DELETE',
        'http://portal.test/api/mailer/suppressions?address=ada%2Bnews%40example.com&list=news',
      ],
      [
        'DELETE',
        'http://portal.test/api/mailer/suppressions?address=bob%40example.com',
      ],
    ]);
    expect(heard).toEqual(['changed', 'changed']);
  });
});
