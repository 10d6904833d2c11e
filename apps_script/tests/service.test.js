// What the add-on sends to Hive's service, and what it does with each kind of answer.
'use strict';

const assert = require('node:assert/strict');
const {describe, test} = require('node:test');
const {SPREADSHEET_ID, TOKEN, loadAddon} = require('./fakes');

const SUMMARY = require('./data/recompute.json');
const TEMPLATE_INVALID = require('./data/template_invalid.json');

const envelope = (code, message) => ({error: {code, message}});

describe('the request', () => {
  test('recompute posts the spreadsheet id as JSON, signed with the teacher token', () => {
    const {addon, requests} = loadAddon({answer: () => ({status: 200, body: SUMMARY})});
    addon.recompute();
    assert.equal(requests.length, 1);
    const [{url, options, payload}] = requests;
    assert.equal(url, 'https://hive-service.example.org/v1/recompute');
    assert.equal(options.method, 'post');
    assert.equal(options.contentType, 'application/json');
    assert.equal(options.muteHttpExceptions, true);
    assert.equal(options.headers.Authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(payload, {spreadsheet_id: SPREADSHEET_ID, dry_run: false});
  });

  test('a dry run says so', () => {
    const {addon, requests} = loadAddon({answer: () => ({status: 200, body: SUMMARY})});
    addon.recompute({dryRun: true});
    assert.equal(requests[0].payload.dry_run, true);
  });

  test('the service URL comes from the Script Property, trailing slash or not', () => {
    const {addon, requests} = loadAddon({
      properties: {HIVE_SERVICE_URL: 'https://hive.school.example/ '},
      answer: () => ({status: 200, body: SUMMARY}),
    });
    addon.checkTemplate();
    assert.equal(requests[0].url, 'https://hive.school.example/v1/validate');
    assert.deepEqual(requests[0].payload, {spreadsheet_id: SPREADSHEET_ID});
  });

  test('the policy library is a signed GET with no body', () => {
    const {addon, requests} = loadAddon({answer: () => ({status: 200, body: []})});
    addon.getSidebarState();
    assert.equal(requests[0].url, 'https://hive-service.example.org/v1/policies');
    assert.equal(requests[0].options.method, 'get');
    assert.equal(requests[0].options.payload, undefined);
    assert.equal(requests[0].options.headers.Authorization, `Bearer ${TOKEN}`);
  });

  test('check template takes no lock: it writes nothing', () => {
    const {addon, lock} = loadAddon({lockBusy: true, answer: () => ({status: 200, body: SUMMARY})});
    assert.equal(addon.checkTemplate().ok, true);
    assert.deepEqual(lock.waits, []);
  });
});

describe('the lock', () => {
  test('recompute holds the document lock for the call and releases it', () => {
    let heldDuringCall = null;
    const loaded = loadAddon({
      answer: () => {
        heldDuringCall = loaded.lock.held;
        return {status: 200, body: SUMMARY};
      },
    });
    const answer = loaded.addon.recompute();
    assert.equal(answer.ok, true);
    assert.equal(heldDuringCall, true);
    assert.equal(loaded.lock.held, false);
    assert.equal(loaded.lock.releases, 1);
    assert.ok(loaded.lock.waits[0] > 0, 'tryLock waits a little, it does not block forever');
  });

  test('a busy lock answers "busy" without calling the service', () => {
    const {addon, requests, plain} = loadAddon({lockBusy: true});
    const answer = plain(addon.recompute());
    assert.equal(requests.length, 0);
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, 'busy');
    assert.match(answer.error.action, /wait for it to finish/i);
  });

  test('the lock is released when the service cannot be reached', () => {
    const {addon, lock} = loadAddon({
      answer: () => { throw new Error('DNS error: hive-service.example.org'); },
    });
    assert.equal(addon.recompute().error.code, 'service_unreachable');
    assert.equal(lock.held, false);
  });
});

