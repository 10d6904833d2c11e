/**
 * The Outcomes tab's IDs and wording, for the sidebar's Reteach groups picker. Pure JavaScript
 * with no Apps Script services, so the local preview loads this same file in the browser.
 */

/**
 * [{id, text}] from the Outcomes tab's displayed rows: the header row is the first of the top five
 * with an "Outcome ID" cell; the wording is its "Outcome" column. Blank IDs are skipped, repeats
 * kept once. No header: an empty list (the service's Check template explains why).
 */
function hiveOutcomeChoices(rows) {
  var clean = function (cell) { return String(cell === null || cell === undefined ? '' : cell).trim(); };
  var grid = Array.isArray(rows) ? rows : [];
  for (var h = 0; h < Math.min(grid.length, 5); h++) {
    var header = (grid[h] || []).map(function (cell) { return clean(cell).toLowerCase(); });
    var idColumn = header.indexOf('outcome id');
    if (idColumn < 0) continue;
    var textColumn = header.indexOf('outcome');
    var seen = {};
    var out = [];
    grid.slice(h + 1).forEach(function (row) {
      var id = clean((row || [])[idColumn]);
      if (!id || seen[id]) return;
      seen[id] = true;
      out.push({id: id, text: textColumn < 0 ? '' : clean(row[textColumn])});
    });
    return out;
  }
  return [];
}
