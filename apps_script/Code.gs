/**
 * Hive's menu and the server functions its sidebar calls. Thin by design: every decision about
 * mastery is made by Hive's service; this file only moves a click to the service and back.
 *
 * Functions ending in "_" are private (google.script.run cannot call them); the others are the
 * sidebar's API: recompute, checkTemplate, selectCell, getSidebarState, applyPolicy, insertTemplate,
 * getOutcomes, reteachGroups (and publishReports, in Reports.gs).
 */

/** How long Recompute waits for a colleague's recompute of the same spreadsheet to finish. */
var HIVE_LOCK_WAIT_MS = 5000;
var HIVE_POLICY_TAB = 'Policy';

function onOpen(e) {
  // Runs in AuthMode.NONE before the add-on is enabled in this file: build the menu, touch nothing.
  SpreadsheetApp.getUi()
    .createAddonMenu()
    .addItem('Recompute mastery', 'menuRecompute')
    .addItem('Check template', 'menuCheckTemplate')
    .addItem('Open sidebar', 'showSidebar')
    .addItem('Publish student reports', 'menuPublishReports')
    .addItem('Publish school reports (school workbook)', 'menuPublishSchool')
    .addSeparator()
    .addItem('Insert Hive template tabs', 'menuInsertTemplate')
    .addToUi();
}

function onInstall(e) {
  onOpen(e);
}

function showSidebar() {
  var html = HtmlService.createHtmlOutputFromFile('Sidebar').setTitle('Hive');
  SpreadsheetApp.getUi().showSidebar(html);
}

// ---------------------------------------------------------------- the sidebar's server functions

/** Recompute mastery and write it back; one teacher at a time per spreadsheet. */
function recompute(options) {
  var dryRun = Boolean(options && options.dryRun);
  return hiveWithDocumentLock_(function () {
    return hiveRecompute_(dryRun);
  });
}

/** Read and check the spreadsheet against the template; writes nothing, so it takes no lock. */
function checkTemplate() {
  return hiveValidate_();
}

/** Go to a cell a warning points at, e.g. "Scores!F12" or "'Student Summary'!B3". */
function selectCell(a1) {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var range;
  try {
    range = spreadsheet.getRange(String(a1));
  } catch (err) {
    return {ok: false, error: hiveLocalError('cell_not_found', 'Hive could not find ' + a1 + '.')};
  }
  range.getSheet().activate();
  spreadsheet.setActiveRange(range);
  return {ok: true, cell: String(a1)};
}

/** What the sidebar shows on opening: the policy library and the Policy tab as it stands. */
function getSidebarState() {
  var sheet = SpreadsheetApp.getActiveSpreadsheet().getSheetByName(HIVE_POLICY_TAB);
  var policies = hivePolicies_();
  return {
    ok: true,
    policyRows: sheet ? sheet.getDataRange().getDisplayValues() : null,
    policies: policies.ok ? policies.data : [],
    policiesError: policies.ok ? null : policies.error
  };
}

/** Replace the Policy tab with a policy from the shared library (the sidebar confirms first). */
function applyPolicy(name) {
  return hiveWithDocumentLock_(function () {
    var library = hivePolicies_();
    if (!library.ok) {
      return library;
    }
    var policy = null;
    for (var i = 0; i < library.data.length; i++) {
      if (library.data[i].name === name) {
        policy = library.data[i];
      }
    }
    if (!policy) {
      return {ok: false, error: hiveLocalError('policy_unknown', 'There is no policy called "' + name + '".')};
    }
    hiveWritePolicyTab_(policy.rows || []);
    return {ok: true, policy: {name: policy.name, description: policy.description}, rows: policy.rows};
  });
}

/** The Outcomes tab's IDs and wording, for the Reteach groups picker (reads the sheet only). */
function getOutcomes() {
  var sheet = SpreadsheetApp.getActiveSpreadsheet().getSheetByName('Outcomes');
  return {ok: true, outcomes: sheet ? hiveOutcomeChoices(sheet.getDataRange().getDisplayValues()) : []};
}

/** One outcome's reteach groups, by section, from the service (POST /v1/groups); writes nothing. */
function reteachGroups(outcomeId) {
  return hiveCallService_('post', '/v1/groups', {
    spreadsheet_id: SpreadsheetApp.getActiveSpreadsheet().getId(),
    outcome_id: String(outcomeId || '')
  });
}

