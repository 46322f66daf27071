// "Use my location" fills the hidden latitude/longitude fields; "Print" prints the list.
(function () {
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    if (!("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById(button.dataset.lat).value = pos.coords.latitude.toFixed(5);
        document.getElementById(button.dataset.lng).value = pos.coords.longitude.toFixed(5);
        button.closest("form").submit();
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
