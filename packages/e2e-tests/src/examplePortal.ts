import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ChildGroup, runToEnd } from './processes';
import { artifactsDir, backstageCli, nodeTransform, repoRoot } from './paths';

const appDir = resolve(repoRoot, 'packages/app');
const backendDir = resolve(repoRoot, 'packages/backend');

/** Builds packages/app into its dist/, which the example backend serves. */
export async function buildApp(): Promise<void> {
  await runToEnd(process.execPath, [backstageCli, 'package', 'build'], {
    cwd: appDir,
    logFile: join(artifactsDir, 'app-build.log'),
  });
}

/** A free loopback port, found by letting the OS pick one. */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('No port')),
      );
    });
  });
}

/** Fails with a plain reason when something (e.g. a running example portal) holds `port` on loopback. */
export async function assertPortFree(
  port: number,
  what: string,
): Promise<void> {
  await new Promise<void>((resolveFree, reject) => {
    const server = createServer();
    server.once('error', () =>
      reject(
        new Error(
          `127.0.0.1:${port} is in use, and ${what} needs it: stop the example portal (yarn start) first`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree()));
  });
}

/** The example backend, serving the built app, as the browser sees it. */
export interface RunningPortal {
  baseUrl: string;
  stop(): Promise<void>;
  /** For an `exit` handler: kills at once and removes its files, without waiting. */
  kill(): void;
}

async function waitUntilReady(
  baseUrl: string,
  backend: ChildGroup,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!backend.running) {
      throw new Error('The backend exited while starting');
    }
    try {
      const response = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`The backend was not ready within ${timeoutMs / 1000} s`);
}

/**
 * Starts the example backend from its sources on a free loopback port, with
 * a fresh SQLite directory and a fresh encryption key, so a run never sees
 * another run's data and never collides with a portal already running.
 */
export async function startPortal(
  /** More config on top of app-config.yaml, e.g. the test's SMTP servers. */
  extraConfig: object = {},
): Promise<RunningPortal> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const workDir = mkdtempSync(join(tmpdir(), 'mailer-e2e-'));
  const configFile = join(workDir, 'app-config.e2e.json');
  // JSON is YAML too; this goes on top of the repository's app-config.yaml.
  const config = {
    app: { baseUrl },
    backend: {
      baseUrl,
      listen: { host: '127.0.0.1', port },
      cors: { origin: baseUrl },
      database: {
        client: 'better-sqlite3',
        connection: { directory: join(workDir, 'data') },
      },
    },
    // Any free port: the scenario brings its own SMTP servers.
    mailCatcher: { port: 0 },
    ...extraConfig,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  // What `backstage-cli package start` runs, minus its file watcher: a
  // backend that fails to start exits at once instead of waiting for an edit,
  // and an edit elsewhere in the workspace cannot restart it mid-scenario.
  const backend = ChildGroup.start(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      nodeTransform,
      'src/index.ts',
      '--config',
      resolve(repoRoot, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: backendDir,
      logFile: join(artifactsDir, 'backend.log'),
      env: {
        ...process.env,
        NODE_ENV: 'development',
        MAILER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      },
    },
  );
  const stop = async () => {
    await backend.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(baseUrl, backend, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const kill = () => {
    backend.kill();
    rmSync(workDir, { recursive: true, force: true });
  };
  return { baseUrl, stop, kill };
}
