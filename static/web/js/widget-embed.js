// widget-embed.js — served as /b/{branch}/widget.js: the one line a
// municipality pastes, <script src="https://HOST/b/BRANCH/widget.js"></script>,
// becomes the branch's wait widget (an iframe of /b/{branch}/widget) where
// the script stands. It reads the host and the branch from its own address;
// data-lang="en" on the script tag chooses English. The widget tells its
// height, and the frame follows it.
(function () {
  var s = document.currentScript;
  if (!s || !s.src) return;
  var u = new URL(s.src, location.href);
  var m = u.pathname.match(/^(.*)\/b\/([^/]+)\/widget\.js$/);
  if (!m) return;
  var lang = s.getAttribute('data-lang') || u.searchParams.get('lang');
  var f = document.createElement('iframe');
  f.src = u.origin + m[1] + '/b/' + m[2] + '/widget' + (lang ? '?lang=' + encodeURIComponent(lang) : '');
  // The frame's name for screen readers, before its page has loaded (the
  // host page's language is unknown: both).
  f.title = s.getAttribute('data-title') || 'ΚΕΠ: αναμονή τώρα · KEP office: waiting now';
  f.loading = 'lazy';
  f.style.cssText = 'display:block;width:100%;max-width:30rem;height:320px;border:0;';
  s.parentNode.insertBefore(f, s);
  window.addEventListener('message', function (e) {
    var d = e.data;
    if (e.source === f.contentWindow && d && typeof d.seiraWidgetHeight === 'number') {
      f.style.height = Math.min(2000, Math.max(80, Math.ceil(d.seiraWidgetHeight))) + 'px';
    }
  });
})();
