// google.script.run for the local preview: each server function of apps_script/Code.gs, done over
// HTTP against the local service's /v1 API and the preview's Policy-tab route. Loaded before the
// real Sidebar.html's own script; Messages.gs (served as messages.js) supplies the error words and
// Outcomes.gs (outcomes.js) reads the Outcomes tab as Code.gs does.
(function () {
  'use strict';
  var me = document.currentScript;
  var spreadsheetId = me.getAttribute('data-spreadsheet-id');
  var policyApi = me.getAttribute('data-preview-api');
  var workbookApi = me.getAttribute('data-workbook-api');
  var failures = [];
  var calls = [];

  function preview() {
    // The page around the sidebar (preview.js); absent when the sidebar is opened on its own.
    try { return window.parent !== window ? window.parent.hivePreview : null; } catch (e) { return null; }
  }

  function json(method, url, body) {
    var init = {method: method, headers: {Accept: 'application/json'}};
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = JSON.parse(text); } catch (e) { parsed = null; }
        if (response.ok && parsed !== null) return {ok: true, data: parsed};
        return {ok: false, error: hiveDescribeError(response.status, parsed)};
      });
    }, function (err) {
      return {ok: false, error: hiveLocalError('service_unreachable', String(err && err.message || err))};
    });
  }

  function refresh(answer) {
    var page = preview();
    if (answer.ok && page) page.reload();
    return answer;
  }

  // Reports.gs keeps the teacher's publish job id in User Properties; the preview keeps it here.
  var jobKey = 'HIVE_PUBLISH_JOB_' + spreadsheetId;

  function jobLine(job) {
    if (job.state === 'done' || job.state === 'failed') return job.message || '';
    return 'Publishing reports: ' + job.done + ' of ' + job.total;
  }

  var server = {
    startPublish: function () {
      return json('POST', '/v1/publish', {spreadsheet_id: spreadsheetId}).then(function (answer) {
        if (!answer.ok) return answer;
        window.localStorage.setItem(jobKey, answer.data.job.id);
        return {ok: true, job: answer.data.job, line: jobLine(answer.data.job), folder: null};
      });
    },
    publishStatus: function () {
      var jobId = window.localStorage.getItem(jobKey);
      if (!jobId) return Promise.resolve({ok: true, job: null});
      return json('GET', '/v1/jobs/' + encodeURIComponent(jobId)).then(function (answer) {
        if (!answer.ok) {
          if (answer.error.code !== 'job_not_found') return answer;
          window.localStorage.removeItem(jobKey);
          return {ok: true, job: null};
        }
        var job = answer.data.job;
        var out = {ok: true, job: job, line: jobLine(job)};
        if (job.state === 'done' || job.state === 'failed') {
          window.localStorage.removeItem(jobKey);
          if (job.result && job.result.folder_id) {
            out.folder = {id: job.result.folder_id,
                          url: 'https://drive.google.com/drive/folders/' + job.result.folder_id};
          }
        }
        return out;
      });
    },
    recompute: function (options) {
      return json('POST', '/v1/recompute',
        {spreadsheet_id: spreadsheetId, dry_run: Boolean(options && options.dryRun)}).then(refresh);
    },
    checkTemplate: function () {
      return json('POST', '/v1/validate', {spreadsheet_id: spreadsheetId});
    },
    selectCell: function (a1) {
      var page = preview();
      if (page && !page.select(String(a1))) {
        return Promise.resolve({ok: false, error: hiveLocalError('cell_not_found', 'Hive could not find ' + a1 + '.')});
      }
      return Promise.resolve({ok: true, cell: String(a1)});
    },
    getSidebarState: function () {
      return Promise.all([json('GET', '/v1/policies'), json('GET', policyApi)]).then(function (answers) {
        var policies = answers[0];
        return {
          ok: true,
          policyRows: answers[1].ok ? answers[1].data.rows : null,
          policies: policies.ok ? policies.data : [],
          policiesError: policies.ok ? null : policies.error
        };
      });
    },
    getOutcomes: function () {
      // Code.gs reads the tab's displayed values; here the preview's grid of the same workbook.
      return json('GET', workbookApi).then(function (answer) {
        if (!answer.ok) return answer;
        var tab = answer.data.tabs.filter(function (t) { return t.title === 'Outcomes'; })[0];
        var rows = tab ? tab.rows.map(function (row) { return row.map(function (c) { return c.v; }); }) : [];
        return {ok: true, outcomes: hiveOutcomeChoices(rows)};
      });
    },
    reteachGroups: function (outcomeId) {
      return json('POST', '/v1/groups', {spreadsheet_id: spreadsheetId, outcome_id: String(outcomeId || '')});
    },
    applyPolicy: function (name) {
      return json('GET', '/v1/policies').then(function (library) {
        if (!library.ok) return library;
        var policy = library.data.filter(function (p) { return p.name === name; })[0];
        if (!policy) {
          return {ok: false, error: hiveLocalError('policy_unknown', 'There is no policy called "' + name + '".')};
        }
        return json('PUT', policyApi, {rows: policy.rows || []}).then(function (written) {
          if (!written.ok) return written;
          return refresh({ok: true, policy: {name: policy.name, description: policy.description}, rows: policy.rows});
        });
      });
    }
  };

  function runner(success, failure) {
    var run = {
      withSuccessHandler: function (fn) { return runner(fn, failure); },
      withFailureHandler: function (fn) { return runner(success, fn); },
      withUserObject: function () { return run; }
    };
    Object.keys(server).forEach(function (name) {
      run[name] = function () {
        var args = Array.prototype.slice.call(arguments);
        calls.push({name: name, args: args});
        var failNow = failures.shift();
        // Like Apps Script: handlers run later, never inside the call; answers are copied.
        var result = failNow ? Promise.reject(new Error(failNow)) : server[name].apply(null, args);
        result.then(function (value) {
          if (success) success(JSON.parse(JSON.stringify(value)));
        }, function (err) {
          if (failure) failure(err instanceof Error ? err : new Error(String(err)));
        });
      };
    });
    return run;
  }

  window.google = {script: {run: runner(null, null), host: {close: function () {}}}};
  // For tests and for trying the error screens by hand: failNext('...PERMISSION_DENIED...') makes
  // the next server call fail the way Apps Script does when several accounts are signed in.
  window.hiveShim = {
    calls: calls,
    failNext: function (message) { failures.push(message); }
  };
}());
