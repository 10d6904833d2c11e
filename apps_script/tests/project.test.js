// The project as clasp pushes it: manifest, scopes, whitelist, and rules the sidebar must keep.
// How the sidebar behaves in a browser is tested in tests/browser/test_sidebar.py.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {describe, test} = require('node:test');
const {ADDON_DIR, loadAddon} = require('./fakes');

const read = (name) => fs.readFileSync(path.join(ADDON_DIR, name), 'utf8');
const manifest = JSON.parse(read('appsscript.json'));
const sidebar = read('Sidebar.html');
const sidebarScript = /<script>([\s\S]*)<\/script>/.exec(sidebar)[1];

describe('appsscript.json', () => {
  test('runs on V8 with exactly the four narrow scopes', () => {
    assert.equal(manifest.runtimeVersion, 'V8');
    assert.deepEqual([...manifest.oauthScopes].sort(), [
      'https://www.googleapis.com/auth/drive.file',
      'https://www.googleapis.com/auth/script.container.ui',
      'https://www.googleapis.com/auth/script.external_request',
      'https://www.googleapis.com/auth/spreadsheets',
    ]);
  });

  test('nothing of Google is whitelisted: the add-on fetches from Hive\'s service only', () => {
    // The publish job makes the reports folder itself, so the add-on no longer calls Drive.
    assert.deepEqual(manifest.urlFetchWhitelist, ['https://hive-service.example.org/']);
    for (const file of fs.readdirSync(ADDON_DIR).filter((f) => f.endsWith('.gs'))) {
      assert.doesNotMatch(read(file), /googleapis\.com\/(drive|upload)/, file);
    }
  });

  test('the default service URL is whitelisted', () => {
    const {addon} = loadAddon();
    const url = `${addon.HIVE_DEFAULT_SERVICE_URL}/v1/recompute`;
    assert.ok(manifest.urlFetchWhitelist.some((prefix) => url.startsWith(prefix)), url);
    for (const prefix of manifest.urlFetchWhitelist) {
      assert.match(prefix, /^https:\/\/[^/]+\/$/, 'Apps Script wants https and a trailing slash');
    }
  });

  test('clasp pushes the add-on only, never the tests', () => {
    const ignore = read('.claspignore').split('\n').filter((line) => line && !line.startsWith('#'));
    assert.deepEqual(ignore, ['**/**', '!appsscript.json', '!*.gs', '!*.html']);
    const example = JSON.parse(read('.clasp.json.example'));
    assert.equal(example.rootDir, '.');
  });
});

describe('Sidebar.html', () => {
  test('never turns text into HTML', () => {
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(',
      'new Function']) {
      assert.ok(!sidebar.includes(sink), `Sidebar.html uses ${sink}`);
    }
  });

  test('loads nothing from elsewhere', () => {
    assert.doesNotMatch(sidebar, /<(script|link|img)[^>]+(src|href)=/i);
  });

  test('calls only public server functions that exist in the .gs files', () => {
    const {addon} = loadAddon();
    const called = [...sidebarScript.matchAll(/callServer\('([A-Za-z_]+)'/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(called)].sort(),
      ['applyPolicy', 'checkTemplate', 'getOutcomes', 'getSidebarState', 'publishStatus',
        'recompute', 'reteachGroups', 'selectCell', 'startPublish']);
    for (const name of called) {
      assert.equal(typeof addon[name], 'function', name);
      assert.ok(!name.endsWith('_'), `${name} is private: google.script.run cannot call it`);
    }
  });

  test('announces progress and results to screen readers', () => {
    assert.match(sidebar, /id="status"[^>]*role="status"[^>]*aria-live="polite"/);
    assert.match(sidebar, /id="result"[^>]*aria-live="polite"/);
    assert.match(sidebar, /<label for="policy-picker">/);
    assert.doesNotMatch(sidebar, /<div[^>]*onclick/i, 'clickable things are buttons');
  });

  test('calls a server function with the runner as `this`, as google.script.run expects', () => {
    assert.match(sidebarScript, /runner\[name\]\.apply\(runner, args \|\| \[\]\)/);
    assert.doesNotMatch(sidebarScript, /\.apply\(null/);
  });

  test('its words for a failed google.script.run are the ones in Messages.gs', () => {
    const {addon, plain} = loadAddon();
    const advice = plain(addon.HIVE_ERROR_ADVICE);
    const own = new Function(`${/var SCRIPT_FAILURE_ADVICE = (\{[\s\S]*?\n {2}\});/.exec(sidebarScript)[1].replace(/^/, 'return ')}`)();
    for (const code of Object.keys(own)) assert.deepEqual(own[code], advice[code], code);
  });

  test('colours statuses as the sheet does', () => {
    assert.match(sidebar, /--green: #8fd1d0/);
    assert.match(sidebar, /--yellow: #fff566/);
    assert.match(sidebar, /--red: #ec9393/);
  });
});
