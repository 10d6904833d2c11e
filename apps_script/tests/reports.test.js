// Publish student reports (Reports.gs) and the Reteach groups server functions (Code.gs, Outcomes.gs).
'use strict';

const assert = require('node:assert/strict');
const {describe, test} = require('node:test');
const {SPREADSHEET_ID, TOKEN, loadAddon} = require('./fakes');

const FOLDER = '1dyUEebJaFnWa3Z4n0BFMVAXQ7mfUH11g';
const COUNTS = {created: 3, updated: 21, retired: 1, shared: 5, unshared: 2, folder_id: FOLDER};
const REMEMBERED = {HIVE_REPORTS_FOLDER_ID: FOLDER};

/** Drive makes folders; the service publishes with `publish` (a {status, body}). */
const google = (publish, drive = {status: 200, body: {id: 'NewFolder123456'}}) => (request) => {
  if (request.url.startsWith('https://www.googleapis.com/drive/v3/files')) return drive;
  assert.match(request.url, /\/v1\/publish$/);
  return publish;
};

describe('publishReports', () => {
  test('sends the spreadsheet and the folder id parsed out of a folder address', () => {
    for (const typed of [`https://drive.google.com/drive/folders/${FOLDER}`,
      `https://drive.google.com/drive/u/1/folders/${FOLDER}?usp=sharing`,
      `https://drive.google.com/open?id=${FOLDER}`, `  ${FOLDER} `]) {
      const {addon, requests, lock, documentProperties} = loadAddon({answer: google({status: 200, body: COUNTS})});
      const answer = addon.publishReports(typed);
      assert.equal(answer.ok, true, typed);
      assert.equal(requests.length, 1);
      const [request] = requests;
      assert.equal(request.url, 'https://hive-service.example.org/v1/publish');
      assert.equal(request.options.method, 'post');
      assert.equal(request.options.headers.Authorization, `Bearer ${TOKEN}`);
      assert.deepEqual(request.payload, {spreadsheet_id: SPREADSHEET_ID, folder_id: FOLDER});
      assert.equal(documentProperties.HIVE_REPORTS_FOLDER_ID, FOLDER, 'remembered');
      assert.equal(lock.releases, 1);
    }
  });

  test('empty uses the remembered folder', () => {
    const {addon, requests} = loadAddon({documentProperties: REMEMBERED,
      answer: google({status: 200, body: COUNTS})});
    assert.equal(addon.publishReports('').ok, true);
    assert.equal(requests.length, 1);
    assert.equal(requests[0].payload.folder_id, FOLDER);
  });

  test('empty with nothing remembered makes a folder in Drive first, as the teacher', () => {
    const {addon, requests, documentProperties, plain} = loadAddon({answer: google({status: 200, body: COUNTS})});
    const answer = plain(addon.publishReports(''));
    assert.equal(answer.ok, true);
    const [drive, publish] = requests;
    assert.equal(drive.url, 'https://www.googleapis.com/drive/v3/files?fields=id');
    assert.equal(drive.options.method, 'post');
    assert.equal(drive.options.headers.Authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(drive.payload, {name: 'Hive progress reports',
      mimeType: 'application/vnd.google-apps.folder'});
    assert.equal(publish.payload.folder_id, 'NewFolder123456');
    assert.deepEqual(answer.folder, {id: 'NewFolder123456', created: true,
      url: 'https://drive.google.com/drive/folders/NewFolder123456'});
    assert.equal(documentProperties.HIVE_REPORTS_FOLDER_ID, 'NewFolder123456');
  });

  test('a folder Drive would not make is an error and nothing is published', () => {
    const {addon, requests} = loadAddon({answer: google(null, {status: 403, body: {error: {}}})});
    const answer = addon.publishReports('');
    assert.equal(answer.error.code, 'folder_not_created');
    assert.match(answer.error.message, /403/);
    assert.equal(requests.length, 1);
  });

  test('text that is not a folder address is refused before anything is sent', () => {
    const {addon, requests} = loadAddon();
    const answer = addon.publishReports('my reports folder');
    assert.equal(answer.error.code, 'folder_url_invalid');
    assert.equal(answer.error.title, 'That is not a Drive folder\'s address');
    assert.equal(requests.length, 0);
  });

  test('folder_not_found forgets the remembered folder, so the next publish asks again', () => {
    const notFound = {status: 404, body: {error: {code: 'folder_not_found', message: 'Hive cannot find this Drive folder.'}}};
    const {addon, documentProperties} = loadAddon({documentProperties: REMEMBERED, answer: google(notFound)});
    const answer = addon.publishReports('');
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, 'folder_not_found');
    assert.equal(answer.error.title, 'Hive cannot use that Drive folder');
    assert.equal(documentProperties.HIVE_REPORTS_FOLDER_ID, undefined);
  });

  test('other errors keep the remembered folder; a busy lock sends nothing', () => {
    const limited = {status: 429, body: {error: {code: 'rate_limited', message: 'Slow down.', retry_after: 5}}};
    const {addon, documentProperties} = loadAddon({documentProperties: REMEMBERED, answer: google(limited)});
    assert.equal(addon.publishReports('').error.code, 'rate_limited');
    assert.equal(documentProperties.HIVE_REPORTS_FOLDER_ID, FOLDER);
    const busy = loadAddon({lockBusy: true, documentProperties: REMEMBERED});
    assert.equal(busy.addon.publishReports('').error.code, 'busy');
    assert.equal(busy.requests.length, 0);
  });
});

