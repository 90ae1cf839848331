// Refreshes the Email column of the Invitations tab while an invitation
// email is queued or being retried, so "Queued for sending" turns into
// "Sent ..." without a reload. The page works without this script.
(function () {
  'use strict';
  var tries = 0;
  function pending() {
    return document.querySelectorAll('td[data-delivery="pending"]');
  }
  function refresh() {
    if (pending().length === 0 || tries >= 20) return;
    tries += 1;
    fetch(window.location.href, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        pending().forEach(function (cell) {
          var row = cell.closest('tr');
          var again = row && row.id ? fresh.getElementById(row.id) : null;
          var now = again ? again.querySelector('td[data-delivery]') : null;
          if (now) {
            cell.textContent = now.textContent;
            cell.setAttribute('data-delivery', now.getAttribute('data-delivery'));
          }
        });
        window.setTimeout(refresh, 2000);
      }, function () {});
  }
  window.setTimeout(refresh, 1500);
}());
