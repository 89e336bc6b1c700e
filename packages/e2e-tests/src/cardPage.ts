import { strictEqual } from 'node:assert';
import { join } from 'node:path';
import { findSettingKey } from '@elixeum/plugin-mailer-common';
import { Locator, Page } from 'playwright-core';
import { artifactsDir } from './paths';

/** The card names fields and menu items by each key's label in the shared catalog. */
export function labelOf(key: string): string {
  const definition = findSettingKey(key);
  if (!definition) throw new Error(`${key} is not in the setting-key catalog`);
  return definition.label;
}

export async function expectVisible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}

/** Polls until `read` gives `expected`; playwright-core has no `expect`. */
export async function eventually<T>(
  read: () => Promise<T>,
  expected: T,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual = await read();
  while (actual !== expected && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
    actual = await read();
  }
  strictEqual(actual, expected, what);
}

/**
 * The Email settings page as a person uses it: the "Outgoing email"
 * card with its fields, Add menu and buttons, and the delivery view.
 */
export class CardPage {
  constructor(private readonly page: Page) {}

  /** The card has no role of its own: it is the MUI card whose title is "Outgoing email". */
  card(): Locator {
    // Production builds suffix MUI class names (MuiCard-root-680).
    return this.page
      .locator('[class*="MuiCard-root"]')
      .filter({ has: this.page.getByText('Outgoing email', { exact: true }) });
  }

  /** The delivery view: the card titled "Email delivery". */
  deliveryCard(): Locator {
    return this.page
      .locator('[class*="MuiCard-root"]')
      .filter({ has: this.page.getByText('Email delivery', { exact: true }) });
  }

  /** The card titled "Suppressed addresses". */
  suppressionCard(): Locator {
    return this.page.locator('[class*="MuiCard-root"]').filter({
      has: this.page.getByText('Suppressed addresses', { exact: true }),
    });
  }

  field(key: string): Locator {
    return this.page.getByLabel(labelOf(key), { exact: true });
  }

  async expectValue(key: string, expected: string): Promise<void> {
    await eventually(() => this.field(key).inputValue(), expected, key);
  }

  /** Adds a key with Add, then gives it a value. */
  async add(key: string, value: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Add', exact: true }).click();
    await this.page
      .getByRole('menuitem', { name: labelOf(key), exact: true })
      .click();
    await this.set(key, value);
  }

  /** Gives a field on the card a new value. */
  async set(key: string, value: string): Promise<void> {
    const input = this.field(key);
    if (findSettingKey(key)?.type === 'choice') {
      await input.selectOption(value);
    } else {
      await input.fill(value);
    }
  }

  /** Opens "Set up a server" and chooses the provider titled `title`. */
  async chooseProvider(title: string): Promise<void> {
    await this.page
      .getByRole('button', { name: 'Set up a server', exact: true })
      .click();
    await this.page.getByRole('menuitem').filter({ hasText: title }).click();
  }

  async save(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectVisible(this.card().getByText('Settings saved.'));
  }

  async testConnection(): Promise<void> {
    await this.page.getByRole('button', { name: 'Test connection' }).click();
  }

  async sendTestEmail(to: string): Promise<void> {
    await this.page.getByLabel('Test email address').fill(to);
    await this.page.getByRole('button', { name: 'Send test email' }).click();
  }

  /** The result of the last test, as the card shows it. */
  result(text: string | RegExp): Locator {
    return this.card().getByRole('alert').filter({ hasText: text });
  }

  /** A picture of the settings card, or of `which` card, for the artifacts and the README; returns its path. */
  async screenshot(
    name: string,
    which: Locator = this.card(),
  ): Promise<string> {
    // Let ripples and fades finish, so the picture shows the settled card.
    await this.page.waitForTimeout(400);
    const path = join(artifactsDir, `${name}.png`);
    // The page scrolls inside Backstage's layout, not the document, so a
    // card taller than the window would be cut: the window grows to fit it.
    const viewport = this.page.viewportSize();
    const box = await which.first().boundingBox();
    const needed = box ? Math.ceil(box.y + box.height + 32) : 0;
    if (viewport && needed > viewport.height) {
      await this.page.setViewportSize({ ...viewport, height: needed });
    }
    try {
      await which.screenshot({ path });
    } finally {
      if (viewport) await this.page.setViewportSize(viewport);
    }
    return path;
  }
}
