import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { SecretCipher } from '../crypto/SecretCipher';
import { mailerPlugin } from '../plugin';
import { secretContext } from '../service/TenantSettingsService';
import {
  CapturedOutput,
  captureHttp,
  capturingServices,
  findLeaks,
} from './capturedOutput';
import { installTestDns, TestDns, TestDnsAnswer } from './testDns';

/** A fresh encryption key per test run, as an operator would generate one. */
export const testEncryptionKey = randomBytes(32).toString('base64');

/**
 * What every test backend of this test file logged, audited and answered.
 * Checked for secrets after every test (see below) and then cleared.
 */
export const captured = new CapturedOutput();

/**
 * Every encryption key a test backend of this file was given (the standard
 * one, and those of key rotation tests), to read stored secrets back and
 * to look for the keys themselves in the output.
 */
const knownKeys = new Map<string, string>([['test-1', testEncryptionKey]]);

/** Every database a test backend of this file used, to read the stored passwords back. */
const knexes = new Set<Knex>();
const extraSecrets = new Map<string, string>();
/** Backends of the current test, stopped after it. */
const running = new Set<{ stop(): Promise<void> }>();
/** DNS answers installed by the current test, removed after it. */
const installedDns = new Set<TestDns>();

export interface MailerTestBackendOptions {
  /** The default mailbox's server. */
  defaultServer: { host: string; port: number; extra?: JsonObject };
  /** PEM certificates the mailer should trust (for STARTTLS test servers). */
  extraCaCertificates?: string[];
  /** Features to run beside the mailer plugin, e.g. permission mocks or a consumer plugin. */
  features?: BackendFeature[];
  /** `mailer.delivery` overrides; tests default to fast polling and retries. */
  delivery?: JsonObject;
  /**
   * `mailer.serverPolicy`. Test SMTP servers listen on random loopback
   * ports, so by default 127.0.0.1 is allowed on any port.
   */
  serverPolicy?: JsonObject;
  /** Reuse this database instead of a fresh one, e.g. for a second replica. */
  knex?: Knex;
  /** More of `mailer`'s config, e.g. `oauth` and `graph` endpoints on loopback. */
  config?: JsonObject;
  /**
   * Answers DNS lookups of the names a test makes up (see `installTestDns`),
   * e.g. a tenant server's name that resolves to a public address when it
   * is saved and to loopback when mail goes out. The server policy checks
   * what it answers, as it checks the system's answers.
   */
  dns?: TestDnsAnswer;
}

/** Starts a real backend with the mailer plugin on one test database. */
export async function startMailerTestBackend(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  options: MailerTestBackendOptions,
) {
  const knex = options.knex ?? (await databases.init(databaseId));
  knexes.add(knex);
  const dns = options.dns && installTestDns(options.dns);
  if (dns) installedDns.add(dns);
  const encryption = options.config?.encryption as
    { keys?: Array<{ id: string; secret: string }> } | undefined;
  for (const { id, secret } of encryption?.keys ?? [])
    knownKeys.set(id, secret);
  const defaultPassword = (options.defaultServer.extra?.auth as JsonObject)
    ?.pass;
  if (typeof defaultPassword === 'string') {
    extraSecrets.set(defaultPassword, 'the default mailbox password');
  }
  const backend = await startTestBackend({
    features: [
      mailerPlugin,
      ...capturingServices(captured),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mailer: {
            default: {
              host: options.defaultServer.host,
              port: options.defaultServer.port,
              security: 'none',
              from: 'no-reply@elixeum.cloud',
              ...options.defaultServer.extra,
            },
            encryption: { keys: [{ id: 'test-1', secret: testEncryptionKey }] },
            tls: { extraCaCertificates: options.extraCaCertificates ?? [] },
            serverPolicy: options.serverPolicy ?? {
              allowedHosts: [{ host: '127.0.0.1', ports: 'any' }],
            },
            delivery: {
              pollInterval: '50ms',
              retry: { initialDelay: '50ms', maxDelay: '200ms' },
              pause: { initialDelay: '200ms', maxDelay: '1s' },
              shutdownTimeout: '1s',
              ...options.delivery,
            },
            // Tests never ask the machine's DNS: a sender check that a test
            // does not point at its own DNS server gets no answer, at once.
            senderCheck: { dnsServers: ['127.0.0.1:9'], timeout: '1s' },
            ...options.config,
          },
        },
      }),
      ...(options.features ?? []),
    ],
  });
  captureHttp(backend.server, captured);
  // Stopped after the test if the test did not: a backend left running keeps
  // its worker and database connections (PostgreSQL has only so many).
  let stopping: Promise<void> | undefined;
  const stop = backend.stop.bind(backend);
  backend.stop = () => (stopping ??= stop());
  running.add(backend);
  return { backend, knex, server: backend.server, dns };
}

