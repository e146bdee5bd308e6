/* mamori "stop and think" prompt — no framework, no build step (docs/awareness.md).
 *
 * <form data-mamori-prompt data-mamori-site="your-site" data-mamori-lang="ja">
 *   <textarea name="body" data-mamori-text></textarea> <button>投稿</button>
 * </form>
 * <script src="https://MAMORI/awareness/prompt.js" defer></script>
 *
 * Before the form is sent, the draft goes to MAMORI's /api/v1/nudge (and, when it nudges, /api/v1/detect
 * for the words to show) and nowhere else. When it looks like abuse, a dialog says what was flagged and
 * why, and offers to edit or to post anyway. It never blocks: when mamori cannot answer within 3 s,
 * the post goes through. Only the choice (shown / edited / posted_anyway) and the site id are counted.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var ORIGIN = (me && (me.getAttribute("data-mamori-origin") || new URL(me.src, location.href).origin)) || "";
  var WAIT_MS = 3000;
  var TOPIC = { defamation: "defamation", insult: "defamation", discrimination: "defamation",
    threat: "bullying", privacy: "privacy", abuse: "bullying" };
  var T = {
    ja: {
      title: "投稿する前に、少し考えてみませんか",
      flagged: "気になった言葉:",
      law: "人の社会的評価を下げる書き込みは名誉毀損罪 (刑法230条)、人をおとしめる書き込みは侮辱罪 (刑法231条) に当たることがあります。書かれた人は、削除や投稿者の特定を求めることができます。",
      cases: "どんなことが起こりうる? (インターネットトラブル事例集)",
      privacy: "この確認は投稿を止めません。文章は判定のためだけに送られ、保存されません。",
      edit: "書き直す",
      post: "このまま投稿する",
      fallback: "この投稿は、誰かを傷つけるかもしれません。"
    },
    en: {
      title: "Before you post: stop and think",
      flagged: "Words that were flagged:",
      law: "A post that lowers a person's standing can be the crime of defamation (Penal Code Art. 230); one that belittles a person can be the crime of insult (Art. 231). The person written about can ask for removal and for the poster to be identified.",
      cases: "What could happen? (Internet trouble casebook)",
      privacy: "This check never stops your post. The text is sent only to be checked and is not kept.",
      edit: "Edit my post",
      post: "Post anyway",
      fallback: "This post may hurt someone."
    }
  };

  function langOf(form) {
    var l = form.getAttribute("data-mamori-lang") || document.documentElement.lang || "ja";
    return l.slice(0, 2) === "en" ? "en" : "ja";
  }

  function send(path, body, keepalive) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, WAIT_MS) : null;
    return fetch(ORIGIN + path, {
      method: "POST", mode: "cors", credentials: "omit", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) { clearTimeout(timer); }
      if (!response.ok) { throw new Error("mamori answered " + response.status); }
      return response.status === 204 ? null : response.json();
    });
  }

  function count(form, kind) {
    var site = form.getAttribute("data-mamori-site") || location.hostname.toLowerCase() || "unknown";
    send("/api/v1/awareness/prompt-events", { kind: kind, site: site }, true).catch(function () {});
  }

  // The nudge, with the flagged stretches of text; null when mamori cannot answer (then the post goes).
  function check(text) {
    return send("/api/v1/nudge", { text: text }).then(function (nudge) {
      if (!nudge || !nudge.nudge) { return nudge; }
      if (nudge.spans) { return nudge; }
      return send("/api/v1/detect", { texts: [text] }).then(function (detected) {
        nudge.spans = (detected && detected.results && detected.results[0].spans) || [];
        return nudge;
      }, function () { nudge.spans = []; return nudge; });
    });
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function release(form, submitter) {
    form.mamoriPass = true;
    if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
  }

  function show(form, field, result, submitter) {
    var lang = langOf(form), t = T[lang], chars = Array.from(field.value);
    var seen = {}, spans = (result.spans || []).filter(function (s) {
      var key = s.start + ":" + s.end;
      if (seen[key] || s.end <= s.start) { return false; }
      seen[key] = true;
      return true;
    }).slice(0, 5);
    var dialog = el("dialog", "", { "class": "mamori-prompt", "aria-labelledby": "mamori-prompt-title",
      "aria-describedby": "mamori-prompt-message", lang: lang });
    dialog.style.maxWidth = "min(36rem, calc(100vw - 2rem))";
    dialog.style.boxSizing = "border-box";
    dialog.style.lineHeight = "1.6";
    dialog.appendChild(el("h2", t.title, { id: "mamori-prompt-title" }));
    dialog.appendChild(el("p", (result.message && result.message[lang]) || t.fallback, { id: "mamori-prompt-message" }));
    if (spans.length) {
      dialog.appendChild(el("p", t.flagged, { id: "mamori-prompt-flagged" }));
      var list = el("ul", "", { "aria-labelledby": "mamori-prompt-flagged" });
      spans.forEach(function (s) {
        var item = el("li");
        item.appendChild(el("mark", chars.slice(s.start, s.end).join("")));
        if (s.why && s.why[lang]) { item.appendChild(document.createTextNode(" — " + s.why[lang])); }
        list.appendChild(item);
      });
      dialog.appendChild(list);
    }
    dialog.appendChild(el("p", t.law));
    var more = el("p"), topic = TOPIC[result.category] || "bullying";
    more.appendChild(el("a", t.cases, { href: ORIGIN + "/awareness/cases?topic=" + topic + "&lang=" + lang,
      target: "_blank", rel: "noopener" }));
    dialog.appendChild(more);
    dialog.appendChild(el("p", t.privacy));
    var actions = el("div");
    var edit = el("button", t.edit, { type: "button", "data-mamori-choice": "edit" });
    var post = el("button", t.post, { type: "button", "data-mamori-choice": "post" });
    post.style.marginLeft = "0.5em";
    actions.appendChild(edit);
    actions.appendChild(post);
    dialog.appendChild(actions);

    // While open, keys are ours: Tab cycles inside the dialog, Esc means "edit". Caught on window in the
    // capture phase, so a page's own Esc handler (a quick exit) never sees them, wherever focus is.
    function keys(event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopImmediatePropagation();
        chooseEdit();
      } else if (event.key === "Tab") {
        var stops = [].slice.call(dialog.querySelectorAll("a[href], button"));
        var at = stops.indexOf(document.activeElement);
        var next = at < 0 ? (event.shiftKey ? stops.length - 1 : 0) : (at + (event.shiftKey ? -1 : 1) + stops.length) % stops.length;
        event.preventDefault();
        event.stopImmediatePropagation();
        stops[next].focus();
      }
    }
    function close() { window.removeEventListener("keydown", keys, true); dialog.close(); dialog.remove(); }
    function chooseEdit() {
      close();
      count(form, "edited");
      field.focus();
      if (spans.length && field.setSelectionRange) {
        var start = chars.slice(0, spans[0].start).join("").length;
        field.setSelectionRange(start, start + chars.slice(spans[0].start, spans[0].end).join("").length);
      }
    }
    edit.addEventListener("click", chooseEdit);
    post.addEventListener("click", function () { close(); count(form, "posted_anyway"); release(form, submitter); });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
    window.addEventListener("keydown", keys, true);
    document.body.appendChild(dialog);
    dialog.showModal();
    edit.focus();
    count(form, "shown");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-mamori-prompt")) { return; }
    if (form.mamoriPass) { form.mamoriPass = false; return; }
    var field = form.querySelector("[data-mamori-text]");
    if (!field || !field.value.trim()) { return; }
    event.preventDefault();
    event.stopPropagation();
    var submitter = event.submitter;
    form.setAttribute("aria-busy", "true");
    check(field.value).then(function (result) {
      form.removeAttribute("aria-busy");
      if (result && result.nudge) { show(form, field, result, submitter); } else { release(form, submitter); }
    }, function () {
      form.removeAttribute("aria-busy");
      release(form, submitter);
    });
  }, true);
}());
