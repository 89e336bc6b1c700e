import { mkdirSync, rmSync } from 'node:fs';
import { notificationSettingsScenario } from './notificationSettingsScenario';
import { artifactsDir } from './paths';
import { runSteps, StepReport } from './steps';

/** The whole run may take this long before everything is killed. */
const RUN_TIMEOUT_MS = 10 * 60_000;

async function main(): Promise<number> {
  rmSync(artifactsDir, { recursive: true, force: true });
  mkdirSync(artifactsDir, { recursive: true });

  const scenario = notificationSettingsScenario();
  process.once('exit', () => scenario.kill());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, async () => {
      console.log(
        `Interrupted (${signal}); stopping the portal and the browser`,
      );
      const grace = new Promise(resolve => setTimeout(resolve, 10_000));
      await Promise.race([scenario.cleanup(), grace]);
      process.exit(1);
    });
  }
  const report: StepReport = { passed: 0, failed: 0, notRun: 0 };
  const watchdog = setTimeout(() => {
    // The `exit` handler stops the portal; Playwright ends the browser.
    console.log(`Gave up after ${RUN_TIMEOUT_MS / 60_000} minutes`);
    console.log(`${report.passed} passed, ${report.failed + 1} failed`);
    process.exit(1);
  }, RUN_TIMEOUT_MS);

  console.log(
    'Example portal, notification settings and notifications by email, in Chromium:',
  );
  const started = Date.now();
  try {
    await runSteps(scenario.steps, {
      onFailure: () => scenario.captureFailure(),
      report,
    });
    await scenario.cleanup();
    console.log(
      `Screenshots and logs in ${artifactsDir}; ${Math.round((Date.now() - started) / 1000)} s`,
    );
    console.log(`${report.passed} passed, ${report.failed} failed`);
    return report.failed > 0 ? 1 : 0;
  } finally {
    clearTimeout(watchdog);
  }
}

main().then(
  code => process.exit(code),
  error => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
