import { resolve } from 'node:path';

/** The root of the workspace. */
// This script only ever runs from its sources, so __dirname is where it looks.
// eslint-disable-next-line no-restricted-syntax
export const repoRoot = resolve(__dirname, '../../..');

/** Screenshots and logs of the last run (git-ignored). */
export const artifactsDir = resolve(repoRoot, 'e2e-artifacts');

/** The Backstage CLI, run with this Node rather than through a package manager. */
export const backstageCli = require.resolve('@backstage/cli/bin/backstage-cli');

/** The CLI's TypeScript loader for Node, which `backstage-cli package start` uses too. */
export const nodeTransform =
  require.resolve('@backstage/cli/config/nodeTransform.cjs');
