/**
 * Insert Hive template tabs: the input tabs a teacher fills in (docs/template.md is the contract)
 * and the output tabs Hive writes, each created only when missing, never overwriting a tab.
 */

var HIVE_TYPES = ['summative', 'formative', 'update'];
var HIVE_SCORES = ['1', '2', '3', '4', 'NY', 'MI', 'EX'];
var HIVE_HEADER_BACKGROUND = '#f1f3f4';

/** Input tabs in the order they are added; `header` rows start at A1. */
var HIVE_INPUT_TABS = [
  {
    name: 'Roster',
    header: [['Student ID', 'Student Name', 'Section', 'Student Email', 'Family Email',
      'Family Language', 'Advisor']],
    frozenRows: 1
  },
  {name: 'Outcomes', header: [['Outcome ID', 'Outcome', 'Subject', 'Unit', 'Policy']], frozenRows: 1},
  {
    // Wide: one column per assessment from C, described by rows 2-4; one student a row from row 5.
    name: 'Scores',
    header: [['Student ID', 'Student Name'], ['Outcome', ''], ['Date', ''], ['Type', '']],
    frozenRows: 4,
    frozenColumns: 2,
    validate: function (sheet) {
      var columns = sheet.getMaxColumns() - 2;
      hiveDateRange_(sheet.getRange(3, 3, 1, columns));
      sheet.getRange(4, 3, 1, columns).setDataValidation(hiveListRule_(HIVE_TYPES, false));
      sheet.getRange(5, 3, sheet.getMaxRows() - 4, columns)
        .setDataValidation(hiveListRule_(HIVE_SCORES, true));
    }
  },
  {
    // Long: one piece of evidence a row, for anything that does not fit the Scores grid.
    name: 'Evidence',
    header: [['Student ID', 'Outcome ID', 'Date', 'Score', 'Assessment', 'Type']],
    frozenRows: 1,
    validate: function (sheet) {
      var rows = sheet.getMaxRows() - 1;
      hiveDateRange_(sheet.getRange(2, 3, rows, 1));
      sheet.getRange(2, 4, rows, 1).setDataValidation(hiveListRule_(HIVE_SCORES, true));
      sheet.getRange(2, 6, rows, 1).setDataValidation(hiveListRule_(HIVE_TYPES, false));
    }
  },
  {name: 'Policy', header: [], frozenRows: 1},
  {
    name: 'Behavior',
    header: [['Date', 'Student ID', 'Note', 'Resolved']],
    frozenRows: 1,
    validate: function (sheet) {
      var rows = sheet.getMaxRows() - 1;
      hiveDateRange_(sheet.getRange(2, 1, rows, 1));
      sheet.getRange(2, 4, rows, 1).setDataValidation(
        SpreadsheetApp.newDataValidation().requireCheckbox().build());
    }
  }
];

/** Hive rewrites these on every Recompute; the protection warns a teacher before she edits one. */
var HIVE_OUTPUT_TABS = ['Mastery', 'Student Summary', 'Groups'];

/**
 * Adds every template tab that is missing. Returns {created, skipped, policyNote}: the tab names
 * added, the ones left alone because they exist, and what happened to the Policy tab.
 */
function insertTemplate() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var created = [];
  var skipped = [];
  var policyNote = '';

  HIVE_INPUT_TABS.forEach(function (tab) {
    if (spreadsheet.getSheetByName(tab.name)) {
      skipped.push(tab.name);
      return;
    }
    var sheet = spreadsheet.insertSheet(tab.name, spreadsheet.getNumSheets());
    hiveWriteHeader_(sheet, tab.header);
    if (tab.frozenRows) sheet.setFrozenRows(tab.frozenRows);
    if (tab.frozenColumns) sheet.setFrozenColumns(tab.frozenColumns);
    if (tab.validate) tab.validate(sheet);
    created.push(tab.name);
    if (tab.name === HIVE_POLICY_TAB) policyNote = hiveFillDefaultPolicy_();
  });

  HIVE_OUTPUT_TABS.forEach(function (name) {
    if (spreadsheet.getSheetByName(name)) {
      skipped.push(name);
      return;
    }
    var sheet = spreadsheet.insertSheet(name, spreadsheet.getNumSheets());
    sheet.protect()
      .setDescription('Written by Hive: edits here are replaced on the next Recompute.')
      .setWarningOnly(true);
    created.push(name);
  });

  return {created: created, skipped: skipped, policyNote: policyNote};
}

function hiveWriteHeader_(sheet, header) {
  if (!header.length) return;
  sheet.getRange(1, 1, header.length, header[0].length)
    .setValues(header)
    .setFontWeight('bold')
    .setBackground(HIVE_HEADER_BACKGROUND);
  if (header.length > 1) {
    // Scores: the row labels in column A (Outcome, Date, Type) read as headers too.
    sheet.getRange(1, 1, header.length, 1).setFontWeight('bold').setBackground(HIVE_HEADER_BACKGROUND);
  }
}

/** The first policy in the shared library, so a new sheet recomputes before anyone picks one. */
function hiveFillDefaultPolicy_() {
  var library = hivePolicies_();
  if (!library.ok || !library.data.length) {
    return 'The Policy tab is empty: open the sidebar and pick a policy.';
  }
  hiveWritePolicyTab_(library.data[0].rows || []);
  return 'The Policy tab holds "' + library.data[0].name + '"; pick another in the sidebar.';
}

function hiveListRule_(values, allowInvalid) {
  return SpreadsheetApp.newDataValidation()
    .requireValueInList(values, true)
    .setAllowInvalid(allowInvalid)
    .build();
}

function hiveDateRange_(range) {
  range.setNumberFormat('yyyy-mm-dd')
    .setDataValidation(SpreadsheetApp.newDataValidation().requireDate().setAllowInvalid(false).build());
}
