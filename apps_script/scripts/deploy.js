#!/usr/bin/env node
// Points the add-on at a deployed Hive service and (with --push) pushes it with clasp.
//
//   node apps_script/scripts/deploy.js https://YOUR_PROJECT.appspot.com [--push] [--dir apps_script]
//
// Writes the URL into appsscript.json's urlFetchWhitelist (the only host the add-on may fetch)
// and into Service.gs's HIVE_DEFAULT_SERVICE_URL (what the HIVE_SERVICE_URL Script Property falls
// back to), then refuses to push while either still holds the placeholder service URL.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const {spawnSync} = require('node:child_process');

const PLACEHOLDER = 'https://hive-service.example.org';
const DEFAULT_LINE = /^var HIVE_DEFAULT_SERVICE_URL = '[^']*';$/m;

function fail(message) {
  process.stderr.write(`deploy: ${message}\n`);
  process.exit(1);
}

/** The service's base URL, checked: https, a host, no path, not the placeholder. */
function serviceUrl(text) {
  let url;
  try {
    url = new URL(String(text || ''));
  } catch (err) {
    fail(`"${text}" is not a URL. Give the service's address, e.g. https://YOUR_PROJECT.appspot.com`);
  }
  if (url.protocol !== 'https:') fail('the service URL must start with https:// (Apps Script fetches https only)');
  if (url.pathname !== '/' || url.search || url.hash) fail('give the service\'s base URL, without a path');
  const base = `https://${url.host}`;
  if (base === PLACEHOLDER || url.hostname.endsWith('.example.org')) {
    fail(`${base} is the placeholder, not a deployed service (see docs/deploy.md)`);
  }
  return base;
}

function main(argv) {
  const args = argv.slice(2);
  const push = args.includes('--push');
  const at = args.indexOf('--dir');
  const dir = at >= 0 ? args[at + 1] : path.resolve(__dirname, '..');
  const given = args.filter((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1))[0];
  if (!given) fail('usage: deploy.js https://YOUR_SERVICE [--push] [--dir apps_script]');
  const base = serviceUrl(given);

  const manifestPath = path.join(dir, 'appsscript.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  manifest.urlFetchWhitelist = [`${base}/`];
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  const servicePath = path.join(dir, 'Service.gs');
  const service = fs.readFileSync(servicePath, 'utf8');
  if (!DEFAULT_LINE.test(service)) fail('Service.gs has no HIVE_DEFAULT_SERVICE_URL line to set');
  fs.writeFileSync(servicePath, service.replace(DEFAULT_LINE, `var HIVE_DEFAULT_SERVICE_URL = '${base}';`));
  process.stdout.write(`deploy: the add-on now calls ${base} (urlFetchWhitelist and Service.gs).\n` +
    'deploy: if the Script Property HIVE_SERVICE_URL is set, it must be this address too.\n');

  if (!push) return;
  for (const file of [manifestPath, servicePath]) {
    if (fs.readFileSync(file, 'utf8').includes(PLACEHOLDER)) fail(`${file} still holds ${PLACEHOLDER}: not pushing`);
  }
  const clasp = spawnSync('clasp', ['push', '--force'], {cwd: dir, stdio: 'inherit'});
  if (clasp.error) fail(`could not run clasp (${clasp.error.message}): npm install -g @google/clasp`);
  process.exit(clasp.status === null ? 1 : clasp.status);
}

main(process.argv);
