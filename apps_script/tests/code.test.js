// The menu, and the server functions the sidebar calls (Code.gs).
'use strict';

const assert = require('node:assert/strict');
const {describe, test} = require('node:test');
const {loadAddon} = require('./fakes');

const SUMMARY = require('./data/recompute.json');
const POLICIES = require('./data/policies.json');
const TEMPLATE_INVALID = require('./data/template_invalid.json');

const serve = (routes) => (request) => {
  const route = Object.keys(routes).find((suffix) => request.url.endsWith(suffix));
  assert.ok(route, `unexpected request to ${request.url}`);
  return routes[route];
};

describe('the menu', () => {
  test('onOpen adds the Hive menu with its six actions, each a real function', () => {
    const {addon, ui} = loadAddon();
    addon.onOpen({authMode: 'NONE'});
    assert.equal(ui.menus.length, 1);
    assert.equal(ui.menus[0].added, true);
    const items = ui.menus[0].items.filter((item) => !item.separator);
    assert.deepEqual(items.map((item) => item.label),
      ['Recompute mastery', 'Check template', 'Open sidebar', 'Publish student reports',
        'Publish school reports (school workbook)', 'Insert Hive template tabs']);
    for (const {fn} of items) assert.equal(typeof addon[fn], 'function', fn);
  });

  test('onOpen touches nothing that needs authorisation (it runs in AuthMode.NONE)', () => {
    const {addon, requests, lock} = loadAddon();
    addon.PropertiesService = null;
    addon.onOpen({authMode: 'NONE'});
    assert.equal(requests.length, 0);
    assert.deepEqual(lock.waits, []);
  });

  test('onInstall builds the same menu', () => {
    const {addon, ui} = loadAddon();
    addon.onInstall({authMode: 'FULL'});
    assert.equal(ui.menus.length, 1);
    assert.equal(ui.menus[0].items.length, 7);
  });

  test('Open sidebar shows Sidebar.html titled Hive', () => {
    const {addon, ui} = loadAddon();
    addon.showSidebar();
    assert.equal(ui.sidebars.length, 1);
    assert.equal(ui.sidebars[0].file, 'Sidebar');
    assert.equal(ui.sidebars[0].title, 'Hive');
  });

  test('Recompute mastery from the menu ends in a toast with the counts and warnings', () => {
    const {addon, spreadsheet, ui} = loadAddon({answer: () => ({status: 200, body: SUMMARY})});
    addon.menuRecompute();
    assert.equal(ui.alerts.length, 0);
    assert.equal(spreadsheet.toasts.length, 1);
    const {message, title} = spreadsheet.toasts[0];
    assert.equal(title, 'Hive');
    assert.match(message, /24 students × 6 outcomes: Mastered 61, On track 52, Not Yet 31\./);
    assert.match(message, /2 warnings: open Extensions > Hive > Open sidebar/);
  });

  test('Recompute mastery from the menu explains a failure in an alert, problems included', () => {
    const {addon, spreadsheet, ui} = loadAddon({answer: () => ({status: 422, body: TEMPLATE_INVALID})});
    addon.menuRecompute();
    assert.equal(spreadsheet.toasts.length, 0);
    assert.equal(ui.alerts.length, 1);
    assert.equal(ui.alerts[0].title, 'Hive cannot read this spreadsheet yet');
    assert.match(ui.alerts[0].message, /Roster!A1: The Roster tab has no Student ID column\./);
  });

  test('Recompute mastery while a colleague recomputes says so', () => {
    const {addon, ui} = loadAddon({lockBusy: true});
    addon.menuRecompute();
    assert.equal(ui.alerts[0].title, 'Hive is already recomputing this spreadsheet');
  });

  test('Check template lists the cells to fix', () => {
    const {addon, ui} = loadAddon({answer: () => ({status: 200, body: {...SUMMARY, written: false}})});
    addon.menuCheckTemplate();
    assert.equal(ui.alerts[0].title, '2 cells need a look');
    assert.match(ui.alerts[0].message, /^Scores!F12: "3\+" is not a score/);
    assert.match(ui.alerts[0].message, /\nEvidence!C7: "next Tuesday" is not a date/);
  });

  test('Check template says so when all is well', () => {
    const {addon, ui} = loadAddon({answer: () => ({status: 200, body: {...SUMMARY, warnings: []}})});
    addon.menuCheckTemplate();
    assert.equal(ui.alerts[0].title, 'The template looks right');
    assert.match(ui.alerts[0].message, /^Found 24 students × 6 outcomes/);
  });
});

describe('selectCell', () => {
  test('goes to the cell a warning names', () => {
    const {addon, spreadsheet, plain} = loadAddon({tabs: {Roster: [['Student ID']], Scores: [['Student ID']]}});
    assert.deepEqual(plain(addon.selectCell('Scores!F12')), {ok: true, cell: 'Scores!F12'});
    assert.equal(spreadsheet.activeSheet.getName(), 'Scores');
    assert.equal(spreadsheet.activeRange.getA1Notation(), 'F12');
    assert.equal(spreadsheet.activeRange.getSheet().getName(), 'Scores');
  });

  test('understands quoted tab names', () => {
    const {addon, spreadsheet} = loadAddon({tabs: {'Student Summary': []}});
    assert.equal(addon.selectCell("'Student Summary'!B3").ok, true);
    assert.equal(spreadsheet.activeRange.getA1Notation(), 'B3');
  });

  test('a cell on a tab that is gone is an error, not a crash', () => {
    const {addon, spreadsheet} = loadAddon({tabs: {Roster: []}});
    const answer = addon.selectCell('Scores!F12');
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, 'cell_not_found');
    assert.equal(spreadsheet.activeRange, null);
  });
});

