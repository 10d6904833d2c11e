/**
 * Publish school reports, from the school workbook's menu: one call to Hive's service, which
 * publishes as a job (a cross-course report spreadsheet per student, shared with the student and
 * family; a sheet per mentor, shared with that mentor only). The add-on remembers the job's id
 * (User Properties, per spreadsheet); choosing the item again shows how far the job got, and once
 * it is finished, its result (with any gradebook Hive could not open). One service call a click.
 */

var HIVE_SCHOOL_PUBLISH_JOB_PROPERTY = 'HIVE_SCHOOL_PUBLISH_JOB_';  // + the spreadsheet's id

function hiveSchoolJobKey_() {
  return HIVE_SCHOOL_PUBLISH_JOB_PROPERTY + SpreadsheetApp.getActiveSpreadsheet().getId();
}

function menuPublishSchool() {
  var ui = SpreadsheetApp.getUi();
  var properties = PropertiesService.getUserProperties();
  var jobId = properties.getProperty(hiveSchoolJobKey_());
  if (jobId) {
    var followed = hiveCallService_('get', '/v1/jobs/' + encodeURIComponent(jobId));
    if (followed.ok) {
      var job = followed.data.job;
      if (job.state !== 'done' && job.state !== 'failed') {
        ui.alert('Publishing school reports', 'Hive is publishing: ' + job.done + ' of ' +
          job.total + ' files so far. Choose this item again to see how far it got.',
          ui.ButtonSet.OK);
        return;
      }
      properties.deleteProperty(hiveSchoolJobKey_());
      ui.alert(job.state === 'done' ? 'School reports published' : 'School publishing stopped',
        job.message || '', ui.ButtonSet.OK);
      return;
    }
    if (followed.error.code !== 'job_not_found') {
      hiveAlertError_(followed.error);
      return;
    }
    properties.deleteProperty(hiveSchoolJobKey_());
  }
  var sure = ui.alert('Publish the school\'s reports?',
    'Hive reads every gradebook on the Gradebooks tab and makes or updates, in your Drive, one ' +
    'private cross-course report spreadsheet per student, shared read-only with the student\'s ' +
    'and family\'s Roster emails, and one sheet per mentor holding only their mentees, shared ' +
    'with that mentor only. No email is sent. Do not share the folder itself.',
    ui.ButtonSet.YES_NO);
  if (sure !== ui.Button.YES) return;
  var answer = hiveCallService_('post', '/v1/school/publish',
    {spreadsheet_id: SpreadsheetApp.getActiveSpreadsheet().getId()});
  if (!answer.ok) {
    hiveAlertError_(answer.error);
    return;
  }
  properties.setProperty(hiveSchoolJobKey_(), answer.data.job.id);
  ui.alert('Publishing school reports', 'Hive started publishing ' + answer.data.job.total +
    ' files; it carries on without you. Choose this item again to see how far it got.',
    ui.ButtonSet.OK);
}
