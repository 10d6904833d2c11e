// apps_script/scripts/deploy.js: the service URL goes into the whitelist and Service.gs, and the
// placeholder is never pushed. Run on a copy of the add-on, never on the real files.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {spawnSync} = require('node:child_process');
const {describe, test} = require('node:test');
const {ADDON_DIR} = require('./fakes');

const SCRIPT = path.join(ADDON_DIR, 'scripts', 'deploy.js');

function copyOfTheAddon() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hive-deploy-'));
  for (const name of ['appsscript.json', 'Service.gs']) {
    fs.copyFileSync(path.join(ADDON_DIR, name), path.join(dir, name));
  }
  return dir;
}

const run = (dir, ...args) => spawnSync(process.execPath, [SCRIPT, ...args, '--dir', dir],
  {encoding: 'utf8', env: {...process.env, PATH: ''}});

describe('deploy.js', () => {
  test('writes the service URL into the whitelist and the default URL', () => {
    const dir = copyOfTheAddon();
    const done = run(dir, 'https://hive-school.uc.r.appspot.com/');
    assert.equal(done.status, 0, done.stderr);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'appsscript.json'), 'utf8'));
    assert.deepEqual(manifest.urlFetchWhitelist, ['https://hive-school.uc.r.appspot.com/']);
    assert.deepEqual(manifest.oauthScopes, JSON.parse(
      fs.readFileSync(path.join(ADDON_DIR, 'appsscript.json'), 'utf8')).oauthScopes);
    assert.match(fs.readFileSync(path.join(dir, 'Service.gs'), 'utf8'),
      /^var HIVE_DEFAULT_SERVICE_URL = 'https:\/\/hive-school\.uc\.r\.appspot\.com';$/m);
  });

  for (const bad of ['https://hive-service.example.org', 'http://hive.appspot.com',
    'https://hive.appspot.com/v1', 'hive.appspot.com']) {
    test(`refuses ${bad} and changes nothing`, () => {
      const dir = copyOfTheAddon();
      const before = fs.readFileSync(path.join(dir, 'appsscript.json'), 'utf8');
      const refused = run(dir, bad);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /^deploy: /);
      assert.equal(fs.readFileSync(path.join(dir, 'appsscript.json'), 'utf8'), before);
    });
  }

  test('--push refuses while a file still holds the placeholder', () => {
    const dir = copyOfTheAddon();
    fs.appendFileSync(path.join(dir, 'Service.gs'), "\n// see https://hive-service.example.org\n");
    const refused = run(dir, 'https://hive-school.uc.r.appspot.com', '--push');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /still holds https:\/\/hive-service\.example\.org: not pushing/);
  });

  test('--push runs clasp once nothing holds the placeholder', () => {
    const dir = copyOfTheAddon();
    const pushed = run(dir, 'https://hive-school.uc.r.appspot.com', '--push');
    // PATH is empty here, so clasp cannot be found: the script got as far as running it.
    assert.equal(pushed.status, 1);
    assert.match(pushed.stderr, /could not run clasp/);
  });
});
