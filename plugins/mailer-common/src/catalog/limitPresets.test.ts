import { SMTP_KEYS } from './keys';
import { limitPresetForServer, sendingLimitsOf } from './limitPresets';

describe('sending limits', () => {
  const limitsOf = (values: Record<string, string>) =>
    sendingLimitsOf(new Map(Object.entries(values)));

  it("are a provider's when the tenant picks its preset", () => {
    expect(limitsOf({ [SMTP_KEYS.limitPreset]: 'exchange-online' })).toEqual({
      perMinute: 30,
      perDay: 10_000,
    });
    expect(limitsOf({ [SMTP_KEYS.limitPreset]: 'google-workspace' })).toEqual({
      perDay: 2_000,
    });
  });

  it("are the tenant's own where set, in place of the preset's", () => {
    expect(
      limitsOf({
        [SMTP_KEYS.limitPreset]: 'exchange-online',
        [SMTP_KEYS.dailyLimit]: '500',
      }),
    ).toEqual({ perMinute: 30, perDay: 500 });
    expect(limitsOf({ [SMTP_KEYS.rateLimit]: '12' })).toEqual({
      perMinute: 12,
    });
  });

  it('are none without settings, and ignore a preset the catalog does not know', () => {
    expect(limitsOf({})).toEqual({});
    expect(limitsOf({ [SMTP_KEYS.limitPreset]: 'toString' })).toEqual({});
  });

  it("are suggested from the tenant's server", () => {
    expect(limitPresetForServer('smtp.office365.com', 'smtp')).toBe(
      'exchange-online',
    );
    expect(limitPresetForServer(undefined, 'microsoft-graph')).toBe(
      'exchange-online',
    );
    expect(limitPresetForServer('smtp.gmail.com', 'smtp')).toBe(
      'google-workspace',
    );
    expect(limitPresetForServer('mail.example.com', 'smtp')).toBeUndefined();
  });
});