// ------------------------------------------------------------------------------ menu actions

function menuRecompute() {
  var answer = recompute();
  if (!answer.ok) {
    hiveAlertError_(answer.error);
    return;
  }
  var summary = answer.data;
  var warnings = summary.warnings || [];
  var line = hiveSummaryLine_(summary);
  if (warnings.length) {
    line += ' ' + warnings.length + (warnings.length === 1 ? ' warning' : ' warnings') +
      ': open Extensions > Hive > Open sidebar to go to each cell.';
  }
  SpreadsheetApp.getActiveSpreadsheet().toast(line, 'Hive', 10);
}

function menuCheckTemplate() {
  var answer = checkTemplate();
  if (!answer.ok) {
    hiveAlertError_(answer.error);
    return;
  }
  var warnings = answer.data.warnings || [];
  var ui = SpreadsheetApp.getUi();
  if (!warnings.length) {
    ui.alert('The template looks right', hiveSummaryLine_(answer.data, 'Found'), ui.ButtonSet.OK);
    return;
  }
  ui.alert(
    warnings.length + (warnings.length === 1 ? ' cell needs' : ' cells need') + ' a look',
    hiveListCells_(warnings) + '\n\nOpen Extensions > Hive > Open sidebar to go to each cell.',
    ui.ButtonSet.OK
  );
}

function menuInsertTemplate() {
  var report = insertTemplate();
  var ui = SpreadsheetApp.getUi();
  var lines = [];
  if (report.created.length) lines.push('Added: ' + report.created.join(', ') + '.');
  if (report.skipped.length) {
    lines.push('Left alone (already there): ' + report.skipped.join(', ') + '.');
  }
  if (report.policyNote) lines.push(report.policyNote);
  ui.alert('Hive template tabs', lines.join('\n'), ui.ButtonSet.OK);
}

// ---------------------------------------------------------------------------------- helpers

/** Runs fn holding the document lock, or answers "busy" when a recompute is already running. */
function hiveWithDocumentLock_(fn) {
  var lock = LockService.getDocumentLock();
  if (!lock) {
    // Only null outside a document (the script editor's Run button); there is no one to race.
    return fn();
  }
  if (!lock.tryLock(HIVE_LOCK_WAIT_MS)) {
    return {ok: false, error: hiveLocalError('busy')};
  }
  try {
    return fn();
  } finally {
    lock.releaseLock();
  }
}

function hiveWritePolicyTab_(rows) {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var sheet = spreadsheet.getSheetByName(HIVE_POLICY_TAB) || spreadsheet.insertSheet(HIVE_POLICY_TAB);
  sheet.clearContents();
  var width = 0;
  for (var i = 0; i < rows.length; i++) width = Math.max(width, rows[i].length);
  if (!rows.length || !width) return;
  // Plain text, format first: "3" or "2.5" must never become a number, or in a decimal-comma
  // locale a date, on its way into the tab (the service reads the Policy tab's words).
  var grid = rows.map(function (row) {
    var padded = row.map(function (cell) { return cell === null || cell === undefined ? '' : String(cell); });
    while (padded.length < width) padded.push('');
    return padded;
  });
  sheet.getRange(1, 1, grid.length, width).setNumberFormat('@').setValues(grid);
  sheet.setFrozenRows(1);
}

function hiveSummaryLine_(summary, verb) {
  var statuses = summary.statuses || {};
  var parts = Object.keys(statuses).map(function (label) {
    return label + ' ' + statuses[label];
  });
  var counted = function (n, one, many) {
    return n + ' ' + (n === 1 ? one : many);
  };
  return (verb || 'Recomputed') + ' ' + counted(summary.students, 'student', 'students') + ' \u00d7 ' +
    counted(summary.outcomes, 'outcome', 'outcomes') + (parts.length ? ': ' + parts.join(', ') + '.' : '.');
}

function hiveListCells_(items) {
  var shown = items.slice(0, 10).map(function (item) {
    return item.cell + ': ' + item.message;
  });
  if (items.length > shown.length) shown.push('... and ' + (items.length - shown.length) + ' more.');
  return shown.join('\n');
}

function hiveAlertError_(error) {
  var ui = SpreadsheetApp.getUi();
  var text = error.message + '\n\n' + error.action;
  if (error.problems && error.problems.length) text += '\n\n' + hiveListCells_(error.problems);
  ui.alert(error.title, text, ui.ButtonSet.OK);
}
