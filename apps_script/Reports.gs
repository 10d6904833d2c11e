/**
 * Extensions > Hive > Publish student reports: one private report spreadsheet per student in a
 * Drive folder, through Hive's service. The add-on only finds the folder (remembered in Document
 * Properties, pasted by the teacher, or made here), confirms, and shows the counts.
 *
 * Why the add-on may make the folder: with the drive.file scope Drive shows Hive only files and
 * folders Hive created (or the teacher opened with Hive), so a folder made here is one the service
 * can always publish into; a folder the teacher made in Drive herself is invisible to it.
 */

var HIVE_REPORTS_FOLDER_PROPERTY = 'HIVE_REPORTS_FOLDER_ID';
var HIVE_REPORTS_FOLDER_NAME = 'Hive progress reports';
var HIVE_DRIVE_FILES_URL = 'https://www.googleapis.com/drive/v3/files';
var HIVE_FOLDER_MIME = 'application/vnd.google-apps.folder';

/** The folder id in a Drive folder address (".../folders/<id>", "...?id=<id>") or a bare id. */
function hiveFolderIdFrom_(text) {
  var value = String(text || '').trim();
  var match = /\/folders\/([A-Za-z0-9_-]+)/.exec(value) || /[?&]id=([A-Za-z0-9_-]+)/.exec(value);
  if (match) return match[1];
  return /^[A-Za-z0-9_-]{10,200}$/.test(value) ? value : null;
}

function hiveFolderUrl_(folderId) {
  return 'https://drive.google.com/drive/folders/' + folderId;
}

function hiveRememberedFolder_() {
  return PropertiesService.getDocumentProperties().getProperty(HIVE_REPORTS_FOLDER_PROPERTY);
}

/** A new folder in her My Drive, made with her token: drive.file lets Hive use it from then on. */
function hiveCreateReportsFolder_() {
  var response;
  try {
    response = UrlFetchApp.fetch(HIVE_DRIVE_FILES_URL + '?fields=id', {
      method: 'post',
      muteHttpExceptions: true,
      contentType: 'application/json',
      headers: {Authorization: 'Bearer ' + ScriptApp.getOAuthToken()},
      payload: JSON.stringify({name: HIVE_REPORTS_FOLDER_NAME, mimeType: HIVE_FOLDER_MIME})
    });
  } catch (err) {
    return {ok: false, error: hiveLocalError('folder_not_created', String(err && err.message || err))};
  }
  var body = null;
  try {
    body = JSON.parse(response.getContentText());
  } catch (err) {
    body = null;
  }
  if (response.getResponseCode() === 200 && body && body.id) return {ok: true, folderId: body.id};
  return {ok: false, error: hiveLocalError('folder_not_created',
    'Google Drive answered ' + response.getResponseCode() + ' when Hive asked for a new folder.')};
}

/**
 * Publish every student's report. `folder` is what the teacher typed: a folder address or id;
 * empty means the remembered folder, or a new one when none is remembered.
 */
function publishReports(folder) {
  var typed = String(folder || '').trim();
  var folderId = typed ? hiveFolderIdFrom_(typed) : hiveRememberedFolder_();
  if (typed && !folderId) {
    return {ok: false, error: hiveLocalError('folder_url_invalid',
      '"' + typed + '" is not the address of a Drive folder.')};
  }
  return hiveWithDocumentLock_(function () {
    var created = false;
    if (!folderId) {
      var made = hiveCreateReportsFolder_();
      if (!made.ok) return made;
      folderId = made.folderId;
      created = true;
    }
    var properties = PropertiesService.getDocumentProperties();
    var answer = hiveCallService_('post', '/v1/publish', {
      spreadsheet_id: SpreadsheetApp.getActiveSpreadsheet().getId(),
      folder_id: folderId
    });
    if (answer.ok) {
      properties.setProperty(HIVE_REPORTS_FOLDER_PROPERTY, folderId);
    } else if (answer.error.code === 'folder_not_found' && folderId === hiveRememberedFolder_()) {
      properties.deleteProperty(HIVE_REPORTS_FOLDER_PROPERTY);  // ask again next time
    }
    answer.folder = {id: folderId, url: hiveFolderUrl_(folderId), created: created};
    return answer;
  });
}

function menuPublishReports() {
  var ui = SpreadsheetApp.getUi();
  var remembered = hiveRememberedFolder_();
  var asked = ui.prompt('Publish student reports', remembered
    ? 'Hive publishes into the folder it used last time:\n' + hiveFolderUrl_(remembered) +
      '\n\nPress OK to use it, or paste the address of another folder Hive made.'
    : 'Paste the address of a Drive folder Hive made for reports, or leave this empty and Hive ' +
      'makes a folder "' + HIVE_REPORTS_FOLDER_NAME + '" in your Drive.',
    ui.ButtonSet.OK_CANCEL);
  if (asked.getSelectedButton() !== ui.Button.OK) return;
  var typed = asked.getResponseText();
  if (String(typed || '').trim() && !hiveFolderIdFrom_(typed)) {
    hiveAlertError_(hiveLocalError('folder_url_invalid',
      '"' + String(typed).trim() + '" is not the address of a Drive folder.'));
    return;
  }
  var sure = ui.alert('Publish a report for every student?',
    'Hive makes or updates one private report spreadsheet per student on the Roster and shares ' +
    'it read-only with their Student Email and Family Email, without sending an email. Students ' +
    'who left the Roster lose access to theirs. Do not share the folder itself with families.',
    ui.ButtonSet.YES_NO);
  if (sure !== ui.Button.YES) return;
  var answer = publishReports(typed);
  if (!answer.ok) {
    hiveAlertError_(answer.error);
    return;
  }
  ui.alert('Student reports published', hivePublishLine_(answer.data) + '\n\nFolder: ' +
    answer.folder.url, ui.ButtonSet.OK);
}

function hivePublishLine_(counts) {
  var n = function (count, one, many) { return count + ' ' + (count === 1 ? one : many); };
  return n(counts.created, 'new report', 'new reports') + ', ' +
    n(counts.updated, 'report', 'reports') + ' updated, ' +
    n(counts.retired, 'report', 'reports') + ' of students who left moved to the trash. ' +
    'Shared with ' + n(counts.shared, 'new address', 'new addresses') + '; access removed for ' +
    n(counts.unshared, 'address', 'addresses') + '.';
}
