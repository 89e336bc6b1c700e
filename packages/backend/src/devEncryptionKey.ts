import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const KEY_FILE = resolvePackagePath('backend', '.mailer-dev-key');

/**
 * For local development only: makes sure MAILER_ENCRYPTION_KEY is set, so the
 * example portal starts on a fresh machine. The key is generated once into a
 * git-ignored file. Production never gets here: it must configure its own key,
 * and the mailer refuses to start without one.
 */
export function provideDevEncryptionKey(): void {
  if (
    process.env.MAILER_ENCRYPTION_KEY ||
    process.env.NODE_ENV === 'production'
  ) {
    return;
  }
  if (!existsSync(KEY_FILE)) {
    writeFileSync(KEY_FILE, randomBytes(32).toString('base64'), {
      mode: 0o600,
    });
    console.warn(
      `[mailer] Generated a development encryption key in ${KEY_FILE}. ` +
        'Never use it in production: set MAILER_ENCRYPTION_KEY there instead.',
    );
  }
  process.env.MAILER_ENCRYPTION_KEY = readFileSync(KEY_FILE, 'utf8').trim();
}
