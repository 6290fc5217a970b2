/* Shared helpers of the sample portal. */
function doZoom(size) {
  var el = document.getElementById("content1");
  if (el) { el.style.fontSize = size + "px"; }
}
