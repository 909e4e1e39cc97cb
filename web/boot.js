// boot.js: a classic script, so that it runs where the page's modules cannot. If the
// page has not started (document.body.dataset.ready), it says in words what happened
// and what to do: opened as a file, a part or the WebAssembly library missing, a
// browser without WebAssembly. It deliberately does nothing once the page is up.
(function () {
  'use strict';
  var box = document.getElementById('boot-problem');
  var RUN = ' Serve the folder instead: <code>./build.sh serve</code> in the repository, or any static server in ' +
    '<code>dist/</code> (for example <code>python3 -m http.server</code>, then open http://localhost:8000/). ' +
    'Or open <code>dist/margin-losses.html</code>, the single file that works from a double-click.';
  var WHY = {
    file: 'This page was opened as a file, and browsers will not load its parts (ES modules) from files.' + RUN,
    part: 'A part of the page did not load (%s). A copy of the page needs its whole folder.' + RUN,
    wasm: 'The WebAssembly library did not load (%s). In the repository, <code>./build.sh build</code> makes it; ' +
      'a copy of <code>dist/</code> carries it.',
    nowasm: 'This browser has no WebAssembly, which the demo computes with. A current Chrome, Edge, Firefox or ' +
      'Safari has it.',
    error: 'The page stopped while starting: %s'
  };
  var shown = false;
  function escape(text) {
    return String(text).replace(/[&<>]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;' }[c]; });
  }
  function fail(kind, detail) {
    if (shown || document.body.dataset.ready === '1') return;
    if (kind === 'part' && location.protocol === 'file:') kind = 'file';   // a file's modules are blocked
    shown = true;
    box.innerHTML = '<strong>The demo could not start.</strong> ' + WHY[kind].replace('%s', escape(detail || ''));
    box.hidden = false;
    document.body.classList.add('boot-failed');
  }
  window.iamBootProblem = fail;
  if (typeof WebAssembly !== 'object') { fail('nowasm'); return; }
  function kindOf(message) {
    return /wasm|WebAssembly|run \.\/build\.sh build/i.test(message) ? 'wasm' : 'error';
  }
  // a script or module that failed to load: error events of elements reach window when captured
  window.addEventListener('error', function (event) {
    var target = event.target;
    if (target && target !== window && (target.src || target.href)) fail('part', target.src || target.href);
    else if (event.message) fail(kindOf(event.message), event.message);
  }, true);
  window.addEventListener('unhandledrejection', function (event) {
    var message = event.reason && event.reason.message ? event.reason.message : String(event.reason);
    fail(kindOf(message), message);
  });
  // modules blocked without an event (a page opened from a file): say so after a while
  setTimeout(function () { if (location.protocol === 'file:') fail('file'); }, 2500);
  setTimeout(function () { fail('error', 'it did not get ready in 20 s'); }, 20000);
}());
