// The table builder: search in a variable's values, select all or none, swap rows and
// columns, the live cell count, and saving the query through the API. Everything works without
// it (plain checkboxes and a submit button); this makes long lists quicker to use.
(function () {
  var f = document.getElementById('builder');
  if (!f) return;
  var locale = f.dataset.locale;
  var limit = Number(f.dataset.cellsLimit);

  function boxes(v) { return f.querySelectorAll('#choices-' + CSS.escape(v) + ' input[type=checkbox]'); }
  function visible(b) { return b.closest('label').style.display !== 'none'; }
  function checkedCount(v) {
    var n = 0;
    boxes(v).forEach(function (b) { if (b.checked) n++; });
    return n;
  }
  function count() {
    var cells = 1;
    f.querySelectorAll('fieldset.variable').forEach(function (fs) {
      var v = fs.dataset.var;
      var n = checkedCount(v);
      var latest = Number((f.querySelector('#seneste') || {}).value || 0);
      if (v === 'tid' && latest > 0) n = Math.min(n || latest, latest);
      var c = fs.querySelector('.count');
      if (c) c.textContent = n;
      cells *= Math.max(n, 1);
    });
    var out = document.getElementById('cells');
    if (!out) return;
    out.textContent = cells.toLocaleString(locale);
    out.style.color = cells > limit ? '#a61c00' : '';
  }
  f.addEventListener('change', count);
  f.addEventListener('input', function (e) {
    var v = e.target.dataset && e.target.dataset.filter;
    if (!v) return;
    var text = e.target.value.toLowerCase();
    boxes(v).forEach(function (b) {
      var label = b.closest('label');
      label.style.display = label.textContent.toLowerCase().indexOf(text) >= 0 ? '' : 'none';
    });
  });
  f.addEventListener('click', function (e) {
    var t = e.target;
    if (t.dataset.all || t.dataset.none) {
      var v = t.dataset.all || t.dataset.none;
      boxes(v).forEach(function (b) { if (visible(b)) b.checked = !!t.dataset.all; });
      count();
    }
    if (t.id === 'swap') {
      var r = f.querySelector('#raekker'), c = f.querySelector('#kolonner');
      var x = r.value; r.value = c.value; c.value = x;
    }
  });
  // Changing the period type shows that type's periods (the periods of the old type are not
  // sent); with "the latest N" the periods are not sent either, so that the page's address
  // follows new periods.
  function dropPeriods() { boxes('tid').forEach(function (b) { b.disabled = true; }); }
  f.querySelectorAll('input[name=periode]').forEach(function (r) {
    r.addEventListener('change', function () { dropPeriods(); f.submit(); });
  });
  f.addEventListener('submit', function () {
    var latest = Number((f.querySelector('#seneste') || {}).value || 0);
    if (latest > 0) dropPeriods();
  });

  // Save the query: the selection of the form as the API reads it (the latest N periods as
  // TOP(N), so that the saved query follows new periods).
  var save = document.getElementById('save-query');
  if (save) {
    save.addEventListener('click', function () {
      var selection = [];
      f.querySelectorAll('fieldset.variable').forEach(function (fs) {
        var v = fs.dataset.var;
        var codes = [];
        boxes(v).forEach(function (b) { if (b.checked) codes.push(b.value); });
        var latest = Number((f.querySelector('#seneste') || {}).value || 0);
        if (v === 'tid' && latest > 0) codes = ['TOP(' + latest + ')'];
        if (codes.length) selection.push({ variableCode: v, valueCodes: codes });
      });
      var body = {
        tableId: save.dataset.table,
        language: save.dataset.lang,
        selection: { selection: selection },
      };
      var out = document.getElementById('saved-query');
      fetch('/api/v2/savedqueries', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
        .then(function (res) {
          if (res[0] !== 201) { out.textContent = res[1].detail || res[0]; return; }
          var href = '/api/v2/savedqueries/' + res[1].id + '/data';
          out.innerHTML = '';
          var a = document.createElement('a');
          a.href = href; a.textContent = location.origin + href;
          out.appendChild(a);
        });
    });
  }
  count();
})();
