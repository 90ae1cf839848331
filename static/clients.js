// Copy buttons beside a new client's id and secret. The buttons stay
// hidden without this script; the values can still be selected and copied
// by hand.
(function () {
  'use strict';
  var status = document.getElementById('copy-status');
  function say(text) {
    if (status) status.textContent = text;
  }
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        say('Copied.');
      }, function () {
        say('Copying failed; select the text and copy it by hand.');
      });
    });
  });
}());
