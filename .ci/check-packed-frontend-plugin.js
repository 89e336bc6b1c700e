#!/usr/bin/env node
/*
 * Packs the frontend plugin as it would be published and checks what an app
 * installs: its Backstage frontend ranges take both the 0.18 line and the
 * 1.0 line of @backstage/frontend-plugin-api (Backstage 1.57), so an app on
 * either gets one copy; react, react-dom and react-router-dom are peers, as
 * in Backstage's own plugins; and the tarball holds the built code, the
 * config schema (config.d.ts, which Backstage's prepack turns into the
 * config.schema.json that configSchema then names) and the README, with
 * every export pointing at a file in it.
 *
 * The workspace's own lockfile stays on 0.18.1 while the registry's 60-day
 * age gate holds 1.0.0 back, so this checks the ranges, not an install.
 * Needs `yarn tsc` first (the build reads dist-types/).
 * Usage: node .ci/check-packed-frontend-plugin.js
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pluginDir = path.join(root, 'plugins/mailer');
// semver comes with Backstage's CLI, a root devDependency.
const semver = require(
  require.resolve('semver', {
    paths: [path.dirname(require.resolve('@backstage/cli/package.json'))],
  }),
);

/** Each Backstage frontend package and the versions of both lines it must take. */
const MUST_ACCEPT = {
  '@backstage/frontend-plugin-api': ['0.18.1', '1.0.0'],
};
const PEERS = ['react', 'react-dom', 'react-router-dom'];
const REQUIRED_FILES = [
  'package.json',
  'README.md',
  'dist/index.esm.js',
  'dist/index.d.ts',
];

/** The files an entry of package.json names; an exports condition such as `backstage` names a feature type, not a file. */
function entry(value) {
  if (typeof value === 'string') return value.startsWith('@') ? [] : [value];
  return Object.values(value ?? {}).flatMap(entry);
}

const problems = [];
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mailer-pack-'));
try {
  run('corepack', ['yarn', 'build'], pluginDir);
  const tarball = path.join(out, 'plugin.tgz');
  run('corepack', ['yarn', 'pack', '--out', tarball], pluginDir);
  run('tar', ['-xzf', tarball, '-C', out], out);
  const unpacked = path.join(out, 'package');
  const manifest = JSON.parse(
    fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'),
  );

  for (const [name, versions] of Object.entries(MUST_ACCEPT)) {
    const range =
      manifest.dependencies?.[name] ?? manifest.peerDependencies?.[name];
    if (!range) {
      problems.push(`${name} is not a dependency any more: update this check`);
      continue;
    }
    for (const version of versions) {
      if (!semver.satisfies(version, range)) {
        problems.push(`${name} "${range}" does not take ${version}`);
      }
    }
  }
  for (const peer of PEERS) {
    if (!manifest.peerDependencies?.[peer]) {
      problems.push(`${peer} must be a peer dependency (one copy per app)`);
    }
    if (manifest.dependencies?.[peer]) {
      problems.push(`${peer} must not be a dependency: the app brings it`);
    }
  }
  for (const [name, range] of Object.entries({
    ...manifest.dependencies,
    ...manifest.peerDependencies,
  })) {
    if (String(range).startsWith('workspace:')) {
      problems.push(`${name} is still "${range}" in the packed package.json`);
    }
  }

  if (!manifest.configSchema) {
    problems.push('the packed package.json names no configSchema');
  }
  const files = [...REQUIRED_FILES, ...entry(manifest.configSchema)];
  // Every file the packed package.json names must be in the tarball.
  files.push(...entry(manifest.main), ...entry(manifest.types));
  files.push(...entry(manifest.module), ...entry(manifest.exports));
  for (const file of new Set(files.map(f => path.normalize(f)))) {
    if (!fs.existsSync(path.join(unpacked, file))) {
      problems.push(`the tarball has no ${file}`);
    }
  }
  if (fs.existsSync(path.join(unpacked, 'src'))) {
    problems.push('the tarball holds src/: publish the built dist only');
  }
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`The packed frontend plugin is not fit to publish:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log(
  'The packed frontend plugin takes @backstage/frontend-plugin-api 0.18 and 1.0, keeps react, react-dom and react-router-dom as peers, and holds its dist, config schema and README.',
);
