// Small fakes of the Apps Script services the add-on uses, and a loader that runs the real .gs files
// against them in a `vm` context. Fakes record what the code asked for; tests assert on the records.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const ADDON_DIR = path.join(__dirname, '..');
const TOKEN = 'ya29.teacher-token';
const SPREADSHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

function columnNumber(letters) {
  return [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
}

function columnLetters(n) {
  let out = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

class FakeRange {
  constructor(sheet, row, col, rows = 1, cols = 1) {
    if (row < 1 || col < 1 || rows < 1 || cols < 1) {
      throw new Error(`The coordinates of the range are outside the dimensions of the sheet.`);
    }
    Object.assign(this, {sheet, row, col, rows, cols});
  }

  getSheet() { return this.sheet; }
  getA1Notation() {
    const start = columnLetters(this.col) + this.row;
    const end = columnLetters(this.col + this.cols - 1) + (this.row + this.rows - 1);
    return start === end ? start : `${start}:${end}`;
  }

  setValues(values) {
    // Apps Script rejects a grid whose size differs from the range's; so does the fake.
    if (values.length !== this.rows || values.some((r) => r.length !== this.cols)) {
      throw new Error(`The number of rows or columns in the data does not match the range.`);
    }
    values.forEach((r, i) => r.forEach((v, j) => this.sheet.set(this.row + i, this.col + j, v)));
    this.sheet.writes.push('values');
    return this;
  }

  getValues() {
    return Array.from({length: this.rows}, (_, i) =>
      Array.from({length: this.cols}, (_, j) => this.sheet.get(this.row + i, this.col + j)));
  }

  getDisplayValues() {
    return this.getValues().map((r) => r.map((v) => String(v)));
  }

  setDataValidation(rule) {
    this.sheet.validations.push({a1: this.getA1Notation(), rule});
    return this;
  }

  setFontWeight(weight) { return this.format('fontWeight', weight); }
  setBackground(colour) { return this.format('background', colour); }
  setNumberFormat(format) { return this.format('numberFormat', format); }
  format(key, value) {
    this.sheet.formats.push({a1: this.getA1Notation(), [key]: value});
    this.sheet.writes.push('format');
    return this;
  }
}

class FakeSheet {
  constructor(spreadsheet, name, values = []) {
    Object.assign(this, {spreadsheet, name, cells: new Map(), validations: [], formats: [], writes: [],
      protections: [], frozenRows: 0, frozenColumns: 0});
    values.forEach((r, i) => r.forEach((v, j) => this.set(i + 1, j + 1, v)));
  }

  getName() { return this.name; }
  getMaxRows() { return 1000; }
  getMaxColumns() { return 26; }
  get(row, col) { return this.cells.has(`${row},${col}`) ? this.cells.get(`${row},${col}`) : ''; }
  set(row, col, value) {
    if (value === '' || value === null) this.cells.delete(`${row},${col}`);
    else this.cells.set(`${row},${col}`, value);
  }

  getRange(row, col, rows, cols) { return new FakeRange(this, row, col, rows, cols); }
  getDataRange() {
    let rows = 1;
    let cols = 1;
    for (const key of this.cells.keys()) {
      const [r, c] = key.split(',').map(Number);
      rows = Math.max(rows, r);
      cols = Math.max(cols, c);
    }
    return new FakeRange(this, 1, 1, rows, cols);
  }

  /** The grid as plain arrays, trailing blanks trimmed: what a teacher would see. */
  grid() { return this.getDataRange().getValues().filter((r) => r.some((v) => v !== '')); }
  clearContents() { this.cells.clear(); return this; }
  setFrozenRows(n) { this.frozenRows = n; return this; }
  setFrozenColumns(n) { this.frozenColumns = n; return this; }
  activate() { this.spreadsheet.activeSheet = this; return this; }
  protect() {
    const protection = {
      description: '', warningOnly: false,
      setDescription(text) { this.description = text; return this; },
      setWarningOnly(on) { this.warningOnly = on; return this; },
    };
    this.protections.push(protection);
    return protection;
  }
}

class FakeSpreadsheet {
  constructor(tabs = {}) {
    this.sheets = Object.entries(tabs).map(([name, values]) => new FakeSheet(this, name, values));
    this.toasts = [];
    this.activeRange = null;
    this.activeSheet = this.sheets[0] || null;
  }

  getId() { return SPREADSHEET_ID; }
  getSheets() { return this.sheets.slice(); }
  getNumSheets() { return this.sheets.length; }
  getSheetByName(name) { return this.sheets.find((s) => s.name === name) || null; }
  insertSheet(name, index = this.sheets.length) {
    if (this.getSheetByName(name)) {
      throw new Error(`A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    const sheet = new FakeSheet(this, name);
    this.sheets.splice(index, 0, sheet);
    return sheet;
  }

  getRange(a1) {
    const match = /^(?:'((?:[^']|'')+)'|([^!']+))!([A-Z]+)(\d+)$/.exec(a1);
    const sheet = match && this.getSheetByName(match[1] ? match[1].replace(/''/g, "'") : match[2]);
    if (!sheet) throw new Error(`Range not found`);
    return sheet.getRange(Number(match[4]), columnNumber(match[3]));
  }

  setActiveRange(range) { this.activeRange = range; return range; }
  toast(message, title, seconds) { this.toasts.push({message, title, seconds}); }
}

function response(status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {getResponseCode: () => status, getContentText: () => text};
}

/**
 * Loads every .gs file into a fresh context. `answer(request)` returns what the service says:
 * {status, body} (body an object or raw text), or throws to mimic UrlFetchApp failing outright.
 */
function loadAddon({tabs = {}, properties = {}, documentProperties = {}, userProperties = {},
  lockBusy = false, prompts = [],
  alertAnswers = [], answer = () => ({status: 200, body: {}})} = {}) {
  const spreadsheet = new FakeSpreadsheet(tabs);
  const requests = [];
  // prompts / alertAnswers: what the teacher answers, in order ({button, text} / a button);
  // an alert with nothing scripted is answered OK, a prompt CANCEL.
  const ui = {menus: [], alerts: [], sidebars: [], prompts: []};
  const docProps = {...documentProperties};
  const userProps = {...userProperties};
  const lock = {waits: [], held: false, releases: 0};

  const context = {
    console,
    SpreadsheetApp: {
      getActiveSpreadsheet: () => spreadsheet,
      getActive: () => spreadsheet,
      getUi: () => ({
        ButtonSet: {OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO'},
        Button: {OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE'},
        createAddonMenu() {
          const menu = {items: [], added: false};
          ui.menus.push(menu);
          return {
            addItem(label, fn) { menu.items.push({label, fn}); return this; },
            addSeparator() { menu.items.push({separator: true}); return this; },
            addToUi() { menu.added = true; },
          };
        },
        alert(title, message, buttons) {
          ui.alerts.push({title, message, buttons});
          return alertAnswers.length ? alertAnswers.shift() : 'OK';
        },
        prompt(title, message, buttons) {
          ui.prompts.push({title, message, buttons});
          const {button = 'CANCEL', text = ''} = prompts.shift() || {};
          return {getSelectedButton: () => button, getResponseText: () => text};
        },
        showSidebar(html) { ui.sidebars.push(html); },
      }),
      newDataValidation() {
        const rule = {allowInvalid: true};
        return {
          requireValueInList(values, showDropdown) {
            Object.assign(rule, {kind: 'list', values: [...values], showDropdown}); return this;
          },
          requireDate() { rule.kind = 'date'; return this; },
          requireCheckbox() { rule.kind = 'checkbox'; return this; },
          setAllowInvalid(on) { rule.allowInvalid = on; return this; },
          build() { return {...rule}; },
        };
      },
    },
    UrlFetchApp: {
      fetch(url, options) {
        const request = {url, options, payload: options.payload ? JSON.parse(options.payload) : undefined};
        requests.push(request);
        const {status, body} = answer(request);
        return response(status, body);
      },
    },
    LockService: {
      getDocumentLock: () => ({
        tryLock(ms) {
          lock.waits.push(ms);
          if (lockBusy) return false;
          lock.held = true;
          return true;
        },
        releaseLock() { lock.held = false; lock.releases += 1; },
      }),
    },
    PropertiesService: {
      getScriptProperties: () => ({getProperty: (key) => (key in properties ? properties[key] : null)}),
      getDocumentProperties: () => ({
        getProperty: (key) => (key in docProps ? docProps[key] : null),
        setProperty(key, value) { docProps[key] = String(value); return this; },
        deleteProperty(key) { delete docProps[key]; return this; },
      }),
      getUserProperties: () => ({
        getProperty: (key) => (key in userProps ? userProps[key] : null),
        setProperty(key, value) { userProps[key] = String(value); return this; },
        deleteProperty(key) { delete userProps[key]; return this; },
      }),
    },
    ScriptApp: {getOAuthToken: () => TOKEN, AuthMode: {NONE: 'NONE', LIMITED: 'LIMITED', FULL: 'FULL'}},
    HtmlService: {
      createHtmlOutputFromFile(name) {
        if (!fs.existsSync(path.join(ADDON_DIR, `${name}.html`))) throw new Error(`No HTML file named ${name}`);
        return {file: name, title: '', setTitle(title) { this.title = title; return this; }};
      },
    },
  };
  vm.createContext(context);
  for (const file of fs.readdirSync(ADDON_DIR).filter((f) => f.endsWith('.gs')).sort()) {
    vm.runInContext(fs.readFileSync(path.join(ADDON_DIR, file), 'utf8'), context, {filename: file});
  }
  // Values made inside the context have its own Object.prototype; a JSON round trip gives plain
  // values that node:assert's deepStrictEqual compares with values made here.
  const plain = (value) => (value === undefined ? value : JSON.parse(JSON.stringify(value)));
  return {addon: context, spreadsheet, requests, ui, lock, plain, documentProperties: docProps,
    userProperties: userProps};
}

module.exports = {ADDON_DIR, SPREADSHEET_ID, TOKEN, loadAddon, response};
