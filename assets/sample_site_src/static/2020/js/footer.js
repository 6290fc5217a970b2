/* Asks before following a link that leaves the portal (the real site shows a dialog). */
(function () {
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[href^='http']") : null;
    if (!a || a.host === window.location.host) { return; }
    if (!window.confirm("您访问的链接即将离开“东莞市人民政府”门户网站，是否继续？")) { e.preventDefault(); }
  });
})();
