import { countsText, replyText, singleMessagesText } from './deliveryText';

describe('countsText', () => {
  it('adds queued, sending and retrying up as waiting', () => {
    expect(
      countsText({ queued: 2, sending: 1, retrying: 3, sent: 9, failed: 1 }),
    ).toBe('9 sent · 1 failed · 6 waiting');
  });

  it('says how many were suppressed, when some were', () => {
    expect(countsText({ sent: 8, suppressed: 2 })).toBe(
      '8 sent · 0 failed · 0 waiting · 2 suppressed',
    );
  });

  it('reads a missing state as none', () => {
    expect(countsText({ sent: 4 })).toBe('4 sent · 0 failed · 0 waiting');
  });
});

describe('replyText', () => {
  it("says the reply code once, without nodemailer's code", () => {
    expect(
      replyText({
        responseCode: 550,
        response: '550 5.1.1 <gone@customer.example>: User unknown',
        code: 'EENVELOPE',
      }),
    ).toBe('550 5.1.1 <gone@customer.example>: User unknown');
  });

  it('falls back to the error code when no reply came', () => {
    expect(replyText({ code: 'ECONNECTION' })).toBe('ECONNECTION');
  });

  it('is empty without a reply', () => {
    expect(replyText(undefined)).toBe('');
  });
});

describe('singleMessagesText', () => {
  it('says sent and failed, and the others only when there are some', () => {
    expect(singleMessagesText({ sent: 42, failed: 1 })).toBe(
      '42 sent, 1 failed',
    );
    expect(
      singleMessagesText({ sent: 1, partial: 2, queued: 1, sending: 1 }),
    ).toBe('1 sent, 0 failed, 2 partly sent, 2 waiting');
    expect(singleMessagesText({ sent: 3, suppressed: 1 })).toBe(
      '3 sent, 0 failed, 1 suppressed',
    );
  });
});
