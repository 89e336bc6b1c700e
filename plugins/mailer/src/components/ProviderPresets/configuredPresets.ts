import { ConfigApi as Config } from '@backstage/core-plugin-api';
import {
  findPresetProblem,
  PROVIDER_PRESETS,
  ProviderPreset,
} from '@elixeum/plugin-mailer-common';

/** Where the mailer's docs live unless `mailer.docsUrl` says otherwise. */
export const DEFAULT_DOCS_URL =
  'https://github.com/elixeum/backstage-plugin-mailer/blob/main/docs';

/** A preset the card offers, with where its setup steps are and why it cannot be used, if so. */
export interface OfferedPreset {
  preset: ProviderPreset;
  docsUrl?: string;
  /** Why a configured preset is not offered (a key or value the catalog refuses). */
  problem?: string;
}

function readConfigured(config: Config): ProviderPreset[] {
  return (config.getOptionalConfigArray('mailer.presets') ?? []).map(entry => ({
    id: entry.getString('id'),
    title: entry.getString('title'),
    description: entry.getOptionalString('description') ?? '',
    docsUrl: entry.getOptionalString('docsUrl'),
    values: Object.fromEntries(
      entry
        .getConfigArray('settings')
        .map(s => [s.getString('key'), s.getString('value')]),
    ),
    questions: (entry.getOptionalStringArray('ask') ?? []).map(key => ({
      key,
    })),
  }));
}

/**
 * The built-in providers, then the portal's own from `mailer.presets`,
 * each with the link to its setup steps (`mailer.docsUrl` + providers.md).
 */
export function offeredPresets(config: Config): OfferedPreset[] {
  const base = (
    config.getOptionalString('mailer.docsUrl') ?? DEFAULT_DOCS_URL
  ).replace(/\/+$/, '');
  return [...PROVIDER_PRESETS, ...readConfigured(config)].map(preset => ({
    preset,
    docsUrl:
      preset.docsUrl ??
      (preset.docsAnchor
        ? `${base}/providers.md#${preset.docsAnchor}`
        : undefined),
    problem: findPresetProblem(preset),
  }));
}
