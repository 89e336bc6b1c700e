import { mockApis } from '@backstage/test-utils';
import { offeredPresets } from './configuredPresets';

describe('offeredPresets', () => {
  it("links each provider to its section of the mailer's docs on GitHub by default", () => {
    const offered = offeredPresets(mockApis.config({ data: {} }));
    expect(offered.map(o => o.docsUrl)).toEqual(
      [
        'office-365',
        'microsoft-graph',
        'google-workspace',
        'amazon-ses',
        'sendgrid',
        'mailgun',
        'mailjet',
        'other-smtp-server',
      ].map(
        anchor =>
          `https://github.com/elixeum/backstage-plugin-mailer/blob/main/docs/providers.md#${anchor}`,
      ),
    );
    expect(offered.every(o => o.problem === undefined)).toBe(true);
  });

  it('adds the portal’s own presets after them, asking for the keys they list', () => {
    const [relay] = offeredPresets(
      mockApis.config({
        data: {
          mailer: {
            presets: [
              {
                id: 'company-relay',
                title: 'Company relay',
                docsUrl: 'https://wiki.example.com/relay',
                settings: [{ key: 'SMTP.Server', value: 'relay.example.com' }],
                ask: ['SMTP.Username', 'SMTP.Password'],
              },
            ],
          },
        },
      }),
    ).slice(-1);
    expect(relay).toEqual({
      preset: {
        id: 'company-relay',
        title: 'Company relay',
        description: '',
        docsUrl: 'https://wiki.example.com/relay',
        values: { 'SMTP.Server': 'relay.example.com' },
        questions: [{ key: 'SMTP.Username' }, { key: 'SMTP.Password' }],
      },
      docsUrl: 'https://wiki.example.com/relay',
      problem: undefined,
    });
  });
});
