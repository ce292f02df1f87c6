// The table page's live cell count: areas × periods × the other cells per row, updated as the
// form changes. Without JavaScript the count shown is the server's.
(function () {
  var f = document.querySelector('form[data-per-row]');
  if (!f) return;
  var perRow = Number(f.dataset.perRow);
  var timed = f.dataset.timed === 'true';
  var locale = f.dataset.locale;
  function count() {
    var a = f.querySelectorAll('#omraade option:checked').length || 1;
    var y = timed ? f.querySelectorAll('input[name=aar]:checked').length : 1;
    var k = (f.querySelector('input[name=periode]:checked') || {}).value;
    var per = k === 'maaned' ? 12 : k === 'kvartal' ? 4 : 1;
    document.getElementById('cells').textContent = (a * y * per * perRow).toLocaleString(locale);
  }
  f.addEventListener('change', count);
})();
