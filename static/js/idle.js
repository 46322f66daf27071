// Automatic logoff warning. The server ends the session after data-timeout idle seconds;
// two minutes before, this offers to stay signed in (a POST to data-keepalive), and at the
// end reloads so the server shows the sign-in page.
(function () {
  "use strict";
  var script = document.currentScript;
  var timeout = parseInt(script.getAttribute("data-timeout"), 10);
  var keepAliveUrl = script.getAttribute("data-keepalive");
  if (!timeout || !keepAliveUrl) return;
  var WARN_BEFORE = Math.min(120, Math.floor(timeout / 2));
  var warnTimer = null;
  var endTimer = null;
  var dialog = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function hideWarning() {
    if (dialog) {
      dialog.remove();
      dialog = null;
    }
  }

  function showWarning() {
    if (dialog) return;
    dialog = document.createElement("div");
    dialog.className = "idle-warning";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", "idle-warning-title");
    var title = document.createElement("p");
    title.id = "idle-warning-title";
    title.textContent =
      "You will be signed out in two minutes because of inactivity, to protect the records here.";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Stay signed in";
    button.addEventListener("click", stayAlive);
    dialog.appendChild(title);
    dialog.appendChild(button);
    document.body.appendChild(dialog);
    button.focus();
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    hideWarning();
    warnTimer = setTimeout(showWarning, (timeout - WARN_BEFORE) * 1000);
    endTimer = setTimeout(function () {
      window.location.reload();
    }, (timeout + 2) * 1000);
  }

  function stayAlive() {
    fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (response.ok) {
        schedule();
      } else {
        window.location.reload();
      }
    });
  }

  // Any htmx request also counts as activity on the server.
  document.addEventListener("htmx:afterRequest", schedule);
  schedule();
})();
