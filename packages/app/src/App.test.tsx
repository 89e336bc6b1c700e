import { render, screen } from '@testing-library/react';

describe('App', () => {
  it('offers guest sign-in', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test portal' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };
    // Loaded after APP_CONFIG is set: the app reads its config on creation.
    const { default: App } = await import('./App');

    render(<App />);

    expect(await screen.findByText('Guest')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Enter' })).toBeInTheDocument();
    // The first run transforms the whole app for Jest, which takes a while on a cold cache.
  }, 90_000);
});
