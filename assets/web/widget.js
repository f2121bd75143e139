// faqbot's chat widget. One tag embeds it on any page:
//   <script src="https://faq.example.com/widget.js" data-lang="auto"></script>
// It adds a launcher button and a chat panel that talk to faqbot's JSON API (POST /api/chat). Plain JS, no
// dependencies and no build step: faqbot serves this file from its binary, with its texts and styles written in.
// Attributes: data-api (the API's base URL; default: where this script came from), data-lang (en, zh or auto: the
// page's language), data-mode (launcher, the default, or page: the panel fills the page), data-open (true: open
// at once). No cookies: the conversation's name is a random id kept in sessionStorage for the tab.
(function () {
  "use strict";
  var TEXTS = /*FAQBOT_TEXTS*/ {};
  var CSS = /*FAQBOT_CSS*/ "";
  var script = document.currentScript;
  if (!script || window.faqbotWidget) {
    return; // Not loaded by a script tag, or embedded twice.
  }
  var settings = script.dataset;
  var base = new URL(settings.api || ".", script.src).href.replace(/\/?$/, "/");
  var pageMode = settings.mode === "page";
  var language = pickLanguage(settings.lang);
  var session = sessionName();
  var started = false;
  var busy = 0;

  /// The language to greet in: as the tag says, else the host page's; the chat page (which is faqbot's own, in
  /// English) follows the browser's.
  function pickLanguage(wanted) {
    var page = pageMode ? "" : document.documentElement.lang;
    var code = wanted && wanted !== "auto" ? wanted : page || navigator.language || "en";
    return /^zh/i.test(code) ? "zh" : "en";
  }

  function texts() {
    return TEXTS[language] || TEXTS.en;
  }

  function sessionName() {
    var key = "faqbot-session";
    try {
      var kept = window.sessionStorage.getItem(key);
      if (kept) {
        return kept;
      }
    } catch (e) {
      // Storage refused (privacy settings): the id lasts as long as the page.
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var name = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    try {
      window.sessionStorage.setItem(key, name);
    } catch (e) {
      // As above.
    }
    return name;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /// A speech bubble, drawn rather than an emoji, which not every system has a font for.
  function icon() {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  var style = element("style");
  style.id = "faqbot-style";
  style.textContent = CSS;
  document.head.appendChild(style);

  var root = element("div", "faqbot-root" + (pageMode ? " faqbot-page" : ""));
  var panel = element("section", "faqbot-panel");
  panel.id = "faqbot-panel";
  panel.setAttribute("aria-labelledby", "faqbot-title");
  if (!pageMode) {
    panel.setAttribute("role", "dialog");
    panel.hidden = true;
  }
  var header = element("div", "faqbot-header");
  var title = element("h2");
  title.id = "faqbot-title";
  var close = element("button", "faqbot-close", "\u00d7");
  close.type = "button";
  header.appendChild(title);
  header.appendChild(close);
  var log = element("div", "faqbot-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.tabIndex = 0; // A scrolling region must be reachable with the keyboard.
  var form = element("form", "faqbot-form");
  var label = element("label", "faqbot-visually-hidden");
  label.htmlFor = "faqbot-input";
  var input = element("textarea");
  input.id = "faqbot-input";
  input.rows = 1;
  input.maxLength = 2000;
  input.setAttribute("enterkeyhint", "send");
  var send = element("button", "faqbot-send");
  send.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(form);
  var launcher = element("button", "faqbot-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-controls", "faqbot-panel");
  launcher.setAttribute("aria-expanded", "false");
  if (!pageMode) {
    root.appendChild(launcher);
  }
  root.appendChild(panel);

  /// The interface in the current language: the title, the labels, the placeholder.
  function showLanguage() {
    var t = texts();
    root.lang = language === "zh" ? "zh-Hans" : "en";
    title.textContent = t.title;
    launcher.textContent = t.open;
    launcher.insertBefore(icon(), launcher.firstChild);
    close.setAttribute("aria-label", t.close);
    close.title = t.close;
    label.textContent = t.inputLabel;
    input.placeholder = t.placeholder;
    send.textContent = t.send;
    if (pageMode) {
      document.title = t.title;
      document.documentElement.lang = root.lang;
    }
  }

  function setLanguage(code) {
    if (code && code !== language && TEXTS[code]) {
      language = code;
      showLanguage();
    }
  }

  function reveal(node) {
    log.appendChild(node);
    // The start of the newest message, so that a long answer is read from its top.
    log.scrollTop = Math.max(0, node.offsetTop - 8); // The log is the node's offset parent.
  }

  function say(who, className, text) {
    var message = element("div", "faqbot-msg " + className);
    message.appendChild(element("span", "faqbot-visually-hidden", who + ": "));
    message.appendChild(document.createTextNode(text));
    reveal(message);
    return message;
  }

  function notice(text) {
    reveal(element("div", "faqbot-notice", text));
  }

  function waiting(on) {
    busy += on ? 1 : -1;
    log.setAttribute("aria-busy", busy > 0 ? "true" : "false");
    var shown = log.querySelector(".faqbot-waiting");
    if (busy > 0 && !shown) {
      var dots = element("div", "faqbot-waiting", texts().waiting);
      dots.setAttribute("aria-hidden", "true");
      log.appendChild(dots);
    } else if (busy === 0 && shown) {
      shown.remove();
    }
  }

  function post(body) {
    body.session = session;
    body.language = language;
    waiting(true);
    return fetch(base + "api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit"
    })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) {
            throw new Error(json && json.error ? json.error : "HTTP " + response.status);
          }
          return json;
        });
      })
      .then(function (reply) {
        waiting(false);
        return reply;
      }, function (error) {
        waiting(false);
        say(texts().bot, "faqbot-bot faqbot-failed", texts().failed);
        throw error;
      });
  }

  /// The bot's reply: each message (HTML the server made safe), then its buttons.
  function show(reply, asked) {
    setLanguage(reply.language);
    if (reply.notice) {
      notice(reply.notice);
    }
    reply.messages.forEach(function (message) {
      var bubble = element("div", "faqbot-msg faqbot-bot");
      bubble.lang = reply.language === "zh" ? "zh-Hans" : "en";
      bubble.appendChild(element("span", "faqbot-visually-hidden", texts().bot + ": "));
      var body = element("div", "faqbot-body");
      body.innerHTML = message.html;
      bubble.appendChild(body);
      var votes = null;
      var choices = null;
      message.buttons.forEach(function (row) {
        row.forEach(function (button) {
          var node = element("button", button.kind === "vote" ? "faqbot-vote" : "faqbot-choice", button.label);
          node.type = "button";
          node.dataset.action = button.action;
          if (button.kind === "vote") {
            node.setAttribute("aria-pressed", "false");
            if (!votes) {
              votes = element("div", "faqbot-votes");
              votes.setAttribute("role", "group");
              votes.setAttribute("aria-label", texts().voteLabel);
            }
            votes.appendChild(node);
          } else {
            choices = choices || element("div", "faqbot-choices faqbot-buttons");
            choices.appendChild(node);
          }
          node.addEventListener("click", function () {
            press(node, button, asked, votes);
          });
        });
      });
      if (votes || choices) {
        var buttons = element("div", "faqbot-buttons");
        if (votes) {
          buttons.appendChild(votes);
        }
        if (choices) {
          buttons.appendChild(choices);
        }
        bubble.appendChild(buttons);
      }
      reveal(bubble);
    });
  }

  function press(node, button, asked, votes) {
    if (button.kind === "vote") {
      Array.prototype.forEach.call(votes.querySelectorAll("button"), function (other) {
        other.disabled = true;
      });
      node.setAttribute("aria-pressed", "true");
    } else {
      say(texts().you, "faqbot-user", button.label);
      asked = button.label;
    }
    post({ action: button.action, question: asked }).then(function (reply) {
      show(reply, asked);
    }, function () {
      if (button.kind === "vote") {
        Array.prototype.forEach.call(votes.querySelectorAll("button"), function (other) {
          other.disabled = false;
        });
        node.setAttribute("aria-pressed", "false");
      }
    });
  }

  function ask(text) {
    text = String(text || "").trim();
    if (!text) {
      return Promise.resolve();
    }
    say(texts().you, "faqbot-user", text);
    return post({ text: text }).then(function (reply) {
      show(reply, text);
    }, function () {});
  }

  function start() {
    if (!started) {
      started = true;
      post({ text: "/start" }).then(function (reply) {
        show(reply, null);
      }, function () {
        started = false;
      });
    }
  }

  function open(quietly) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    start();
    if (!quietly) {
      input.focus(); // Not when the page opens itself: a phone would pop its keyboard over the greeting.
    }
  }

  function shut() {
    if (pageMode) {
      return;
    }
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) {
      open(false);
    } else {
      shut();
    }
  });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      shut();
    }
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter starts a new line; an IME composing Chinese keeps its Enter.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    ask(text);
    input.focus();
  });

  showLanguage();
  function mount() {
    document.body.appendChild(root);
    if (pageMode || settings.open === "true") {
      open(true);
    }
  }
  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
  window.faqbotWidget = { open: function () { open(false); }, close: shut, ask: ask };
})();
