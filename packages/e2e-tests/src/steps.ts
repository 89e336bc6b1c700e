/** One named check of a scenario; later steps build on earlier ones. */
export interface Step {
  name: string;
  run: () => Promise<void>;
}

/** How a scenario went: each step passed or failed, or never ran after a failure. */
export interface StepReport {
  passed: number;
  failed: number;
  notRun: number;
}

/** Playwright appends the browser's whole log to some errors; the start is what matters. */
const MAX_ERROR_LINES = 25;

function describeError(error: unknown): string[] {
  const text =
    error instanceof Error ? (error.stack ?? error.message) : String(error);
  const lines = text.split('\n');
  if (lines.length <= MAX_ERROR_LINES) return lines;
  return [
    ...lines.slice(0, MAX_ERROR_LINES),
    `… ${lines.length - MAX_ERROR_LINES} more lines`,
  ];
}

/**
 * Runs the steps in order and prints one line each. The steps of a browser
 * scenario depend on each other, so the first failure ends the run.
 */
export async function runSteps(
  steps: readonly Step[],
  options: {
    onFailure?: (step: Step) => Promise<void>;
    /** Counted into as the steps run, so a watchdog can tell how far they got. */
    report?: StepReport;
  } = {},
): Promise<StepReport> {
  const report = options.report ?? { passed: 0, failed: 0, notRun: 0 };
  for (const [index, step] of steps.entries()) {
    if (report.failed > 0) {
      report.notRun = steps.length - index;
      console.log(
        `  - not run after the failure: ${steps
          .slice(index)
          .map(s => s.name)
          .join('; ')}`,
      );
      break;
    }
    const started = Date.now();
    try {
      await step.run();
      report.passed += 1;
      console.log(`  ✓ ${step.name} (${Date.now() - started} ms)`);
    } catch (error) {
      report.failed += 1;
      console.log(`  ✗ ${step.name} (${Date.now() - started} ms)`);
      console.log(
        describeError(error)
          .map(line => `      ${line}`)
          .join('\n'),
      );
      await options
        .onFailure?.(step)
        .catch(captureError =>
          console.log(`      (could not record the failure: ${captureError})`),
        );
    }
  }
  return report;
}
