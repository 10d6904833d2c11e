// Publish school reports (SchoolPublish.gs): one service call a click, the job remembered and followed.
'use strict';

const assert = require('node:assert/strict');
const {describe, test} = require('node:test');
const {SPREADSHEET_ID, TOKEN, loadAddon} = require('./fakes');

const JOB_KEY = `HIVE_SCHOOL_PUBLISH_JOB_${SPREADSHEET_ID}`;
const QUEUED = {id: `${SPREADSHEET_ID}.7`, kind: 'school_publish', state: 'queued', done: 0,
  total: 186, message: 'Publishing the school\'s reports: 0 of 186'};
const RUNNING = {...QUEUED, state: 'running', done: 40};
const DONE = {...QUEUED, state: 'done', done: 186,
  message: 'Published 180 cross-course reports and 6 mentor sheets: 186 new, 0 updated; ' +
    'shared with 366 new addresses. NOT READ Gradebooks!A4: Hive could not open this gradebook.',
  result: {folder_id: 'F1', reports: 180, mentor_sheets: 6, mentors_unshared: 0,
    not_read: [{gradebook: 'Science (Dr Roy)', cell: 'Gradebooks!A4', reason: 'gradebook_unreadable',
      message: 'Hive could not open this gradebook.'}],
    created: 186, updated: 0, retired: 0, shared: 366, unshared: 0}};

const service = ({started = {status: 202, body: {job: QUEUED}}, job = {status: 200, body: {job: RUNNING}}} = {}) =>
  (request) => {
    if (request.url.endsWith('/v1/school/publish')) return started;
    assert.match(request.url, /\/v1\/jobs\//);
    return job;
  };

describe('Publish school reports (menu)', () => {
  test('confirms, then one POST /v1/school/publish for this workbook, and remembers the job', () => {
    const {addon, ui, requests, userProperties} = loadAddon({alertAnswers: ['YES'], answer: service()});
    addon.menuPublishSchool();
    assert.equal(ui.alerts[0].buttons, 'YES_NO');
    assert.match(ui.alerts[0].message, /shared\s+with that mentor only/);
    assert.equal(requests.length, 1);
    assert.equal(requests[0].url, 'https://hive-service.example.org/v1/school/publish');
    assert.equal(requests[0].options.method, 'post');
    assert.deepEqual(requests[0].payload, {spreadsheet_id: SPREADSHEET_ID});
    assert.equal(requests[0].options.headers.Authorization, `Bearer ${TOKEN}`);
    assert.equal(userProperties[JOB_KEY], QUEUED.id);
    assert.match(ui.alerts[1].message, /started publishing 186 files/);
  });

  test('saying No sends nothing', () => {
    const {addon, requests, userProperties} = loadAddon({alertAnswers: ['NO'], answer: service()});
    addon.menuPublishSchool();
    assert.equal(requests.length, 0);
    assert.equal(userProperties[JOB_KEY], undefined);
  });

  test('while the job runs, the item shows how far it got (one GET, no new job)', () => {
    const {addon, ui, requests, userProperties} = loadAddon({userProperties: {[JOB_KEY]: QUEUED.id},
      answer: service()});
    addon.menuPublishSchool();
    assert.equal(requests.length, 1);
    assert.equal(requests[0].url, `https://hive-service.example.org/v1/jobs/${encodeURIComponent(QUEUED.id)}`);
    assert.match(ui.alerts[0].message, /40 of 186 files/);
    assert.equal(userProperties[JOB_KEY], QUEUED.id);
  });

  test('a finished job shows its result, gradebooks not read included, and is forgotten', () => {
    const {addon, ui, userProperties} = loadAddon({userProperties: {[JOB_KEY]: QUEUED.id},
      answer: service({job: {status: 200, body: {job: DONE}}})});
    addon.menuPublishSchool();
    assert.equal(ui.alerts[0].title, 'School reports published');
    assert.match(ui.alerts[0].message, /NOT READ Gradebooks!A4/);
    assert.equal(userProperties[JOB_KEY], undefined);
  });

  test('a job the service no longer knows is forgotten and a new publish offered', () => {
    const {addon, requests, userProperties} = loadAddon({userProperties: {[JOB_KEY]: 'gone.1'},
      alertAnswers: ['YES'], answer: service({job: {status: 404, body: {error: {code: 'job_not_found',
        message: 'Hive has no such job.'}}}})});
    addon.menuPublishSchool();
    assert.equal(requests.length, 2);
    assert.ok(requests[1].url.endsWith('/v1/school/publish'));
    assert.equal(userProperties[JOB_KEY], QUEUED.id);
  });

  test('a service error is explained in an alert and nothing is remembered', () => {
    const {addon, ui, userProperties} = loadAddon({alertAnswers: ['YES'], answer: service({started:
      {status: 422, body: {error: {code: 'template_invalid', message: 'This is not a school workbook.',
        problems: [{cell: 'Gradebooks!A1', message: 'no Gradebooks tab'}]}}}})});
    addon.menuPublishSchool();
    assert.equal(ui.alerts.length, 2);
    assert.match(ui.alerts[1].message, /not a school workbook/);
    assert.equal(userProperties[JOB_KEY], undefined);
  });
});
