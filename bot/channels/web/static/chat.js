/* The web chat page: quick exit first, then the conversation over /api/chat.
 *
 * No library, no build step. Text is only ever set with textContent (the CSP's Trusted Types
 * would refuse HTML anyway). What the page keeps lives in sessionStorage (this tab only, gone
 * when the tab closes or on exit), never in localStorage or a cookie of its own.
 */
(function () {
  "use strict";

  var body = document.body;
  var data = body.dataset;
  var STORE = "fc";
  var EXIT_URL = data.exitUrl;
  var EMBED_ORIGINS = (data.embedOrigins || "").split(" ").filter(Boolean);
  var state = null;
  var leaving = false;

  function t(name) {
    return data["t" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
  }

  function $(id) {
    return document.getElementById(id);
  }

  // ---- quick exit: the button, Shift pressed three times, and coming back ------------------

  function forgetOnServer() {
    if (state && state.csrf && navigator.sendBeacon) {
      navigator.sendBeacon("/api/exit", JSON.stringify({ csrf: state.csrf }));
    }
  }

  function tellEmbedder() {
    if (window.parent === window) return;
    EMBED_ORIGINS.forEach(function (origin) {
      try {
        window.parent.postMessage({ type: "firstcontact:exit", url: EXIT_URL }, origin);
      } catch (e) { /* a wrong origin is dropped by the browser */ }
    });
  }

  function exitNow(event) {
    if (event) event.preventDefault();
    if (leaving) return;
    leaving = true;
    document.documentElement.classList.add("leaving");
    $("cover").hidden = false;
    $("log").textContent = "";
    $("text").value = "";
    document.title = "";
    forgetOnServer();
    state = null;
    try { sessionStorage.clear(); } catch (e) { /* storage switched off */ }
    tellEmbedder();
    if (window.top !== window) {
      try { window.top.location.replace(EXIT_URL); } catch (e) { /* not allowed: frame only */ }
    }
    window.location.replace(EXIT_URL);
  }

  $("exit").addEventListener("click", exitNow);

  // GOV.UK counts Shift presses; here a press only counts when Shift went down and up with no
  // other key in between, so capitals typed with Shift (even with rollover) never count.
  var taps = 0;
  var tapTimer = null;
  var shiftHeld = false;
  var shiftUsed = false;

  function resetTaps() {
    taps = 0;
    if (tapTimer) clearTimeout(tapTimer);
    tapTimer = null;
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Shift") {
      if (!e.repeat) {
        shiftHeld = true;
        shiftUsed = false;
      }
      return;
    }
    shiftUsed = true;
    resetTaps();
  }, true);

  document.addEventListener("keyup", function (e) {
    if (e.key !== "Shift") return;
    var clean = shiftHeld && !shiftUsed && !e.isComposing;
    shiftHeld = false;
    if (!clean) {
      resetTaps();
      return;
    }
    taps += 1;
    if (taps >= 3) {
      resetTaps();
      exitNow();
      return;
    }
    $("alert").textContent = t("shiftMore").replace("{n}", String(3 - taps));
    if (!tapTimer) tapTimer = setTimeout(resetTaps, 5000);
  }, true);

  window.addEventListener("blur", function () {
    shiftHeld = false;
    resetTaps();
  });

  // Back after an exit may bring this page out of the browser's cache: show nothing of it.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && (leaving || !load())) reset();
  });

  // ---- what this tab remembers -------------------------------------------------------

  function load() {
    try {
      var raw = sessionStorage.getItem(STORE);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function save() {
    if (!state) return;
    try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* full or off */ }
  }

  function fresh() {
    return { csrf: "", ack: 0, items: [], pending: [], started: false };
  }

  function reset() {
    leaving = false;
    state = null;
    try { sessionStorage.removeItem(STORE); } catch (e) { /* off */ }
    document.documentElement.classList.remove("leaving");
    $("cover").hidden = true;
    $("log").textContent = "";
    $("log").hidden = true;
    $("composer").hidden = true;
    $("notice").hidden = true;
    $("status").textContent = "";
    $("intro").hidden = false;
  }

  // ---- showing messages ----------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function who(name) {
    return el("span", "visually-hidden", name + ": ");
  }

  function paragraphs(parent, text) {
    text.split(/\n{2,}/).forEach(function (block) {
      var p = el("p");
      block.split("\n").forEach(function (line, i) {
        if (i) p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(line));
      });
      parent.appendChild(p);
    });
  }

  function card(c) {
    var box = el("div", "card");
    box.appendChild(el("p", "card-title", c.title));
    c.lines.forEach(function (line) {
      var p = el("p");
      if (c.tel && c.phone && line.indexOf(c.phone) !== -1) {
        var a = el("a", "call", line);
        a.href = c.tel;
        p.appendChild(a);
      } else {
        p.textContent = line;
      }
      box.appendChild(p);
    });
    c.links.forEach(function (link) {
      var a = el("a", "link", link.label);
      a.href = link.url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      var p = el("p");
      p.appendChild(a);
      box.appendChild(p);
    });
    return box;
  }

  function showBot(m) {
    var li = el("div", "msg bot" + (m.urgent ? " urgent" : ""));
    li.appendChild(who(t("bot")));
    paragraphs(li, m.text);
    m.cards.forEach(function (c) { li.appendChild(card(c)); });
    if (m.buttons.length) {
      var group = el("div", "choices");
      group.setAttribute("role", "group");
      m.buttons.forEach(function (b) {
        var button = el("button", "choice" + (b.data.indexOf("i|emergency|") === 0 ? " danger" : ""), b.label);
        button.type = "button";
        button.dataset.data = b.data;
        group.appendChild(button);
      });
      li.appendChild(group);
    }
    $("log").appendChild(li);
    if (m.urgent) $("alert").textContent = m.text;
    return li;
  }

  function showMine(item) {
    var li = el("div", "msg me");
    li.appendChild(who(t("me")));
    li.appendChild(document.createTextNode(item.text));
    if (item.pending) li.appendChild(el("span", "state", t("sending")));
    li.dataset.id = item.id || "";
    $("log").appendChild(li);
    return li;
  }

  function show(item) {
    return item.k === "bot" ? showBot(item.m) : showMine(item);
  }

  function markSent(id) {
    state.items.forEach(function (item) {
      if (item.id === id) item.pending = false;
    });
    var li = $("log").querySelector('.msg[data-id="' + id + '"] .state');
    if (li) li.remove();
  }

  function notice(text, restart, openTab) {
    $("notice-text").textContent = text;
    $("notice").hidden = false;
    $("restart").hidden = !restart;
    $("open-tab").hidden = !openTab;
  }

  function openChat() {
    $("intro").hidden = true;
    $("log").hidden = false;
    $("composer").hidden = false;
    $("notice").hidden = true;
  }

  // ---- talking to the server -----------------------------------------------------------

  var busy = false;
  var delay = 1000;

  function newId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function post(cmd) {
    var headers = { "Content-Type": "application/json" };
    if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
    return fetch("/api/chat", {
      method: "POST",
      headers: headers,
      body: JSON.stringify(cmd),
      credentials: "same-origin",
      cache: "no-store",
    });
  }

  function handle(events) {
    var last = null;
    events.forEach(function (ev) {
      if (ev.type === "chat_started" || ev.type === "chat_resumed") {
        state.csrf = ev.csrf;
      } else if (ev.type === "msg_out" && ev.msg_id > state.ack) {
        state.ack = ev.msg_id;
        state.items.push({ k: "bot", m: ev });
        var li = showBot(ev);
        if (!last) last = li;
      } else if (ev.type === "chat_forgotten") {
        state = fresh();
        try { sessionStorage.removeItem(STORE); } catch (e) { /* off */ }
        $("composer").hidden = true;
        notice(t("gone"), true, false);
      }
    });
    if (last) last.scrollIntoView({ block: "start" });
  }

  function retryLater(wait) {
    busy = false;
    setTimeout(pump, wait);
  }

  function pump() {
    if (busy || !state || !state.pending.length) return;
    busy = true;
    var cmd = state.pending[0];
    if (cmd.type !== "start_chat" || cmd.resume) cmd.ack = state.ack;
    post(cmd).then(function (response) {
      return response.json().then(function (json) {
        return { status: response.status, json: json, retry: response.headers.get("Retry-After") };
      }, function () {
        return { status: response.status, json: {} };
      });
    }).then(function (res) {
      if (!state) return;
      $("status").textContent = "";
      if (res.status === 200) {
        delay = 1000;
        state.pending.shift();
        if (cmd.id) markSent(cmd.id);
        handle(res.json.events || []);
        save();
        busy = false;
        pump();
      } else if (res.status === 429) {
        $("status").textContent = t("slowDown");
        retryLater(1000 * (parseInt(res.retry, 10) || 2));
      } else if (res.status === 401 || res.status === 403) {
        // The server knows no chat for this tab: erased, expired, or (in a frame) a cookie
        // the browser would not keep because another site embeds the chat.
        var framed = res.json.error === "no_chat" && window.parent !== window;
        state = fresh();
        try { sessionStorage.removeItem(STORE); } catch (e) { /* off */ }
        busy = false;
        $("composer").hidden = true;
        notice(framed ? t("noCookie") : t("gone"), true, framed);
      } else if (res.status >= 500) {
        $("status").textContent = t("trouble");
        delay = Math.min(delay * 2, 30000);
        retryLater(delay);
      } else {
        state.pending.shift();  // refused as malformed: sending it again would not help
        $("status").textContent = t("trouble");
        save();
        busy = false;
        pump();
      }
    }, function () {
      $("status").textContent = t("offline");
      delay = Math.min(delay * 2, 30000);
      retryLater(delay);
    });
  }

  function queue(cmd) {
    state.pending.push(cmd);
    save();
    pump();
  }

  function say(text) {
    var item = { k: "me", text: text, id: newId(), pending: true };
    state.items.push(item);
    showMine(item).scrollIntoView({ block: "end" });
    queue({ type: "send_msg", id: item.id, text: text });
  }

  function press(button) {
    var item = { k: "me", text: button.textContent, id: newId(), pending: true };
    state.items.push(item);
    showMine(item).scrollIntoView({ block: "end" });
    queue({ type: "press", id: item.id, data: button.dataset.data });
  }

  function begin() {
    state = fresh();
    state.started = true;
    openChat();
    $("log").textContent = "";
    queue({ type: "start_chat", locale: document.documentElement.lang });
    $("text").focus();
  }

  $("start").addEventListener("click", begin);
  $("restart").addEventListener("click", begin);

  $("log").addEventListener("click", function (e) {
    var button = e.target.closest("button.choice");
    if (button && state && !leaving) press(button);
  });

  $("composer").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("text").value;
    if (!text.trim() || !state) return;
    $("text").value = "";
    say(text);
  });

  $("text").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });

  // ---- a reload or a new visit in this tab continues the conversation ------------------

  state = load();
  if (state && state.started) {
    openChat();
    state.items.forEach(show);
    var last = $("log").lastElementChild;
    if (last) last.scrollIntoView({ block: "end" });
    if (!state.pending.some(function (c) { return c.type === "start_chat"; })) {
      state.pending.unshift({ type: "start_chat", resume: true });
    }
    pump();
  } else {
    state = null;
  }
})();
