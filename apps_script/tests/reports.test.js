// Publish student reports (Reports.gs) and the Reteach groups server functions (Code.gs, Outcomes.gs).
'use strict';

const assert = require('node:assert/strict');
const {describe, test} = require('node:test');
const {SPREADSHEET_ID, TOKEN, loadAddon} = require('./fakes');

const FOLDER = '1dyUEebJaFnWa3Z4n0BFMVAXQ7mfUH11g';
const REMEMBERED = {HIVE_REPORTS_FOLDER_ID: FOLDER};
const JOB_KEY = `HIVE_PUBLISH_JOB_${SPREADSHEET_ID}`;
const QUEUED = {id: `${SPREADSHEET_ID}.42`, kind: 'publish', state: 'queued', done: 0, total: 96,
  message: 'Publishing reports: 0 of 96'};
const RUNNING = {...QUEUED, state: 'running', done: 35};
const DONE = {...QUEUED, state: 'done', done: 96,
  message: 'Published 96 reports: 96 new, 0 updated; shared with 150 new addresses.',
  result: {folder_id: 'MadeByTheJob123', students: 96, created: 96, updated: 0, retired: 0,
    shared: 150, unshared: 0}};

/** The service: POST /v1/publish answers `started`; GET /v1/jobs/<id> answers `job`. */
const service = ({started = {status: 202, body: {job: QUEUED}}, job = {status: 200, body: {job: RUNNING}}} = {}) =>
  (request) => {
    assert.doesNotMatch(request.url, /googleapis/, 'the add-on never calls Drive itself');
    if (request.url.endsWith('/v1/publish')) return started;
    assert.match(request.url, /\/v1\/jobs\//);
    return job;
  };

describe('startPublish', () => {
  test('sends the spreadsheet and the folder id parsed out of a folder address', () => {
    for (const typed of [`https://drive.google.com/drive/folders/${FOLDER}`,
      `https://drive.google.com/drive/u/1/folders/${FOLDER}?usp=sharing`,
      `https://drive.google.com/open?id=${FOLDER}`, `  ${FOLDER} `]) {
      const {addon, requests, userProperties, plain} = loadAddon({answer: service()});
      const answer = plain(addon.startPublish(typed));
      assert.equal(answer.ok, true, typed);
      assert.equal(requests.length, 1);
      const [request] = requests;
      assert.equal(request.url, 'https://hive-service.example.org/v1/publish');
      assert.equal(request.options.method, 'post');
      assert.equal(request.options.headers.Authorization, `Bearer ${TOKEN}`);
      assert.deepEqual(request.payload, {spreadsheet_id: SPREADSHEET_ID, folder_id: FOLDER});
      assert.deepEqual(answer.job, QUEUED);
      assert.equal(answer.line, 'Publishing reports: 0 of 96');
      assert.equal(userProperties[JOB_KEY], QUEUED.id, 'the job is remembered for a reopened sidebar');
    }
  });

  test('empty uses the remembered folder', () => {
    const {addon, requests} = loadAddon({documentProperties: REMEMBERED, answer: service()});
    assert.equal(addon.startPublish('').ok, true);
    assert.equal(requests[0].payload.folder_id, FOLDER);
  });

  test('empty with nothing remembered sends no folder: the job makes it, not the add-on', () => {
    const {addon, requests} = loadAddon({answer: service()});
    assert.equal(addon.startPublish('').ok, true);
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0].payload, {spreadsheet_id: SPREADSHEET_ID});
  });

  test('text that is not a folder address is refused before anything is sent', () => {
    const {addon, requests} = loadAddon();
    const answer = addon.startPublish('my reports folder');
    assert.equal(answer.error.code, 'folder_url_invalid');
    assert.equal(requests.length, 0);
  });

  test('folder_not_found forgets the remembered folder, so the next publish asks again', () => {
    const notFound = {status: 404, body: {error: {code: 'folder_not_found', message: 'Hive cannot find this Drive folder.'}}};
    const {addon, documentProperties, userProperties} = loadAddon({documentProperties: REMEMBERED,
      answer: service({started: notFound})});
    const answer = addon.startPublish('');
    assert.equal(answer.error.code, 'folder_not_found');
    assert.equal(documentProperties.HIVE_REPORTS_FOLDER_ID, undefined);
    assert.equal(userProperties[JOB_KEY], undefined);
  });

  test('busy is shown as busy, the remembered folder kept', () => {
    const busy = {status: 409, body: {error: {code: 'busy', message: 'Another recompute is running.'}}};
    const {addon, documentProperties} = loadAddon({documentProperties: REMEMBERED, answer: service({started: busy})});
    assert.equal(addon.startPublish('').error.code, 'busy');
    assert.equal(documentProperties.HIVE_REPORTS_FOLDER_ID, FOLDER);
  });
});