/** A cipher with every key the test backends were given. */
function testCipher(): SecretCipher {
  const keys = [...knownKeys].map(([id, secret]) => ({ id, secret }));
  return SecretCipher.fromConfig(
    new ConfigReader({ mailer: { encryption: { keys } } }),
  );
}

/** One stored secret of a tenant, decrypted, or undefined when not set. */
export async function readStoredSecret(
  knex: Knex,
  tenantId: string,
  key: string,
): Promise<string | undefined> {
  const row = await knex('mailer_settings')
    .where({ tenant_id: tenantId, setting_key: key })
    .first();
  return row
    ? testCipher().decrypt(
        { keyId: row.encryption_key_id, ciphertext: row.value },
        secretContext(tenantId, key),
      )
    : undefined;
}

/** The passwords stored in the test databases, decrypted. */
async function storedSecrets(): Promise<string[]> {
  const secrets: string[] = [];
  const cipher = testCipher();
  for (const knex of knexes) {
    let rows: any[];
    try {
      rows = await knex('mailer_settings').whereNotNull('encryption_key_id');
    } catch {
      // A database a test took apart on purpose; its secrets were checked before.
      continue;
    }
    for (const row of rows) {
      try {
        secrets.push(
          cipher.decrypt(
            { keyId: row.encryption_key_id, ciphertext: row.value },
            secretContext(row.tenant_id, row.setting_key),
          ),
        );
      } catch {
        // Under a key no test backend was given, on purpose: unreadable here too.
      }
    }
  }
  return secrets;
}

/**
 * Fails the test if the encryption key, a stored or submitted password, or
 * the default mailbox password appears in any response body, log line or
 * audit event captured so far; then starts afresh. Runs after every test of
 * every file that uses this helper.
 */
export async function expectNoSecretsLeaked(): Promise<void> {
  const secrets = new Map<string, string>(extraSecrets);
  for (const [id, secret] of knownKeys) {
    const key = Buffer.from(secret, 'base64');
    secrets.set(secret, `the encryption key ${id}`);
    secrets.set(key.toString('hex'), `the encryption key ${id} (hex)`);
    secrets.set(
      key.toString('base64url'),
      `the encryption key ${id} (base64url)`,
    );
  }
  // Short secrets too: findLeaks looks for them as whole words.
  for (const secret of await storedSecrets()) {
    secrets.set(secret, 'a stored SMTP password');
  }
  for (const secret of captured.sentSecrets) {
    if (!secrets.has(secret)) secrets.set(secret, 'a submitted SMTP password');
  }
  const leaks = findLeaks(captured.texts(), secrets);
  captured.clear();
  if (leaks.length > 0) {
    throw new Error(`Secrets leaked: ${leaks.join('; ')}`);
  }
}

/** Stops the backends a test left running: they log while they shut down. */
async function stopRunning(): Promise<void> {
  const backends = [...running];
  running.clear();
  await Promise.all(backends.map(backend => backend.stop()));
  for (const dns of installedDns) dns.restore();
  installedDns.clear();
}

/**
 * Stops every backend the test started, then checks what they said for
 * secrets, including what they logged while shutting down. Runs after every
 * test of every file that uses this helper.
 */
export async function finishTest(): Promise<void> {
  await stopRunning();
  await expectNoSecretsLeaked();
}

afterEach(finishTest);
// And what was logged after the last test's check, e.g. by a timer of a
// stopped backend.
afterAll(finishTest);
