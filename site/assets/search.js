/* The site's search: the header box on every page, and the results page (search/index.html).

   The header box (site/_overrides/partials/search.html) submits to the Datasette search page
   when JavaScript is off; this script sends it to the site's results page instead. The results
   page asks the Whoosh endpoint (<Datasette>/-/search.json, the form's address + ".json") and,
   when there is none (a static host, a file:// copy, the endpoint down), searches the index
   built with the site (search/offline-index.js, loaded as a script because Chromium refuses to
   fetch files from file:// pages) with the engine in assets/search-offline.js, both loaded
   only then. */
(function () {
  "use strict";

  var ENDPOINT_TIMEOUT_MS = 8000;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  // The endpoint's snippet is HTML (escaped text, matches in <mark>): keep only text and <mark>.
  function snippet(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var out = document.createDocumentFragment();
    holder.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") out.appendChild(el("mark", {}, [node.textContent]));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  function searchHref(params) {
    return "?" + new URLSearchParams(params).toString();
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = el("script", { src: src });
      script.onload = resolve;
      script.onerror = function () { reject(new Error(src + " missing")); };
      document.head.appendChild(script);
    });
  }

  // The offline engine, then the index (both script files: file:// pages cannot fetch).
  function loadOffline(root) {
    var engine = window.wwOfflineSearch ? Promise.resolve() : loadScript(root.getAttribute("data-engine"));
    return engine.then(function () {
      return window.wwSearchIndex ? null : loadScript(root.getAttribute("data-index"));
    }).then(function () { return new window.wwOfflineSearch(window.wwSearchIndex); });
  }

  function askEndpoint(endpoint, params) {
    if (!endpoint || window.location.protocol === "file:") return Promise.reject(new Error("no endpoint"));
    var url = endpoint + "?" + new URLSearchParams(params).toString();
    // A Datasette that does not answer in time (down, or starting cold) gives way to the offline index.
    var abort = window.AbortController ? new AbortController() : null;
    if (abort) window.setTimeout(function () { abort.abort(); }, ENDPOINT_TIMEOUT_MS);
    return fetch(url, { headers: { Accept: "application/json" }, signal: abort ? abort.signal : undefined }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (type.indexOf("json") === -1) throw new Error("no endpoint");
      return response.json().then(function (body) {
        if (body.ok) return body;
        if (response.status === 400) return body;  // the query's own problem: say it, do not fall back
        throw new Error("endpoint unavailable");
      });
    });
  }

  function resultsPage(root) {
    var labels = JSON.parse(document.getElementById("ww-search-labels").textContent);
    var headerForm = document.querySelector("form[data-ww-search-page]");
    var endpoint = headerForm ? headerForm.action + ".json" : "";
    var site = headerForm ? new URL(headerForm.getAttribute("data-ww-search-page"), window.location.href) : window.location;
    var form = root.querySelector(".ww-search__form");
    var input = root.querySelector("#ww-search-q");
    var status = root.querySelector("#ww-search-status");
    var hint = root.querySelector("#ww-search-hint");
    var list = root.querySelector("#ww-search-results");
    var facetBox = root.querySelector("#ww-search-facets");
    var params = new URLSearchParams(window.location.search);
    var q = (params.get("q") || "").trim();
    input.value = q;
    form.hidden = false;
    if (headerForm) headerForm.querySelector("input[name=q]").value = q;

    function entryHref(type, id) {
      return new URL("../" + labels.sections[type] + "/" + id + ".html", site).href;
    }

    function show(found, mode) {
      list.textContent = "";
      hint.hidden = true;
      hint.textContent = "";
      if (found.suggestion && found.suggestion !== q) {
        var link = el("a", { href: searchHref({ q: found.suggestion }) }, [found.suggestion]);
        if (found.corrected || mode === "offline") hint.append("No entries match \u201c" + q + "\u201d as typed; showing results for ", link, ".");
        else hint.append("Did you mean ", link, "?");
        hint.hidden = false;
      }
      var shown = found.results.length, answered = found.corrected || mode === "offline" ? found.suggestion || q : q;
      status.textContent = found.total + (found.total === 1 ? " entry matches" : " entries match") + " \u201c" + answered + "\u201d" +
        (shown < found.total ? " (showing the first " + shown + ")" : "") + "." +
        (mode === "offline" ? " Searched in this copy of the site (offline)." : "");
      root.setAttribute("data-mode", mode);
      found.results.forEach(function (r) {
        var href = r.path ? new URL("../" + r.path, site).href : entryHref(r.type, r.id);
        var text = r.snippet !== undefined ? snippet(r.snippet) : document.createTextNode(r.summary);
        list.appendChild(el("li", { class: "ww-result" }, [
          el("a", { href: href, class: "ww-result__name" }, [r.name]), " ",
          el("span", { class: "ww-result__kind" }, [labels.kinds[r.type] || r.type]),
          el("p", { class: "ww-result__summary" }, [text]),
        ]));
      });
      showFacets(found.facets || {});
    }

    function showFacets(facets) {
      facetBox.textContent = "";
      var names = Object.keys(facets).filter(function (f) { return Object.keys(facets[f]).length; });
      facetBox.hidden = !names.length;
      if (!names.length) return;
      facetBox.appendChild(el("h2", {}, ["Narrow the results"]));
      names.forEach(function (name) {
        var items = Object.keys(facets[name]).map(function (value) {
          var narrowed = new URLSearchParams(window.location.search);
          var active = narrowed.getAll(name).indexOf(value) !== -1;
          if (!active) narrowed.append(name, value);
          var label = (labels.facets[name] || {})[value] || value;
          var text = label + " (" + facets[name][value] + ")";
          return el("li", {}, [active ? el("strong", {}, [text]) : el("a", { href: "?" + narrowed.toString() }, [text])]);
        });
        facetBox.appendChild(el("h3", {}, [labels.facetNames[name] || name]));
        facetBox.appendChild(el("ul", {}, items));
      });
    }

    function offline() {
      return loadOffline(root).then(function (engine) { show(engine.search(q), "offline"); });
    }

    if (!q) {
      status.textContent = "Type a few words: a problem, a setting or a programme's name.";
      return;
    }
    status.textContent = "Searching\u2026";
    askEndpoint(endpoint, params).then(function (body) {
      if (!body.ok) {
        root.setAttribute("data-mode", "served");
        status.textContent = body.error;
        return;
      }
      show(body, "served");
    }, offline).catch(function () {
      status.textContent = "The search could not run here. Fix: reload the page, or browse the entries by setting or outcome.";
    });
  }

  function init() {
    // The header box goes to the site's results page (without this script: to Datasette's page).
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-ww-search-page], .ww-search__form")) return;
      var q = form.querySelector("input[name=q]").value.trim();
      event.preventDefault();
      if (!q) return;
      var target = form.hasAttribute("data-ww-search-page") ? form.getAttribute("data-ww-search-page") : window.location.pathname;
      window.location.href = target + searchHref({ q: q });
    });
    var root = document.getElementById("ww-search");
    if (root) resultsPage(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