describe('getSidebarState', () => {
  test('returns the library and the Policy tab as displayed', () => {
    const rows = [['Setting', 'Value'], ['method', 'n_at_level'], ['n', 3], ['level', 3]];
    const {addon, plain} = loadAddon({tabs: {Policy: rows}, answer: () => ({status: 200, body: POLICIES})});
    const state = plain(addon.getSidebarState());
    assert.equal(state.ok, true);
    assert.deepEqual(state.policies, POLICIES);
    assert.deepEqual(state.policyRows, rows.map((r) => r.map(String)));
    assert.equal(state.policiesError, null);
  });

  test('no Policy tab is null, and a library failure still lets the sidebar open', () => {
    const {addon, plain} = loadAddon({answer: () => ({status: 503, body: {error: {code: 'sheets_unavailable', message: 'x'}}})});
    const state = plain(addon.getSidebarState());
    assert.equal(state.ok, true);
    assert.equal(state.policyRows, null);
    assert.deepEqual(state.policies, []);
    assert.equal(state.policiesError.code, 'sheets_unavailable');
  });
});

/** The Policy tab's cells as the add-on writes them: text. */
const asText = (rows) => rows.map((row) => row.map((cell) => String(cell)));

describe('applyPolicy', () => {
  test('replaces the Policy tab with the chosen policy\'s rows, holding the lock', () => {
    const old = [['Setting', 'Value', 'Note'], ['method', 'mean'], ['n', 9], ['extra', 1, 'left over']];
    const {addon, spreadsheet, lock, plain} = loadAddon({
      tabs: {Policy: old},
      answer: serve({'/v1/policies': {status: 200, body: POLICIES}}),
    });
    const answer = plain(addon.applyPolicy('Most recent'));
    assert.equal(answer.ok, true);
    assert.deepEqual(answer.policy, {name: 'Most recent', description: POLICIES[1].description});
    const sheet = spreadsheet.getSheetByName('Policy');
    assert.deepEqual(sheet.grid(), asText(POLICIES[1].rows));
    assert.equal(lock.releases, 1);
  });

  test('creates the Policy tab when there is none', () => {
    const {addon, spreadsheet} = loadAddon({answer: serve({'/v1/policies': {status: 200, body: POLICIES}})});
    assert.equal(addon.applyPolicy('Three at Meeting').ok, true);
    const sheet = spreadsheet.getSheetByName('Policy');
    assert.deepEqual(sheet.grid(), asText(POLICIES[0].rows));
    assert.equal(sheet.frozenRows, 1);
  });

  test('writes the Policy tab as plain text, the format set before the values', () => {
    const rows = [['Setting', 'Value'], ['n', 3], ['weight', 2.5], ['decaying', '0,65']];
    const {addon, spreadsheet} = loadAddon({answer: () => ({status: 200, body: [{name: 'Typed',
      description: 'd', rows}]})});
    assert.equal(addon.applyPolicy('Typed').ok, true);
    const sheet = spreadsheet.getSheetByName('Policy');
    assert.deepEqual(sheet.formats, [{a1: 'A1:B4', numberFormat: '@'}]);
    assert.deepEqual(sheet.grid(), [['Setting', 'Value'], ['n', '3'], ['weight', '2.5'],
      ['decaying', '0,65']]);
    assert.ok(sheet.writes[0] === 'format', 'the text format goes first, then the values');
  });

  test('pads ragged rows so the grid fits its range', () => {
    const ragged = [{name: 'Ragged', description: 'd', rows: [['a', 'b', 'c'], ['d']]}];
    const {addon, spreadsheet} = loadAddon({answer: () => ({status: 200, body: ragged})});
    assert.equal(addon.applyPolicy('Ragged').ok, true);
    assert.deepEqual(spreadsheet.getSheetByName('Policy').grid(), [['a', 'b', 'c'], ['d', '', '']]);
  });

  test('an unknown name writes nothing', () => {
    const {addon, spreadsheet} = loadAddon({tabs: {Policy: [['keep']]}, answer: () => ({status: 200, body: POLICIES})});
    const answer = addon.applyPolicy('Nope');
    assert.equal(answer.error.code, 'policy_unknown');
    assert.deepEqual(spreadsheet.getSheetByName('Policy').grid(), [['keep']]);
  });

  test('a busy lock writes nothing', () => {
    const {addon, spreadsheet, requests} = loadAddon({lockBusy: true, tabs: {Policy: [['keep']]}});
    assert.equal(addon.applyPolicy('Most recent').error.code, 'busy');
    assert.equal(requests.length, 0);
    assert.deepEqual(spreadsheet.getSheetByName('Policy').grid(), [['keep']]);
  });

  test('a library that cannot be fetched writes nothing and says why', () => {
    const {addon, spreadsheet} = loadAddon({
      tabs: {Policy: [['keep']]},
      answer: () => ({status: 401, body: {error: {code: 'token_expired', message: 'Expired.'}}}),
    });
    assert.equal(addon.applyPolicy('Most recent').error.code, 'token_expired');
    assert.deepEqual(spreadsheet.getSheetByName('Policy').grid(), [['keep']]);
  });
});
