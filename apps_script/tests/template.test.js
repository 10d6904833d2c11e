// Insert Hive template tabs (Template.gs): the tabs docs/template.md describes, never overwriting one.
'use strict';

const assert = require('node:assert/strict');
const {describe, test} = require('node:test');
const {loadAddon} = require('./fakes');

const POLICIES = require('./data/policies.json');

const TYPES = ['summative', 'formative', 'update'];
const SCORES = ['1', '2', '3', '4', 'NY', 'MI', 'EX'];

function insert(options = {}) {
  const loaded = loadAddon({answer: () => ({status: 200, body: POLICIES}), ...options});
  const report = loaded.plain(loaded.addon.insertTemplate());
  return {...loaded, report, tab: (name) => loaded.spreadsheet.getSheetByName(name)};
}

const rulesOn = (sheet) => Object.fromEntries(sheet.validations.map(({a1, rule}) => [a1, rule]));

describe('a new spreadsheet', () => {
  test('gets every input and output tab, in order', () => {
    const {report, spreadsheet} = insert({tabs: {Sheet1: []}});
    const tabs = ['Roster', 'Outcomes', 'Scores', 'Evidence', 'Policy', 'Behavior',
      'Mastery', 'Student Summary', 'Groups'];
    assert.deepEqual(report.created, tabs);
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(spreadsheet.getSheets().map((s) => s.getName()), ['Sheet1', ...tabs]);
  });

  test('input tabs have their headers, bold and frozen', () => {
    const {tab} = insert();
    assert.deepEqual(tab('Roster').grid(), [['Student ID', 'Student Name', 'Section', 'Student Email',
      'Family Email', 'Family Language', 'Advisor']]);
    assert.deepEqual(tab('Outcomes').grid(), [['Outcome ID', 'Outcome', 'Subject', 'Unit', 'Policy']]);
    assert.deepEqual(tab('Evidence').grid(), [['Student ID', 'Outcome ID', 'Date', 'Score', 'Assessment', 'Type']]);
    assert.deepEqual(tab('Behavior').grid(), [['Date', 'Student ID', 'Note', 'Resolved']]);
    for (const name of ['Roster', 'Outcomes', 'Evidence', 'Behavior']) {
      assert.equal(tab(name).frozenRows, 1, name);
      assert.ok(tab(name).formats.some((f) => f.fontWeight === 'bold'), name);
    }
  });

  test('Scores: names in A-B, Outcome, Date and Type labelled in column A, students from row 5', () => {
    const {tab} = insert();
    const scores = tab('Scores');
    assert.deepEqual(scores.grid(), [['Student ID', 'Student Name'], ['Outcome', ''], ['Date', ''], ['Type', '']]);
    assert.equal(scores.frozenRows, 4);
    assert.equal(scores.frozenColumns, 2);
  });

  test('Scores: a Type dropdown on row 4 and a score dropdown on every student row', () => {
    const rules = rulesOn(insert().tab('Scores'));
    assert.deepEqual(rules['C4:Z4'], {kind: 'list', values: TYPES, showDropdown: true, allowInvalid: false});
    assert.deepEqual(rules['C5:Z1000'], {kind: 'list', values: SCORES, showDropdown: true, allowInvalid: true});
    assert.equal(rules['C3:Z3'].kind, 'date');
  });

  test('Evidence and Behavior: score, type, date and checkbox columns', () => {
    const {tab} = insert();
    const evidence = rulesOn(tab('Evidence'));
    assert.equal(evidence['C2:C1000'].kind, 'date');
    assert.deepEqual(evidence['D2:D1000'].values, SCORES);
    assert.deepEqual(evidence['F2:F1000'].values, TYPES);
    const behaviour = rulesOn(tab('Behavior'));
    assert.equal(behaviour['A2:A1000'].kind, 'date');
    assert.equal(behaviour['D2:D1000'].kind, 'checkbox');
  });

  test('output tabs are protected with a warning only, so Hive (and a teacher who insists) can write', () => {
    const {tab} = insert();
    for (const name of ['Mastery', 'Student Summary', 'Groups']) {
      assert.equal(tab(name).protections.length, 1, name);
      assert.equal(tab(name).protections[0].warningOnly, true, name);
      assert.match(tab(name).protections[0].description, /Written by Hive/);
    }
    for (const name of ['Roster', 'Scores', 'Policy']) assert.equal(tab(name).protections.length, 0, name);
  });

  test('the Policy tab starts with the library\'s first policy', () => {
    const {tab, report} = insert();
    assert.deepEqual(tab('Policy').grid(), POLICIES[0].rows.map((row) => row.map(String)));
    assert.match(report.policyNote, /Three at Meeting/);
  });

  test('without the service the Policy tab stays empty and the note says what to do', () => {
    const {tab, report} = insert({answer: () => { throw new Error('unreachable'); }});
    assert.deepEqual(tab('Policy').grid(), []);
    assert.match(report.policyNote, /pick a policy/);
  });
});

describe('an existing spreadsheet', () => {
  test('never overwrites a tab that exists, and says which it left alone', () => {
    const roster = [['ID', 'Name'], ['s1', 'Ana']];
    const policy = [['my', 'own', 'policy']];
    const {report, tab, requests} = insert({tabs: {Roster: roster, Policy: policy, Mastery: [['old']]}});
    assert.deepEqual(report.skipped, ['Roster', 'Policy', 'Mastery']);
    assert.ok(!report.created.includes('Roster'));
    assert.deepEqual(tab('Roster').grid(), roster);
    assert.deepEqual(tab('Roster').validations, []);
    assert.equal(tab('Roster').frozenRows, 0);
    assert.deepEqual(tab('Policy').grid(), policy);
    assert.deepEqual(tab('Mastery').grid(), [['old']]);
    assert.equal(tab('Mastery').protections.length, 0);
    assert.equal(requests.length, 0, 'the library is only fetched for a new Policy tab');
  });

  test('running it twice adds nothing the second time', () => {
    const loaded = insert();
    const again = loaded.plain(loaded.addon.insertTemplate());
    assert.deepEqual(again.created, []);
    assert.equal(again.skipped.length, 9);
  });

  test('the menu item reports what it did', () => {
    const {addon, ui} = loadAddon({tabs: {Roster: []}, answer: () => ({status: 200, body: POLICIES})});
    addon.menuInsertTemplate();
    assert.equal(ui.alerts.length, 1);
    assert.match(ui.alerts[0].message, /^Added: Outcomes, Scores, Evidence, Policy, Behavior, Mastery, Student Summary, Groups\./);
    assert.match(ui.alerts[0].message, /Left alone \(already there\): Roster\./);
  });
});
