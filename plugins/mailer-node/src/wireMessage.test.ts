import { toWireMessage } from './wireMessage';

describe('toWireMessage', () => {
  it('turns attachment bytes into base64 and leaves everything else as it is', () => {
    const wire = toWireMessage({
      to: 'a@example.com',
      subject: 'Report',
      text: 'attached',
      attachments: [
        { filename: 'a.bin', content: Uint8Array.from([0, 255, 16]) },
        { filename: 'b.txt', content: 'plain', contentType: 'text/plain' },
      ],
    });
    expect(wire).toEqual({
      to: 'a@example.com',
      subject: 'Report',
      text: 'attached',
      attachments: [
        { filename: 'a.bin', content: 'AP8Q', encoding: 'base64' },
        { filename: 'b.txt', content: 'plain', contentType: 'text/plain' },
      ],
    });
    expect(JSON.parse(JSON.stringify(wire))).toEqual(wire);
  });
});
