// The preview page: a local workbook's tabs as grids (values, Hive's colours, notes as tooltips),
// and the two things the sidebar's shim asks of it: select a cell, reload after a write.
(function () {
  'use strict';
  var api = document.body.getAttribute('data-workbook-api');
  var state = {book: null, tab: null, selected: null};
  var $ = function (id) { return document.getElementById(id); };

  function letters(n) {
    var out = '';
    for (; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
    return out;
  }

  function parseA1(a1) {
    var m = /^(?:'((?:[^']|'')+)'|([^!']+))!([A-Za-z]+)(\d+)/.exec(a1);
    if (!m) return null;
    var col = 0;
    m[3].toUpperCase().split('').forEach(function (ch) { col = col * 26 + ch.charCodeAt(0) - 64; });
    return {tab: m[1] ? m[1].replace(/''/g, "'") : m[2], row: Number(m[4]), col: col};
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function renderTabs() {
    var nav = $('tabs');
    clear(nav);
    state.book.tabs.forEach(function (tab) {
      var button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('role', 'tab');
      button.setAttribute('aria-selected', String(tab.title === state.tab));
      button.textContent = tab.title;
      button.addEventListener('click', function () { show(tab.title); });
      nav.appendChild(button);
    });
  }

  function renderGrid() {
    var tab = state.book.tabs.filter(function (t) { return t.title === state.tab; })[0];
    var grid = $('grid');
    clear(grid);
    if (!tab) return;
    var width = tab.rows.reduce(function (w, r) { return Math.max(w, r.length); }, 0);
    var table = document.createElement('table');
    var head = table.createTHead().insertRow();
    head.appendChild(document.createElement('th'));
    for (var c = 1; c <= width; c++) {
      var th = document.createElement('th');
      th.textContent = letters(c);
      head.appendChild(th);
    }
    var body = table.createTBody();
    tab.rows.forEach(function (row, i) {
      var tr = body.insertRow();
      if (i < tab.frozenRows) tr.className = 'frozen';
      var rowHead = document.createElement('th');
      rowHead.textContent = String(i + 1);
      tr.appendChild(rowHead);
      for (var j = 0; j < width; j++) {
        var cell = row[j] || {v: '', bg: '', note: ''};
        var td = tr.insertCell();
        td.textContent = cell.v;
        td.setAttribute('data-a1', letters(j + 1) + (i + 1));
        if (cell.bg) td.style.background = cell.bg;
        if (cell.note) {
          td.title = cell.note;
          td.className = 'has-note';
        }
      }
    });
    grid.appendChild(table);
    if (tab.cut) {
      var more = document.createElement('p');
      more.className = 'cut';
      more.textContent = 'Showing the first ' + tab.rows.length + ' rows.';
      grid.appendChild(more);
    }
    highlight();
  }

  function highlight() {
    var old = document.querySelector('td.selected');
    if (old) old.classList.remove('selected');
    if (!state.selected || state.selected.tab !== state.tab) return;
    var td = document.querySelector('td[data-a1="' + letters(state.selected.col) + state.selected.row + '"]');
    if (td) {
      td.classList.add('selected');
      td.scrollIntoView({block: 'center', inline: 'center'});
    }
  }

  function show(title) {
    state.tab = title;
    renderTabs();
    renderGrid();
  }

  function load() {
    return fetch(api).then(function (r) { return r.json(); }).then(function (book) {
      state.book = book;
      $('title').textContent = book.title || book.id;
      var titles = book.tabs.map(function (t) { return t.title; });
      show(titles.indexOf(state.tab) >= 0 ? state.tab : titles[0]);
    });
  }

  window.hivePreview = {
    /** Go to "Tab!A1" as Sheets would; false when the tab does not exist. */
    select: function (a1) {
      var where = parseA1(a1);
      if (!where || !state.book || !state.book.tabs.some(function (t) { return t.title === where.tab; })) {
        return false;
      }
      state.selected = where;
      $('selection').textContent = 'Selected ' + a1;
      show(where.tab);
      return true;
    },
    reload: load,
    ready: null
  };
  window.hivePreview.ready = load();
}());
