/* Writes today's date in the toolbar, as the portal does. */
(function () {
  var el = document.getElementById("header_data");
  if (!el) { return; }
  var d = new Date(), w = ["日", "一", "二", "三", "四", "五", "六"];
  el.innerHTML = d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 星期" + w[d.getDay()];
})();