describe('answers', () => {
  test('a 200 comes back as the summary, untouched', () => {
    const {addon, plain} = loadAddon({answer: () => ({status: 200, body: SUMMARY})});
    assert.deepEqual(plain(addon.recompute()), {ok: true, data: SUMMARY});
  });

  const failures = [
    {status: 401, code: 'token_expired', action: /reload/i},
    {status: 401, code: 'token_missing', action: /reload/i},
    {status: 401, code: 'token_invalid', action: /reload/i},
    {status: 401, code: 'token_wrong_audience', action: /set up hive/i},
    {status: 401, code: 'token_scope', action: /permissions/i},
    {status: 403, code: 'sheets_forbidden', action: /share it with you as an editor/i},
    {status: 404, code: 'spreadsheet_not_found', action: /reload/i},
    {status: 429, code: 'rate_limited', action: /wait a minute/i},
    {status: 503, code: 'sheets_unavailable', action: /nothing was written/i},
  ];
  for (const {status, code, action} of failures) {
    test(`${status} ${code} keeps the service's message and says what to do`, () => {
      const message = `The service says ${code}.`;
      const {addon, plain} = loadAddon({answer: () => ({status, body: envelope(code, message)})});
      const {ok, error} = plain(addon.recompute());
      assert.equal(ok, false);
      assert.equal(error.code, code);
      assert.equal(error.status, status);
      assert.equal(error.message, message);
      assert.match(error.action, action);
      assert.ok(error.title.length > 0);
    });
  }

  test('422 template_invalid carries every problem, each with its cell', () => {
    const {addon, plain} = loadAddon({answer: () => ({status: 422, body: TEMPLATE_INVALID})});
    const {error} = plain(addon.recompute());
    assert.equal(error.code, 'template_invalid');
    assert.deepEqual(error.problems, TEMPLATE_INVALID.error.problems);
    assert.match(error.action, /fix the cells/i);
  });

  test('an HTML error page from a proxy still gives a usable error', () => {
    const {addon, plain} = loadAddon({answer: () => ({status: 502, body: '<html>Bad Gateway</html>'})});
    const {error} = plain(addon.recompute());
    assert.equal(error.code, 'service_unreachable');
    assert.doesNotMatch(error.message, /<html>/);
  });

  test('a 503 without an envelope reads as Google being unavailable', () => {
    const {addon} = loadAddon({answer: () => ({status: 503, body: ''})});
    assert.equal(addon.recompute().error.code, 'sheets_unavailable');
  });

  test('an unknown code falls back to a generic error that keeps the message', () => {
    const {addon, plain} = loadAddon({answer: () => ({status: 500, body: envelope('kaboom', 'It broke.')})});
    const {error} = plain(addon.recompute());
    assert.equal(error.code, 'kaboom');
    assert.equal(error.message, 'It broke.');
    assert.match(error.action, /nothing was written/i);
  });

  test('UrlFetchApp throwing (not whitelisted, DNS) becomes service_unreachable', () => {
    const {addon} = loadAddon({answer: () => { throw new Error('Exception: Address unavailable'); }});
    const {error} = addon.checkTemplate();
    assert.equal(error.code, 'service_unreachable');
    assert.match(error.message, /Address unavailable/);
  });
});

describe('failures of google.script.run itself', () => {
  test('PERMISSION_DENIED is the several-accounts problem', () => {
    const {addon} = loadAddon();
    const error = addon.hiveDescribeScriptFailure({message:
      "ScriptError: We're sorry, a server error occurred while reading from storage. Error code PERMISSION_DENIED."});
    assert.equal(error.code, 'signed_in_twice');
    assert.match(error.action, /signed into one account/);
  });

  test('"Authorization is required" (a scope not granted yet) leads to re-authorising', () => {
    const {addon} = loadAddon();
    const error = addon.hiveDescribeScriptFailure({message:
      'ScriptError: Authorization is required to perform that action.'});
    assert.equal(error.code, 'authorization_required');
    assert.match(error.action, /accept what Google asks/);
    assert.doesNotMatch(error.action, /more than one Google account/);
  });

  test('anything else is a generic failure that keeps the text', () => {
    const {addon} = loadAddon();
    const error = addon.hiveDescribeScriptFailure(new Error('Exceeded maximum execution time'));
    assert.equal(error.code, 'service_error');
    assert.equal(error.message, 'Exceeded maximum execution time');
  });
});
