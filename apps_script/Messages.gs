/**
 * What a teacher reads when something goes wrong: each service error code, and each failure of
 * Apps Script itself, becomes a title, the service's message and one thing to do next.
 *
 * Pure JavaScript with no Apps Script services, so the local preview loads this same file in the
 * browser and the words cannot drift between the add-on and the preview.
 */

/** Stable codes Hive's service answers with, beyond the ones below that only the add-on raises. */
var HIVE_ERROR_ADVICE = {
  token_missing: {
    title: 'Hive could not confirm who you are',
    action: 'Reload the spreadsheet and try again. If it keeps happening, remove Hive ' +
      '(Extensions > Add-ons > Manage add-ons) and install it again.'
  },
  token_invalid: {
    title: 'Hive could not confirm who you are',
    action: 'Reload the spreadsheet and try again.'
  },
  token_expired: {
    title: 'Your Google sign-in has expired',
    action: 'Reload the spreadsheet (your browser\'s reload button) and press Recompute again.'
  },
  token_wrong_audience: {
    title: 'This copy of the add-on is not the one Hive\'s service trusts',
    action: 'Ask whoever set up Hive at your school to check the add-on\'s Cloud project ' +
      '(docs/addon.md, "Service URL and sign-in").'
  },
  token_scope: {
    title: 'Hive is missing permission to edit this spreadsheet',
    action: 'Open Extensions > Hive > Open sidebar and accept the permissions Google asks for, ' +
      'then try again.'
  },
  sheets_forbidden: {
    title: 'You cannot edit this spreadsheet',
    action: 'Ask the owner to share it with you as an editor, or open it with the account that owns it.'
  },
  spreadsheet_not_found: {
    title: 'Google could not find this spreadsheet',
    action: 'Reload the spreadsheet. If it was just copied or restored from the trash, wait a minute ' +
      'and try again.'
  },
  template_invalid: {
    title: 'Hive cannot read this spreadsheet yet',
    action: 'Fix the cells listed below (click one to go to it), then press Recompute again.'
  },
  rate_limited: {
    title: 'Google is limiting how fast Hive can work',
    action: 'Nothing was written. Wait a minute, then press Recompute again.'
  },
  sheets_unavailable: {
    title: 'Google Sheets is not answering right now',
    action: 'Nothing was written. Try again in a minute.'
  },
  auth_unavailable: {
    title: 'Hive could not check your Google sign-in just now',
    action: 'Nothing was written. Google\'s sign-in check did not answer; try again in a minute.'
  },
  request_too_large: {
    title: 'That request was too large for Hive',
    action: 'Nothing was written. Reload the spreadsheet and try again; if it keeps happening, ' +
      'tell whoever set up Hive at your school.'
  },
  bad_request: {
    title: 'Hive did not understand the add-on\'s request',
    action: 'Nothing was written. Reload the spreadsheet so the newest add-on is used, then try again.'
  },
  internal_error: {
    title: 'Hive hit a problem on its side',
    action: 'Nothing was written. Try again; if it happens again, send the request id below to ' +
      'whoever set up Hive at your school.'
  },
  spreadsheet_too_large: {
    title: 'This spreadsheet is larger than Hive can handle in one go',
    action: 'Move old terms into another spreadsheet, then try again.'
  },
  busy: {
    title: 'Hive is already recomputing this spreadsheet',
    action: 'Someone (perhaps you, in another tab) pressed Recompute a moment ago. Wait for it to ' +
      'finish, then try again.'
  },
  service_unreachable: {
    title: 'Hive\'s service could not be reached',
    action: 'Check your internet connection and try again. If it keeps happening, tell whoever set ' +
      'up Hive at your school (the service address is in docs/addon.md).'
  },
  service_error: {
    title: 'Hive\'s service had a problem',
    action: 'Nothing was written. Try again; if it happens again, tell whoever set up Hive at your ' +
      'school and mention the time.'
  },
  authorization_required: {
    title: 'Hive needs your permission again',
    action: 'Hive was updated and asks Google for a permission you have not given yet. Close this ' +
      'sidebar, choose Extensions > Hive > Open sidebar again and accept what Google asks (reload ' +
      'the spreadsheet first if Google asks nothing).'
  },
  job_not_found: {
    title: 'Hive has no record of that publish',
    action: 'Publish the reports again: Hive updates the reports it already made, it never makes ' +
      'a second one.'
  },
  signed_in_twice: {
    title: 'Google could not tell which of your accounts to use',
    action: 'You are signed into more than one Google account in this browser. Open the ' +
      'spreadsheet in a window signed into one account only (a private or incognito window ' +
      'works), then open the Hive sidebar again.'
  },
  policy_unknown: {
    title: 'That policy is not in the policy library',
    action: 'Reopen the sidebar to load the current library, then pick again.'
  },
  folder_not_found: {
    title: 'Hive cannot use that Drive folder',
    action: 'Publish again and leave the folder empty: Hive makes a folder in your Drive that it ' +
      'can always publish into.'
  },
  folder_url_invalid: {
    title: 'That is not a Drive folder\'s address',
    action: 'Open the folder in Drive and copy the address from the browser bar ' +
      '(drive.google.com/drive/folders/...), or leave it empty for a new folder.'
  },
  outcome_not_found: {
    title: 'That outcome is not on the Outcomes tab',
    action: 'Reopen the sidebar to load the Outcomes tab again, then pick an outcome.'
  },
  cell_not_found: {
    title: 'Hive could not find that cell',
    action: 'The tab may have been renamed or deleted. Press Check template to refresh the list.'
  }
};

