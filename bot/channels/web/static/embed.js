/* For a site that embeds the chat in an iframe: when the chat's quick exit is used inside the
 * frame, this page too is covered and replaced, so Back does not return to it.
 *
 * <script src="embed.js" data-chat-origin="https://chat.example.org"></script>
 * Only messages from that origin are obeyed; the exit address comes from this tag
 * (data-exit-url) or else from the chat, and must be an http(s) address.
 */
(function () {
  "use strict";
  var tag = document.currentScript;
  var CHAT_ORIGIN = tag && tag.dataset.chatOrigin;
  var OWN_EXIT = tag && tag.dataset.exitUrl;
  if (!CHAT_ORIGIN) return;

  window.addEventListener("message", function (e) {
    if (e.origin !== CHAT_ORIGIN || !e.data || e.data.type !== "firstcontact:exit") return;
    var url = OWN_EXIT || e.data.url;
    if (!/^https?:\/\//.test(String(url))) return;
    var cover = document.createElement("div");
    cover.style.cssText = "position:fixed;inset:0;background:#fff;z-index:2147483647";
    document.body.appendChild(cover);
    document.title = "";
    try { sessionStorage.clear(); } catch (err) { /* storage switched off */ }
    window.location.replace(url);
  });
})();
