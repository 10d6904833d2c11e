/**
 * Publish student reports: one private report spreadsheet per student, published by Hive's
 * service as a job that runs in steps (it outlives any one call). The add-on starts the job,
 * remembers its id (User Properties, per spreadsheet) so a reopened sidebar finds it again, and
 * asks the service how far it got. No call here waits on the publishing itself.
 *
 * The folder: with the drive.file scope Drive shows Hive only files and folders Hive created, so
 * when no folder is given the job makes (or finds again) its own "Hive progress reports" folder;
 * its id comes back in the result and is remembered (Document Properties) for next time. The
 * add-on itself never calls Drive.
 */

var HIVE_REPORTS_FOLDER_PROPERTY = 'HIVE_REPORTS_FOLDER_ID';
var HIVE_REPORTS_FOLDER_NAME = 'Hive progress reports';
var HIVE_PUBLISH_JOB_PROPERTY = 'HIVE_PUBLISH_JOB_';  // + the spreadsheet's id

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

function hiveJobKey_() {
  return HIVE_PUBLISH_JOB_PROPERTY + SpreadsheetApp.getActiveSpreadsheet().getId();
}

/**
 * Start publishing every student's report. `folder` is what the teacher typed: a folder address
 * or id; empty means the remembered folder, or (none remembered) a folder the job makes.
 * Answers {ok, job, folder} at once; the sidebar follows the job with publishStatus().
 */
function startPublish(folder) {
  var typed = String(folder || '').trim();
  var folderId = typed ? hiveFolderIdFrom_(typed) : hiveRememberedFolder_();
  if (typed && !folderId) {
    return {ok: false, error: hiveLocalError('folder_url_invalid',
      '"' + typed + '" is not the address of a Drive folder.')};
  }
  var body = {spreadsheet_id: SpreadsheetApp.getActiveSpreadsheet().getId()};
  if (folderId) body.folder_id = folderId;
  var answer = hiveCallService_('post', '/v1/publish', body);
  if (!answer.ok) {
    if (answer.error.code === 'folder_not_found' && folderId && folderId === hiveRememberedFolder_()) {
      PropertiesService.getDocumentProperties().deleteProperty(HIVE_REPORTS_FOLDER_PROPERTY);
    }
    return answer;
  }
  var job = answer.data.job;
  PropertiesService.getUserProperties().setProperty(hiveJobKey_(), job.id);
  return {ok: true, job: job, line: hiveJobLine_(job),
    folder: folderId ? {id: folderId, url: hiveFolderUrl_(folderId)} : null};
}

/**
 * The teacher's publish of this spreadsheet, if she started one: {ok, job (or null), line}.
 * A finished job is forgotten once reported, and its folder is remembered for next time.
 */
function publishStatus() {
  var properties = PropertiesService.getUserProperties();
  var jobId = properties.getProperty(hiveJobKey_());
  if (!jobId) return {ok: true, job: null};
  var answer = hiveCallService_('get', '/v1/jobs/' + encodeURIComponent(jobId));
  if (!answer.ok) {
    if (answer.error.code === 'job_not_found') {
      properties.deleteProperty(hiveJobKey_());
      return {ok: true, job: null};
    }
    return answer;
  }
  var job = answer.data.job;
  var out = {ok: true, job: job, line: hiveJobLine_(job)};
  if (job.state === 'done' || job.state === 'failed') {
    properties.deleteProperty(hiveJobKey_());
    var folderId = job.result && job.result.folder_id;
    if (folderId) {
      PropertiesService.getDocumentProperties().setProperty(HIVE_REPORTS_FOLDER_PROPERTY, folderId);
      out.folder = {id: folderId, url: hiveFolderUrl_(folderId)};
    }
  }
  return out;
}

/** The words under the progress bar. */
function hiveJobLine_(job) {
  if (job.state === 'done' || job.state === 'failed') return job.message || '';
  return 'Publishing reports: ' + job.done + ' of ' + job.total;
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
  var answer = startPublish(typed);
  if (!answer.ok) {
    hiveAlertError_(answer.error);
    return;
  }
  // The job runs on without her: the sidebar shows how far it got, and finds it when reopened.
  showSidebar();
}