/**
 * An error the sidebar and the menu can show: {code, status, title, message, action, problems}.
 * `body` is the parsed JSON answer (or null when the answer was not JSON).
 */
function hiveDescribeError(status, body) {
  var error = body && typeof body === 'object' && body.error && typeof body.error === 'object'
    ? body.error : {};
  var code = typeof error.code === 'string' && error.code ? error.code : hiveCodeForStatus_(status);
  var advice = HIVE_ERROR_ADVICE[code] || HIVE_ERROR_ADVICE.service_error;
  var problems = Array.isArray(error.problems) ? error.problems : [];
  return {
    code: code,
    status: status,
    title: advice.title,
    message: typeof error.message === 'string' && error.message ? error.message : advice.title + '.',
    action: advice.action,
    problems: problems
  };
}

/** An error raised by the add-on itself (lock busy, service unreachable, unknown policy). */
function hiveLocalError(code, message) {
  var advice = HIVE_ERROR_ADVICE[code] || HIVE_ERROR_ADVICE.service_error;
  return {
    code: code,
    status: 0,
    title: advice.title,
    message: message || advice.title + '.',
    action: advice.action,
    problems: []
  };
}

/**
 * A failure of google.script.run itself (the server function never ran or threw). Two are known:
 * several Google accounts signed in at once, which Apps Script reports as PERMISSION_DENIED
 * (Google issue tracker 69270374), and "Authorization is required", which is Apps Script asking
 * for a scope the teacher has not granted yet (a new version of the add-on): she re-authorises.
 */
function hiveDescribeScriptFailure(failure) {
  var text = String(failure && failure.message !== undefined ? failure.message : failure || '');
  if (/authori[sz]ation is required/i.test(text)) {
    return hiveLocalError('authorization_required', text);
  }
  if (/PERMISSION_DENIED|multiple accounts/i.test(text)) {
    return hiveLocalError('signed_in_twice', text);
  }
  if (/network|failed to fetch|NetworkError|timed? ?out/i.test(text)) {
    return hiveLocalError('service_unreachable', text);
  }
  return hiveLocalError('service_error', text || 'The add-on stopped unexpectedly.');
}

/** When an answer carries no JSON error envelope (a proxy's HTML page), guess from the status. */
function hiveCodeForStatus_(status) {
  if (status === 401) return 'token_invalid';
  if (status === 403) return 'sheets_forbidden';
  if (status === 404) return 'spreadsheet_not_found';
  if (status === 409) return 'busy';
  if (status === 422) return 'template_invalid';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'sheets_unavailable';
  if (status === 502 || status === 504) return 'service_unreachable';
  return 'service_error';
}
