// Download a chart of the page as SVG or PNG: the buttons under each chart carry the chart's
// id, the format and a file name. The SVG is the chart as drawn; the PNG is it drawn on a canvas
// at twice its size.
(function () {
  function save(blob, name) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function fileName(text, ext) {
    return (text || 'chart').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 80) + '.' + ext;
  }
  document.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-chart]');
    if (!b) return;
    var svg = document.getElementById(b.dataset.chart);
    if (!svg) return;
    var text = new XMLSerializer().serializeToString(svg);
    if (b.dataset.format === 'svg') {
      save(new Blob([text], { type: 'image/svg+xml' }), fileName(b.dataset.name, 'svg'));
      return;
    }
    var box = svg.viewBox.baseVal;
    var img = new Image();
    img.onload = function () {
      var c = document.createElement('canvas');
      c.width = box.width * 2;
      c.height = box.height * 2;
      var g = c.getContext('2d');
      g.fillStyle = '#fff';
      g.fillRect(0, 0, c.width, c.height);
      g.drawImage(img, 0, 0, c.width, c.height);
      c.toBlob(function (png) { save(png, fileName(b.dataset.name, 'png')); }, 'image/png');
    };
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
  });
})();
