import { countsText, replyText } from './deliveryText';

describe('countsText', () => {
  it('adds queued, sending and retrying up as waiting', () => {
    expect(
      countsText({ queued: 2, sending: 1, retrying: 3, sent: 9, failed: 1 }),
    ).toBe('9 sent · 1 failed · 6 waiting');
  });

  it('reads a missing state as none', () => {
    expect(countsText({ sent: 4 })).toBe('4 sent · 0 failed · 0 waiting');
  });
});

describe('replyText', () => {
  it('joins code, text and the error code', () => {
    expect(
      replyText({
        responseCode: 550,
        response: '5.1.1 User unknown',
        code: 'EENVELOPE',
      }),
    ).toBe('550 5.1.1 User unknown (EENVELOPE)');
  });

  it('falls back to the error code when no reply came', () => {
    expect(replyText({ code: 'ECONNECTION' })).toBe('ECONNECTION');
  });

  it('is empty without a reply', () => {
    expect(replyText(undefined)).toBe('');
  });
});