describe('publishStatus', () => {
  test('no job started: nothing to show, nothing asked', () => {
    const {addon, requests} = loadAddon();
    assert.deepEqual(JSON.parse(JSON.stringify(addon.publishStatus())), {ok: true, job: null});
    assert.equal(requests.length, 0);
  });

  test('a running job: its progress in words, and it stays remembered', () => {
    const {addon, requests, userProperties, plain} = loadAddon({userProperties: {[JOB_KEY]: QUEUED.id},
      answer: service()});
    const answer = plain(addon.publishStatus());
    assert.equal(requests[0].url, `https://hive-service.example.org/v1/jobs/${encodeURIComponent(QUEUED.id)}`);
    assert.equal(requests[0].options.method, 'get');
    assert.equal(answer.line, 'Publishing reports: 35 of 96');
    assert.equal(userProperties[JOB_KEY], QUEUED.id);
  });

  test('a finished job: the result in plain words, its folder remembered, the job forgotten', () => {
    const {addon, documentProperties, userProperties, plain} = loadAddon({
      userProperties: {[JOB_KEY]: QUEUED.id}, answer: service({job: {status: 200, body: {job: DONE}}})});
    const answer = plain(addon.publishStatus());
    assert.equal(answer.line, DONE.message);
    assert.deepEqual(answer.folder, {id: 'MadeByTheJob123',
      url: 'https://drive.google.com/drive/folders/MadeByTheJob123'});
    assert.equal(documentProperties.HIVE_REPORTS_FOLDER_ID, 'MadeByTheJob123');
    assert.equal(userProperties[JOB_KEY], undefined);
  });

  test('a job the service no longer knows is forgotten quietly', () => {
    const gone = {status: 404, body: {error: {code: 'job_not_found', message: 'Hive has no record of this job.'}}};
    const {addon, userProperties, plain} = loadAddon({userProperties: {[JOB_KEY]: QUEUED.id},
      answer: service({job: gone})});
    assert.deepEqual(plain(addon.publishStatus()), {ok: true, job: null});
    assert.equal(userProperties[JOB_KEY], undefined);
  });

  test('a failed ask keeps the job, so the next ask can find it', () => {
    const down = {status: 503, body: {error: {code: 'sheets_unavailable', message: 'Google is busy.'}}};
    const {addon, userProperties} = loadAddon({userProperties: {[JOB_KEY]: QUEUED.id},
      answer: service({job: down})});
    assert.equal(addon.publishStatus().error.code, 'sheets_unavailable');
    assert.equal(userProperties[JOB_KEY], QUEUED.id);
  });
});

describe('Publish student reports (menu)', () => {
  test('asks for the folder, confirms, starts the job and opens the sidebar to follow it', () => {
    const {addon, ui, requests} = loadAddon({
      prompts: [{button: 'OK', text: `https://drive.google.com/drive/folders/${FOLDER}`}],
      alertAnswers: ['YES'], answer: service(),
    });
    addon.menuPublishReports();
    assert.match(ui.prompts[0].message, /leave this empty and Hive makes a folder/);
    assert.equal(ui.alerts[0].buttons, 'YES_NO');
    assert.match(ui.alerts[0].message, /read-only with their Student Email and Family Email/);
    assert.equal(requests.length, 1);
    assert.equal(ui.sidebars.length, 1);
  });

  test('shows the remembered folder and uses it when the teacher just presses OK', () => {
    const {addon, ui, requests} = loadAddon({documentProperties: REMEMBERED,
      prompts: [{button: 'OK', text: ''}], alertAnswers: ['YES'], answer: service()});
    addon.menuPublishReports();
    assert.match(ui.prompts[0].message, new RegExp(`folders/${FOLDER}`));
    assert.equal(requests[0].payload.folder_id, FOLDER);
  });

  test('cancelling the prompt or the confirmation sends nothing', () => {
    for (const script of [{prompts: [{button: 'CANCEL'}]}, {prompts: [{button: 'OK'}], alertAnswers: ['NO']}]) {
      const {addon, requests} = loadAddon(script);
      addon.menuPublishReports();
      assert.equal(requests.length, 0);
    }
  });

  test('a service error is explained in an alert', () => {
    const {addon, ui} = loadAddon({documentProperties: REMEMBERED, prompts: [{button: 'OK'}], alertAnswers: ['YES'],
      answer: service({started: {status: 401, body: {error: {code: 'token_scope', message: 'Hive was not given permission to create the reports in your Google Drive.'}}}})});
    addon.menuPublishReports();
    assert.equal(ui.alerts.length, 2);
    assert.match(ui.alerts[1].message, /Google Drive/);
    assert.equal(ui.sidebars.length, 0);
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
