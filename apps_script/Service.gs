/**
 * The one way the add-on talks to Hive's service: JSON over HTTPS, signed with the teacher's own
 * Google token, every answer turned into {ok: true, data} or {ok: false, error}.
 */

/** Used when the Script Property HIVE_SERVICE_URL is not set; must match urlFetchWhitelist. */
var HIVE_DEFAULT_SERVICE_URL = 'https://hive-service.example.org';
var HIVE_SERVICE_URL_PROPERTY = 'HIVE_SERVICE_URL';

/** The service's base URL, without a trailing slash. */
function hiveServiceUrl_() {
  var configured = PropertiesService.getScriptProperties().getProperty(HIVE_SERVICE_URL_PROPERTY);
  var url = configured && String(configured).trim() ? String(configured).trim() : HIVE_DEFAULT_SERVICE_URL;
  return url.replace(/\/+$/, '');
}

/**
 * Calls the service and never throws: a refused connection, an HTML error page from a proxy and a
 * JSON error envelope all come back as {ok: false, error} a person can act on.
 */
function hiveCallService_(method, path, payload) {
  var options = {
    method: method,
    muteHttpExceptions: true,
    followRedirects: false,
    headers: {
      Authorization: 'Bearer ' + ScriptApp.getOAuthToken(),
      Accept: 'application/json'
    }
  };
  if (payload !== undefined) {
    options.contentType = 'application/json';
    options.payload = JSON.stringify(payload);
  }
  var response;
  try {
    response = UrlFetchApp.fetch(hiveServiceUrl_() + path, options);
  } catch (err) {
    // UrlFetchApp throws only when no answer came back at all (DNS, TLS, timeout, not whitelisted).
    return {ok: false, error: hiveLocalError('service_unreachable', String(err && err.message || err))};
  }
  var status = response.getResponseCode();
  var body = null;
  try {
    body = JSON.parse(response.getContentText());
  } catch (err) {
    body = null;
  }
  if (status >= 200 && status < 300 && body !== null) {
    return {ok: true, data: body};
  }
  return {ok: false, error: hiveDescribeError(status, body)};
}

/** A summary of one recompute or check, as the service returned it. */
function hiveRecompute_(dryRun) {
  return hiveCallService_('post', '/v1/recompute', {
    spreadsheet_id: SpreadsheetApp.getActiveSpreadsheet().getId(),
    dry_run: Boolean(dryRun)
  });
}

function hiveValidate_() {
  return hiveCallService_('post', '/v1/validate', {
    spreadsheet_id: SpreadsheetApp.getActiveSpreadsheet().getId()
  });
}

function hivePolicies_() {
  return hiveCallService_('get', '/v1/policies');
}
