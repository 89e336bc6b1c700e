#!/usr/bin/env node
/*
 * Checks that every relative link and #anchor in the documentation resolves:
 * README.md, docs/*.md and each package's README.md. Links to this
 * repository on GitHub (REPO_URL/blob/main/<path>, as package READMEs use so
 * they work on a registry page) are checked against the files here too.
 * An anchor must match a heading as both GitHub and MkDocs make their ids,
 * so a link works on GitHub, on a registry page and in TechDocs alike.
 * Usage: node scripts/check-docs-links.js (exits 1 and lists what is broken).
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const REPO_URL = 'https://github.com/elixeum/backstage-plugin-mailer';
const REPO_FILE_PREFIXES = [`${REPO_URL}/blob/main/`, `${REPO_URL}/tree/main/`];
const REPO_RAW_PREFIX =
  'https://raw.githubusercontent.com/elixeum/backstage-plugin-mailer/main/';

function markdownFiles() {
  const files = ['README.md'];
  const inDir = (dir, pick) =>
    fs.existsSync(path.join(root, dir))
      ? fs
          .readdirSync(path.join(root, dir))
          .filter(pick)
          .map(name => path.posix.join(dir, name))
      : [];
  files.push(...inDir('docs', name => name.endsWith('.md')));
  for (const parent of ['plugins', 'packages']) {
    for (const dir of inDir(parent, () => true)) {
      if (fs.existsSync(path.join(root, dir, 'README.md'))) {
        files.push(path.posix.join(dir, 'README.md'));
      }
    }
  }
  return files;
}

/** The text without fenced code blocks and inline code, where links are not links. */
function withoutCode(text) {
  return text
    .replace(/^([ \t]*)(```|~~~)[\s\S]*?^\1\2[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');
}

/** The heading's text as both sites read it: no markup, links as their text. */
function headingText(raw) {
  return raw
    .replace(/\s+#+\s*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]/g, '')
    .trim();
}

/** GitHub's heading ids: lower case, punctuation dropped, each space a hyphen. */
function githubSlug(text) {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** MkDocs' (Python-Markdown toc) heading ids: runs of spaces and hyphens become one hyphen. */
function mkdocsSlug(text) {
  return text
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '-');
}

const anchorCache = new Map();
/** The ids a file's headings get, per site, with the suffixes repeated headings get. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const text = withoutCode(fs.readFileSync(path.join(root, file), 'utf8'));
  const github = new Set();
  const mkdocs = new Set();
  const add = (set, slug, sep) => {
    let id = slug;
    for (let n = 1; set.has(id); n++) id = `${slug}${sep}${n}`;
    set.add(id);
  };
  for (const match of text.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const heading = headingText(match[1]);
    add(github, githubSlug(heading), '-');
    add(mkdocs, mkdocsSlug(heading), '_');
  }
  for (const match of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) {
    github.add(match[1]);
    mkdocs.add(match[1]);
  }
  const anchors = { github, mkdocs };
  anchorCache.set(file, anchors);
  return anchors;
}

function linksOf(text) {
  const links = [];
  const body = withoutCode(text);
  for (const match of body.matchAll(
    /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
  )) {
    links.push(match[1]);
  }
  for (const match of body.matchAll(/^\s*\[[^\]]+\]:\s+<?(\S+?)>?(\s|$)/gm)) {
    links.push(match[1]);
  }
  for (const match of body.matchAll(
    /<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g,
  )) {
    links.push(match[1]);
  }
  return links;
}

/** The repository file a link points at, or undefined for a link to elsewhere. */
function targetOf(file, link) {
  for (const prefix of [...REPO_FILE_PREFIXES, REPO_RAW_PREFIX]) {
    if (link.startsWith(prefix)) return link.slice(prefix.length).split('#')[0];
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//')) {
    return undefined;
  }
  const [target] = link.split('#');
  if (target === '') return file;
  if (target.startsWith('/')) return target.slice(1);
  return path.posix.normalize(
    path.posix.join(path.posix.dirname(file), target),
  );
}

const problems = [];
const files = markdownFiles();
for (const file of files) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const isPackageReadme = /^(plugins|packages)\//.test(file);
  for (const link of linksOf(text)) {
    const target = targetOf(file, link);
    if (target === undefined) continue;
    const isRelative = !/^[a-z][a-z0-9+.-]*:/i.test(link);
    if (isPackageReadme && isRelative && !link.startsWith('#')) {
      problems.push(
        `${file}: ${link} is relative: a registry page cannot follow it; link to ${REPO_URL}/blob/main/… (images: ${REPO_RAW_PREFIX}…)`,
      );
      continue;
    }
    const decoded = decodeURIComponent(target.split('?')[0]);
    if (decoded.startsWith('..') || !fs.existsSync(path.join(root, decoded))) {
      problems.push(
        `${file}: ${link} points at ${decoded}, which does not exist`,
      );
      continue;
    }
    const hash = link.includes('#') ? link.slice(link.indexOf('#') + 1) : '';
    if (hash === '' || !decoded.endsWith('.md')) continue;
    const { github, mkdocs } = anchorsOf(decoded);
    if (!github.has(hash)) {
      problems.push(
        `${file}: ${link}: no heading in ${decoded} has the GitHub id #${hash}`,
      );
    } else if (decoded.startsWith('docs/') && !mkdocs.has(hash)) {
      problems.push(
        `${file}: ${link}: GitHub has #${hash} in ${decoded}, but MkDocs gives that heading another id`,
      );
    }
  }
}

if (problems.length > 0) {
  console.error(`Broken documentation links (${problems.length}):`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`Documentation links resolve (${files.length} files checked).`);
