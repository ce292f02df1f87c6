// Finders: filter a list of cards (the tables) or of links (the municipalities) as the reader
// types. Without JavaScript the same search is done by the server when the form is sent.
(function () {
  document.querySelectorAll('input[data-filter-cards], input[data-filter-list]').forEach(function (input) {
    var target = document.getElementById(input.dataset.filterCards || input.dataset.filterList);
    if (!target) return;
    input.addEventListener('input', function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      target.querySelectorAll('[data-text]').forEach(function (el) {
        var text = el.dataset.text;
        el.style.display = words.every(function (w) { return text.indexOf(w) >= 0; }) ? '' : 'none';
      });
    });
  });
})();