describe('Publish student reports (menu)', () => {
  test('asks for the folder, confirms, publishes and shows the counts with the folder', () => {
    const {addon, ui, requests} = loadAddon({
      prompts: [{button: 'OK', text: `https://drive.google.com/drive/folders/${FOLDER}`}],
      alertAnswers: ['YES'],
      answer: google({status: 200, body: COUNTS}),
    });
    addon.menuPublishReports();
    assert.equal(ui.prompts.length, 1);
    assert.match(ui.prompts[0].message, /leave this empty and Hive makes a folder/);
    assert.equal(ui.alerts[0].buttons, 'YES_NO');
    assert.match(ui.alerts[0].message, /read-only with their Student Email and Family Email/);
    assert.equal(requests.length, 1);
    assert.equal(ui.alerts[1].title, 'Student reports published');
    assert.match(ui.alerts[1].message, /^3 new reports, 21 reports updated, 1 report of students who left/);
    assert.match(ui.alerts[1].message, /Shared with 5 new addresses; access removed for 2 addresses\./);
    assert.match(ui.alerts[1].message, new RegExp(`drive/folders/${FOLDER}$`));
  });

  test('shows the remembered folder and uses it when the teacher just presses OK', () => {
    const {addon, ui, requests} = loadAddon({documentProperties: REMEMBERED,
      prompts: [{button: 'OK', text: ''}], alertAnswers: ['YES'], answer: google({status: 200, body: COUNTS})});
    addon.menuPublishReports();
    assert.match(ui.prompts[0].message, new RegExp(`folders/${FOLDER}`));
    assert.equal(requests[0].payload.folder_id, FOLDER);
  });

  test('cancelling the prompt or the confirmation sends nothing and makes no folder', () => {
    for (const script of [{prompts: [{button: 'CANCEL'}]}, {prompts: [{button: 'OK'}], alertAnswers: ['NO']}]) {
      const {addon, requests} = loadAddon(script);
      addon.menuPublishReports();
      assert.equal(requests.length, 0);
    }
  });

  test('a service error is explained in an alert', () => {
    const {addon, ui} = loadAddon({documentProperties: REMEMBERED, prompts: [{button: 'OK'}], alertAnswers: ['YES'],
      answer: google({status: 401, body: {error: {code: 'token_scope', message: 'Hive was not given permission to create the reports in your Google Drive.'}}})});
    addon.menuPublishReports();
    assert.equal(ui.alerts.length, 2);
    assert.equal(ui.alerts[1].title, 'Hive is missing permission to edit this spreadsheet');
    assert.match(ui.alerts[1].message, /Google Drive/);
  });

  test('a pasted address that is not a folder is explained without calling anyone', () => {
    const {addon, ui, requests} = loadAddon({prompts: [{button: 'OK', text: 'reports please'}]});
    addon.menuPublishReports();
    assert.equal(requests.length, 0);
    assert.equal(ui.alerts[0].title, 'That is not a Drive folder\'s address');
  });
});

describe('Reteach groups', () => {
  test('getOutcomes reads the Outcomes tab\'s IDs and wording', () => {
    const {addon, plain, requests} = loadAddon({tabs: {Outcomes: [
      ['Outcome ID', 'Outcome', 'Subject'], ['M1', 'I can solve one-step equations.', 'Math'],
      ['', 'a blank row'], ['M2 ', ' I can graph a line. ', 'Math'], ['M1', 'repeat']]}});
    assert.deepEqual(plain(addon.getOutcomes()), {ok: true, outcomes: [
      {id: 'M1', text: 'I can solve one-step equations.'}, {id: 'M2', text: 'I can graph a line.'}]});
    assert.equal(requests.length, 0);
  });

  test('a title row above the header, or no Outcomes tab at all', () => {
    const {addon, plain} = loadAddon({tabs: {Outcomes: [['Grade 8 math'], [], ['outcome id', 'Outcome'], ['E1', 'Read closely']]}});
    assert.deepEqual(plain(addon.getOutcomes()).outcomes, [{id: 'E1', text: 'Read closely'}]);
    assert.deepEqual(plain(loadAddon().addon.getOutcomes()), {ok: true, outcomes: []});
  });

  test('reteachGroups asks the service for one outcome\'s groups', () => {
    const groups = {outcome_id: 'M1', outcome: 'x', groups: []};
    const {addon, requests, plain} = loadAddon({answer: () => ({status: 200, body: groups})});
    assert.deepEqual(plain(addon.reteachGroups('M1')), {ok: true, data: groups});
    assert.equal(requests[0].url, 'https://hive-service.example.org/v1/groups');
    assert.equal(requests[0].options.headers.Authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(requests[0].payload, {spreadsheet_id: SPREADSHEET_ID, outcome_id: 'M1'});
  });

  test('an unknown outcome comes back as the add-on\'s words', () => {
    const {addon} = loadAddon({answer: () => ({status: 404,
      body: {error: {code: 'outcome_not_found', message: 'There is no outcome "Z9" on the Outcomes tab.'}}})});
    const answer = addon.reteachGroups('Z9');
    assert.equal(answer.error.title, 'That outcome is not on the Outcomes tab');
    assert.match(answer.error.message, /"Z9"/);
  });
});
