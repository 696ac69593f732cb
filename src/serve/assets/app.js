// newsdex's page: search, filters, timeline, article and trace views over
// the JSON API of `newsdex serve`.
//
// Article text is untrusted. Everything from the API is put in the page with
// textContent and createElement (never innerHTML), and only http(s) URLs
// become links. The page's state lives in its URL (history.pushState), so a
// search can be bookmarked and the back button works.
"use strict";

(function () {
  const PAGE = 10;
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  // ---- state <-> URL -------------------------------------------------------

  /** The page's state, read from a URL's query string. */
  function readState(search) {
    const p = new URLSearchParams(search);
    return {
      q: p.get("q") || "",
      since: p.get("since") || "",
      until: p.get("until") || "",
      outlets: p.getAll("outlet"),
      exclude: p.getAll("exclude"),
      sort: p.get("sort") || "relevance",
      articles: p.get("articles") === "1",
      collapse: p.get("collapse") !== "0",
      match: p.get("match") || "",
      offset: Math.max(0, parseInt(p.get("offset") || "0", 10) || 0),
      article: p.get("article") || "",
      trace: p.get("trace") || "",
    };
  }

  /** The URL query string of a state (defaults left out). */
  function stateQuery(s) {
    const p = new URLSearchParams();
    if (s.q) p.set("q", s.q);
    if (s.since) p.set("since", s.since);
    if (s.until) p.set("until", s.until);
    s.outlets.forEach((o) => p.append("outlet", o));
    s.exclude.forEach((o) => p.append("exclude", o));
    if (s.sort && s.sort !== "relevance") p.set("sort", s.sort);
    if (s.articles) p.set("articles", "1");
    if (!s.collapse) p.set("collapse", "0");
    if (s.match) p.set("match", s.match);
    if (s.offset) p.set("offset", String(s.offset));
    if (s.article) p.set("article", s.article);
    if (s.trace) p.set("trace", s.trace);
    const text = p.toString();
    return text ? "?" + text : "";
  }

  function href(s) {
    return "/" + stateQuery(s);
  }

  let state = readState(location.search);

  /** Moves to a new state: a new history entry, then the page drawn for it. */
  function go(next, replace) {
    state = next;
    const url = href(next);
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    render();
  }

  function withSearch(changes) {
    return Object.assign({}, state, { offset: 0, article: "", trace: "" }, changes);
  }

  window.addEventListener("popstate", () => {
    state = readState(location.search);
    render();
  });

  // Links to the page's own states are followed without a reload.
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[data-internal]");
    if (!a || e.defaultPrevented || e.button !== 0) return;
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go(readState(new URL(a.href).search));
  });

  // ---- DOM helpers ---------------------------------------------------------

  /** An element with a class and children (strings become text nodes). */
  function el(tag, cls, ...children) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const k in attrs) node.setAttribute(k, String(attrs[k]));
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function internalLink(s, text, cls) {
    const a = el("a", cls, text);
    a.href = href(s);
    a.setAttribute("data-internal", "");
    return a;
  }

  /** An external link, only for http(s) URLs; anything else is text. */
  function externalLink(url, text) {
    let parsed = null;
    try {
      parsed = new URL(url);
    } catch (_) {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      return el("span", "url-text", url);
    }
    const a = el("a", "external", text || parsed.host + " ↗");
    a.href = parsed.href;
    a.rel = "noopener noreferrer nofollow";
    a.target = "_blank";
    return a;
  }

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  /**
   * The passage text with its highlights (byte ranges into its UTF-8) as
   * <mark> elements, everything as text nodes.
   */
  function highlighted(text, ranges) {
    const frag = document.createDocumentFragment();
    if (!ranges || ranges.length === 0) {
      frag.append(document.createTextNode(text));
      return frag;
    }
    const bytes = encoder.encode(text);
    let at = 0;
    const sorted = ranges.slice().sort((a, b) => a[0] - b[0]);
    for (const [start, end] of sorted) {
      if (start < at || end > bytes.length || end <= start) continue;
      if (start > at) frag.append(document.createTextNode(decoder.decode(bytes.subarray(at, start))));
      frag.append(el("mark", null, decoder.decode(bytes.subarray(start, end))));
      at = end;
    }
    if (at < bytes.length) frag.append(document.createTextNode(decoder.decode(bytes.subarray(at))));
    return frag;
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  /** An article's date as the terminal shows it. */
  function dateText(article) {
    if (!article.date) return "undated";
    if (article.date_precision === "day") return article.date.slice(0, 10);
    const local = article.date_local;
    if (local) {
      const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.exec(local);
      if (m) return m[1] + " " + m[2] + " " + (m[3] === "Z" ? "+00:00" : m[3].replace("-", "−"));
      return local;
    }
    return article.date.slice(0, 10) + " " + article.date.slice(11, 16) + " (time zone unknown)";
  }

  function source(article, passage) {
    const where = article.path || article.id;
    const line = passage && passage.line ? ":" + passage.line : "";
    return where + line;
  }

  // ---- API -----------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, params) {
    const qs = params ? "?" + params.toString() : "";
    let resp;
    try {
      resp = await fetch(path + qs, { headers: { Accept: "application/json" } });
    } catch (e) {
      throw new ApiError(0, "the newsdex server did not answer (is it still running?)");
    }
    let body = null;
    try {
      body = await resp.json();
    } catch (_) {
      body = null;
    }
    if (!resp.ok) {
      const msg = body && typeof body.error === "string" ? body.error : "HTTP " + resp.status;
      throw new ApiError(resp.status, msg);
    }
    return body;
  }

  /**
   * The query sent to the API: the user's, with excluded outlets as
   * `-outlet:"…"` clauses (the user's query grouped when it has operators,
   * so the exclusion applies to all of it).
   */
  function apiQuery(s) {
    if (s.exclude.length === 0) return s.q;
    const hasOps = /(^|\s)(AND|OR|NOT)(\s|$)/.test(s.q);
    let q = hasOps ? "(" + s.q + ")" : s.q;
    for (const o of s.exclude) q += ' -outlet:"' + o.replace(/["\\]/g, " ") + '"';
    return q;
  }

  function searchParams(s, opts) {
    const p = new URLSearchParams();
    p.set("q", apiQuery(s));
    if (!opts.noDates) {
      if (s.since) p.set("since", s.since);
      if (s.until) p.set("until", s.until);
    }
    if (!opts.noOutlets) s.outlets.forEach((o) => p.append("outlet", o));
    if (s.match) p.set("match", s.match);
    return p;
  }

  // ---- rendering -----------------------------------------------------------

  const views = ["home", "results-view", "article-view", "trace-view"];

  function show(view) {
    for (const v of views) $(v).hidden = v !== view;
    $("filters").hidden = view !== "results-view";
    document.querySelector(".layout").classList.toggle("single", view !== "results-view");
  }

  function notice(message) {
    const box = $("notice");
    clear(box);
    if (message) box.append(message);
    box.hidden = !message;
  }

  let generation = 0;

  async function render() {
    const mine = ++generation;
    const fresh = () => mine === generation;
    // `data-rendered` holds the state drawn once drawing is done (tests wait for it).
    document.documentElement.removeAttribute("data-rendered");
    notice("");
    $("q").value = state.q;
    try {
      if (state.trace) {
        document.title = "Trace · newsdex";
        show("trace-view");
        await renderTrace(fresh);
      } else if (state.article) {
        document.title = "Article · newsdex";
        show("article-view");
        await renderArticle(fresh);
      } else if (state.q) {
        document.title = state.q + " · newsdex";
        show("results-view");
        syncFilters();
        await renderResults(fresh);
      } else {
        document.title = "newsdex";
        show("home");
        await renderHome(fresh);
      }
    } catch (e) {
      if (!fresh()) return;
      notice(e instanceof ApiError ? e.message : "Something went wrong: " + e);
      if (!(e instanceof ApiError)) console.error(e);
    }
    if (fresh()) document.documentElement.setAttribute("data-rendered", location.search);
  }

  // Home: what the collection holds.
  let stats = null;

  async function renderHome(fresh) {
    if (!stats) stats = await api("/api/stats");
    if (!fresh()) return;
    const dl = $("overview");
    clear(dl);
    const add = (k, v) => dl.append(el("dt", null, k), el("dd", null, v));
    add("Articles", String(stats.articles));
    add("Passages", String(stats.passages));
    if (stats.date_range) {
      add("Dates", stats.date_range.first.slice(0, 10) + " to " + stats.date_range.last.slice(0, 10));
    }
    if (stats.undated) add("Undated", plural(stats.undated, "article"));
    const outlets = el("dd", "overview-outlets");
    (stats.outlets || []).slice(0, 20).forEach((o, i) => {
      if (i) outlets.append(", ");
      outlets.append(internalLink(withSearch({ q: 'outlet:"' + o.outlet.replace(/["\\]/g, " ") + '"' }), o.outlet));
      outlets.append(el("span", "count", " " + o.articles));
    });
    dl.append(el("dt", null, "Outlets"), outlets);
    if ((stats.outlets || []).length === 0) outlets.append("none named");
    $("q").focus();
  }

  // Results: the search, its facets and its timeline.
  async function renderResults(fresh) {
    const s = state;
    const main = searchParams(s, {});
    main.set("limit", String(PAGE));
    if (s.offset) main.set("offset", String(s.offset));
    if (s.sort !== "relevance") main.set("sort", s.sort);
    if (s.articles) main.set("articles", "true");
    main.set("collapse", s.collapse ? "true" : "false");
    // Outlet counts without the outlet filter itself, so the other outlets
    // stay visible with their counts.
    const facetParams = searchParams(s, { noOutlets: true });
    facetParams.set("limit", "1");
    facetParams.set("articles", "true");
    facetParams.set("facets", "true");
    // The timeline: every date, with the selected range marked on it.
    const countParams = searchParams(s, { noDates: true });
    countParams.set("by", "day");

    $("summary").textContent = "Searching…";
    const [result, facets, counts] = await Promise.all([
      api("/api/search", main),
      api("/api/search", facetParams).catch(() => null),
      api("/api/count", countParams).catch((e) => ({ failed: e })),
    ]);
    if (!fresh()) return;
    drawResults(result);
    drawOutlets(facets);
    drawTimeline(counts);
  }

  function summaryText(r) {
    const unit = r.filters.articles || r.title_only ? "article" : "passage";
    let t = plural(r.total_hits, unit) + " matched “" + state.q + "”";
    if (r.hits.length) t += ", showing " + r.hits[0].rank + "–" + r.hits[r.hits.length - 1].rank;
    if (typeof r.stories === "number" && r.stories < r.total_hits) {
      t += " · " + plural(r.stories, "distinct story", "distinct stories");
    }
    t += " · " + r.took_ms.toFixed(1) + " ms";
    if (r.title_only) t += " · no passage holds it, so articles whose title does are shown by their first passage";
    if (r.relaxed) t += " · no passage held every word, so passages with any of them are shown";
    if (r.unmatched && r.unmatched.length) t += " · no passage holds " + r.unmatched.join(", nor ");
    if (r.excluded_undated) t += " · " + plural(r.excluded_undated, "undated article") + " left out by the date filter";
    return t;
  }

  function drawResults(r) {
    $("summary").textContent = summaryText(r);
    const list = $("results");
    clear(list);
    for (const w of r.warnings || []) list.append(el("li", "warning", "⚠ " + w));
    for (const hit of r.hits) list.append(hitItem(hit));
    list.start = r.hits.length ? r.hits[0].rank : 1;
    drawPager(r);
  }

  function hitItem(hit) {
    const a = hit.article;
    const li = el("li", "hit");
    li.setAttribute("data-article", a.id);
    const head = el("div", "hit-head", el("span", "rank", hit.rank + "."));
    head.append(el("span", "outlet", a.outlet || "outlet unknown"));
    head.append(el("span", "sep", " · "));
    let date = dateText(a);
    if (hit.same_day_as) date += " (same day as #" + hit.same_day_as + ", time not given)";
    head.append(el("time", "date", date));
    if (a.date) head.lastChild.setAttribute("datetime", a.date);
    li.append(head);
    const title = internalLink(
      Object.assign({}, state, { article: a.id + "#" + hit.passage.index, trace: "", offset: state.offset }),
      a.title || "(untitled)",
      "title" + (a.title ? "" : " untitled")
    );
    li.append(el("h3", "hit-title", title));
    if (hit.title_match) li.append(el("p", "hint", "title match: no passage holds the query"));
    const text = el("p", "passage");
    text.append(highlighted(hit.passage.text, hit.passage.highlights));
    li.append(text);
    const foot = el("div", "hit-foot");
    foot.append(el("span", "where", source(a, hit.passage) + "  #" + hit.passage.index));
    if (a.url) foot.append(externalLink(a.url));
    li.append(foot);
    if (hit.copies && hit.copies.count > 1) li.append(copiesFold(hit));
    return li;
  }

  /** "also in N more articles", expanding to the copies of the story. */
  function copiesFold(hit) {
    const others = hit.copies.count - 1;
    const box = el("div", "copies");
    const button = el("button", "copies-toggle", "also in " + plural(others, "more outlet") + " (copies of this story)");
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    const list = el("ul", "copy-list");
    list.hidden = true;
    let loaded = false;
    button.addEventListener("click", async () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      list.hidden = !open;
      if (!open || loaded) return;
      loaded = true;
      list.append(el("li", "hint", "Loading…"));
      try {
        const shown = await api("/api/article/" + encodeURIComponent(hit.article.id));
        clear(list);
        const group = shown.copies;
        const members = group ? group.articles.filter((m) => m.id !== hit.article.id) : [];
        if (members.length === 0) list.append(el("li", "hint", "No other copies."));
        for (const m of members) list.append(copyItem(m, group));
        const names = [...new Set(members.map((m) => m.outlet).filter((o) => o))];
        if (names.length) button.textContent = "also in " + plural(members.length, "more article") + ": " + names.join(", ");
      } catch (e) {
        clear(list);
        list.append(el("li", "error", e.message));
        loaded = false;
      }
    });
    box.append(button, list);
    return box;
  }

  function copyItem(m, group) {
    const li = el("li", null);
    li.append(el("span", "outlet", m.outlet || "outlet unknown"), " · ");
    li.append(el("span", "date", m.date ? m.date.slice(0, 10) : "undated"), " · ");
    li.append(internalLink(Object.assign({}, state, { article: m.id, trace: "" }), m.title || "(untitled)"));
    const notes = [];
    if (group && m.id === group.original) notes.push("original");
    if (typeof m.similarity === "number") notes.push("similarity " + m.similarity.toFixed(2));
    if (notes.length) li.append(el("span", "hint", " (" + notes.join(", ") + ")"));
    return li;
  }

  function drawPager(r) {
    const nav = $("pager");
    clear(nav);
    const total = r.total_hits;
    if (state.offset > 0) {
      nav.append(internalLink(Object.assign({}, state, { offset: Math.max(0, state.offset - PAGE) }), "← Previous", "page"));
    }
    // With folded copies a page may show fewer hits than asked for; the
    // next page starts after the last hit shown.
    const next = r.hits.length ? r.hits[r.hits.length - 1].rank : 0;
    if (r.hits.length === PAGE && next < total) {
      nav.append(internalLink(Object.assign({}, state, { offset: next }), "Next →", "page"));
    }
  }

  // ---- filters -------------------------------------------------------------

  function syncFilters() {
    $("sort").value = state.sort;
    $("articles").checked = state.articles;
    $("collapse").checked = state.collapse;
    $("since").value = state.since;
    $("until").value = state.until;
  }

  function drawOutlets(facets) {
    const ul = $("outlets");
    clear(ul);
    const buckets = (facets && facets.facets && facets.facets.outlet) || [];
    const names = new Set(buckets.map((b) => b.outlet));
    // Outlets in the URL that the counts do not name still show, to undo.
    const rows = buckets.slice();
    for (const o of state.outlets.concat(state.exclude)) {
      if (!names.has(o)) rows.push({ outlet: o, articles: 0, missing: true });
    }
    if (rows.length === 0) ul.append(el("li", "hint", "No outlet matched."));
    for (const b of rows) ul.append(outletRow(b));
  }

  function sameName(a, b) {
    return a.toLowerCase() === b.toLowerCase();
  }

  function outletRow(b) {
    const li = el("li", "outlet-row");
    if (b.outlet === null) {
      li.classList.add("unknown");
      li.append(el("span", "outlet-name", "outlet unknown"), el("span", "count", String(b.articles)));
      return li;
    }
    const name = b.outlet;
    const included = state.outlets.some((o) => sameName(o, name));
    const excluded = state.exclude.some((o) => sameName(o, name));
    const include = el("button", "outlet-name", name);
    include.type = "button";
    include.setAttribute("aria-pressed", String(included));
    include.title = included ? "Show every outlet again" : "Only " + name;
    include.addEventListener("click", () => {
      const outlets = included ? state.outlets.filter((o) => !sameName(o, name)) : state.outlets.concat([name]);
      const exclude = state.exclude.filter((o) => !sameName(o, name));
      go(withSearch({ outlets, exclude }));
    });
    const count = el("span", "count", b.missing ? "–" : String(b.articles));
    count.title = plural(b.articles, "article");
    const ex = el("button", "outlet-exclude", "⊘");
    ex.type = "button";
    ex.setAttribute("aria-pressed", String(excluded));
    ex.setAttribute("aria-label", (excluded ? "Include " : "Leave out ") + name);
    ex.title = excluded ? "Include " + name + " again" : "Leave out " + name;
    ex.addEventListener("click", () => {
      const exclude = excluded ? state.exclude.filter((o) => !sameName(o, name)) : state.exclude.concat([name]);
      const outlets = state.outlets.filter((o) => !sameName(o, name));
      go(withSearch({ outlets, exclude }));
    });
    if (included) li.classList.add("included");
    if (excluded) li.classList.add("excluded");
    li.append(include, count, ex);
    return li;
  }

  $("sort").addEventListener("change", () => go(withSearch({ sort: $("sort").value })));
  $("articles").addEventListener("change", () => go(withSearch({ articles: $("articles").checked })));
  $("collapse").addEventListener("change", () => go(withSearch({ collapse: $("collapse").checked })));
  $("dates").addEventListener("submit", (e) => {
    e.preventDefault();
    go(withSearch({ since: $("since").value.trim(), until: $("until").value.trim() }));
  });
  $("dates-clear").addEventListener("click", () => go(withSearch({ since: "", until: "" })));
  $("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("q").value.trim();
    if (!q) return;
    go(withSearch({ q }));
  });
  $("help-toggle").addEventListener("click", () => {
    const help = $("help");
    help.hidden = !help.hidden;
    $("help-toggle").setAttribute("aria-expanded", String(!help.hidden));
  });
  $("filters-toggle").addEventListener("click", () => {
    const open = $("filters").classList.toggle("open");
    $("filters-toggle").setAttribute("aria-expanded", String(open));
  });

  // ---- timeline ------------------------------------------------------------

  const DAY = 86400000;

  function ymd(t) {
    return new Date(t).toISOString().slice(0, 10);
  }

  function parseDay(s) {
    return Date.parse(s + "T00:00:00Z");
  }

  /** Monday (UTC) of the ISO week of day t. */
  function weekStart(t) {
    const wd = (new Date(t).getUTCDay() + 6) % 7;
    return t - wd * DAY;
  }

  function monthStart(t) {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }

  function nextMonth(t) {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }

  function yearStart(t) {
    return Date.UTC(new Date(t).getUTCFullYear(), 0, 1);
  }

  function nextYear(t) {
    return Date.UTC(new Date(t).getUTCFullYear() + 1, 0, 1);
  }

  /**
   * Day counts grouped into continuous buckets (days, weeks, months or
   * years, whichever gives a readable number of bars), each with the
   * since/until values that select it.
   */
  function buckets(days) {
    let first = days[0].t;
    let last = days[days.length - 1].t;
    // A few days at least, so one day's bar does not fill the chart.
    const short = 7 - Math.round((last - first) / DAY) - 1;
    if (short > 0) {
      first -= Math.floor(short / 2) * DAY;
      last += Math.ceil(short / 2) * DAY;
    }
    const span = (last - first) / DAY;
    let unit, start, next, since, until, label;
    if (span <= 62) {
      unit = "day";
      start = (t) => t;
      next = (t) => t + DAY;
      since = (t) => ymd(t);
      until = (t) => ymd(t);
      label = (t) => MONTHS[new Date(t).getUTCMonth()] + " " + new Date(t).getUTCDate();
    } else if (span <= 366 * 2) {
      unit = "week";
      start = weekStart;
      next = (t) => t + 7 * DAY;
      since = (t) => ymd(t);
      until = (t) => ymd(t + 6 * DAY);
      label = (t) => MONTHS[new Date(t).getUTCMonth()] + " " + new Date(t).getUTCDate();
    } else if (span <= 366 * 25) {
      unit = "month";
      start = monthStart;
      next = nextMonth;
      since = (t) => ymd(t).slice(0, 7);
      until = (t) => ymd(t).slice(0, 7);
      label = (t) => MONTHS[new Date(t).getUTCMonth()] + " " + new Date(t).getUTCFullYear();
    } else {
      unit = "year";
      start = yearStart;
      next = nextYear;
      since = (t) => ymd(t).slice(0, 4);
      until = (t) => ymd(t).slice(0, 4);
      label = (t) => String(new Date(t).getUTCFullYear());
    }
    const out = [];
    let i = 0;
    for (let t = start(first); t <= last; t = next(t)) {
      const end = next(t);
      let n = 0;
      while (i < days.length && days[i].t < end) n += days[i++].articles;
      out.push({ t, end, n, since: since(t), until: until(t), label: label(t) });
    }
    return { unit, list: out };
  }

  /** Whether bucket b lies within the since/until of the state. */
  function inRange(b) {
    if (!state.since && !state.until) return false;
    const lo = state.since ? rangeStart(state.since) : -Infinity;
    const hi = state.until ? rangeEnd(state.until) : Infinity;
    return b.t >= lo && b.end <= hi;
  }

  function rangeStart(s) {
    if (/^\d{4}$/.test(s)) return Date.UTC(+s, 0, 1);
    if (/^\d{4}-\d\d$/.test(s)) return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, 1);
    const t = Date.parse(s.length === 10 ? s + "T00:00:00Z" : s);
    return isNaN(t) ? -Infinity : t;
  }

  function rangeEnd(s) {
    if (/^\d{4}$/.test(s)) return Date.UTC(+s + 1, 0, 1);
    if (/^\d{4}-\d\d$/.test(s)) return Date.UTC(+s.slice(0, 4), +s.slice(5, 7), 1);
    if (/^\d{4}-\d\d-\d\d$/.test(s)) return Date.parse(s + "T00:00:00Z") + DAY;
    const t = Date.parse(s);
    return isNaN(t) ? Infinity : t + 1;
  }

  let timeline = null;

  function drawTimeline(counts) {
    const chart = $("tl-chart");
    clear(chart);
    const note = $("tl-note");
    note.textContent = "";
    timeline = null;
    if (!counts || counts.failed) {
      chart.append(el("p", "hint", "No timeline: " + (counts && counts.failed ? counts.failed.message : "the server gave none")));
      $("tl-help").hidden = true;
      return;
    }
    const days = [];
    let undated = 0;
    for (const b of counts.buckets || []) {
      if (b.day) days.push({ t: parseDay(b.day), articles: b.articles });
      else undated += b.articles;
    }
    days.sort((a, b) => a.t - b.t);
    const notes = [];
    if (undated) notes.push(plural(undated, "undated article") + " not shown");
    if (state.since || state.until) notes.push("selected: " + (state.since || "…") + " to " + (state.until || "…"));
    note.textContent = notes.join(" · ");
    if (days.length === 0) {
      chart.append(el("p", "hint", "No matching article has a date."));
      $("tl-help").hidden = true;
      return;
    }
    $("tl-help").hidden = false;
    timeline = buckets(days);
    paintTimeline();
  }

  function paintTimeline() {
    const chart = $("tl-chart");
    clear(chart);
    const list = timeline.list;
    const width = Math.max(280, chart.clientWidth || 600);
    const height = 96;
    const top = 14;
    const axis = 20;
    const plot = height - top - axis;
    const max = Math.max(1, ...list.map((b) => b.n));
    const slot = width / list.length;
    const gap = slot > 6 ? Math.max(Math.min(4, slot * 0.2), slot - 56) : 0;
    const root = svg("svg", {
      width,
      height,
      viewBox: "0 0 " + width + " " + height,
      class: "tl-svg",
      role: "img",
      tabindex: "0",
      "aria-label":
        "Timeline of matching articles by " + timeline.unit + ", " + list[0].label + " to " + list[list.length - 1].label,
    });
    root.append(svg("line", { x1: 0, x2: width, y1: top + plot + 0.5, y2: top + plot + 0.5, class: "tl-axis" }));
    const bars = [];
    list.forEach((b, i) => {
      const h = b.n ? Math.max(2, (b.n / max) * plot) : 0;
      const g = svg("g", { class: "tl-slot" + (inRange(b) ? " in-range" : "") });
      g.setAttribute("data-since", b.since);
      g.setAttribute("data-until", b.until);
      const hit = svg("rect", { x: i * slot, y: top, width: slot, height: plot, class: "tl-hitbox" });
      const bar = svg("rect", { x: i * slot + gap / 2, y: top + plot - h, width: Math.max(1, slot - gap), height: h, class: "tl-bar" });
      const title = svg("title", {});
      title.textContent = b.label + (timeline.unit === "week" ? " (week)" : "") + ": " + plural(b.n, "article");
      g.append(title, hit, bar);
      root.append(g);
      bars.push(g);
    });
    const maxLabel = svg("text", { x: 2, y: 10, class: "tl-label" });
    maxLabel.textContent = "max " + max;
    root.append(maxLabel);
    // Labels: first, last, and a few between.
    const labels = Math.max(2, Math.min(list.length, Math.floor(width / 110)));
    for (let k = 0; k < labels; k++) {
      const i = labels === 1 ? 0 : Math.round((k * (list.length - 1)) / (labels - 1));
      const x = i * slot + slot / 2;
      const anchor = k === 0 ? "start" : k === labels - 1 ? "end" : "middle";
      const t = svg("text", { x: k === 0 ? 0 : k === labels - 1 ? width : x, y: height - 5, class: "tl-label", "text-anchor": anchor });
      t.textContent = list[i].label;
      root.append(t);
      if (labels >= list.length && k === list.length - 1) break;
    }
    const sel = svg("rect", { x: 0, y: top, width: 0, height: plot, class: "tl-select" });
    sel.style.display = "none";
    root.append(sel);
    chart.append(root);

    const indexAt = (clientX) => {
      const box = root.getBoundingClientRect();
      const x = Math.min(Math.max(clientX - box.left, 0), box.width - 0.01);
      return Math.floor(x / (box.width / list.length));
    };
    const showSel = (a, b) => {
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      sel.setAttribute("x", String(lo * slot));
      sel.setAttribute("width", String((hi - lo + 1) * slot));
      sel.style.display = "";
    };
    const choose = (a, b) => {
      const lo = list[Math.min(a, b)];
      const hi = list[Math.max(a, b)];
      go(withSearch({ since: lo.since, until: hi.until }));
    };
    let anchor = null;
    root.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      anchor = indexAt(e.clientX);
      root.setPointerCapture(e.pointerId);
      showSel(anchor, anchor);
      e.preventDefault();
    });
    root.addEventListener("pointermove", (e) => {
      if (anchor !== null) showSel(anchor, indexAt(e.clientX));
    });
    root.addEventListener("pointerup", (e) => {
      if (anchor === null) return;
      const end = indexAt(e.clientX);
      const start = anchor;
      anchor = null;
      choose(start, end);
    });
    root.addEventListener("pointercancel", () => {
      anchor = null;
      sel.style.display = "none";
    });
    // Keyboard: arrows move, Shift+arrows extend, Enter sets the dates.
    let cursor = null;
    let keyAnchor = null;
    root.addEventListener("keydown", (e) => {
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        if (cursor === null) cursor = e.key === "ArrowLeft" ? list.length - 1 : 0;
        else cursor = Math.min(list.length - 1, Math.max(0, cursor + (e.key === "ArrowLeft" ? -1 : 1)));
        if (!e.shiftKey || keyAnchor === null) keyAnchor = cursor;
        showSel(keyAnchor, cursor);
        $("tl-note").textContent =
          list[Math.min(keyAnchor, cursor)].since + " to " + list[Math.max(keyAnchor, cursor)].until +
          ": " + plural(list.slice(Math.min(keyAnchor, cursor), Math.max(keyAnchor, cursor) + 1).reduce((n, b) => n + b.n, 0), "article") +
          " · Enter to select";
        e.preventDefault();
      } else if ((e.key === "Enter" || e.key === " ") && cursor !== null) {
        choose(keyAnchor, cursor);
        e.preventDefault();
      } else if (e.key === "Escape") {
        cursor = keyAnchor = null;
        sel.style.display = "none";
      }
    });
  }

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (timeline && !$("results-view").hidden) paintTimeline();
    }, 150);
  });

  // ---- article view --------------------------------------------------------

  const FIELDS = ["title", "outlet", "date", "author", "url", "path"];

  /** `origins` ("outlet=manifest,title=front matter") as a map. */
  function parseOrigins(text) {
    const map = {};
    if (!text) return map;
    for (const part of text.split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) map[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return map;
  }

  function splitPassageId(value) {
    const hash = value.lastIndexOf("#");
    if (hash > 0 && /^\d+$/.test(value.slice(hash + 1))) {
      return { id: value.slice(0, hash), passage: parseInt(value.slice(hash + 1), 10) };
    }
    return { id: value, passage: null };
  }

  async function fetchArticle(id, q) {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    try {
      return await api("/api/article/" + encodeURIComponent(id), params);
    } catch (e) {
      // An id such as `x#2` may be a record's own id; ask for it whole.
      throw e;
    }
  }

  async function renderArticle(fresh) {
    const want = splitPassageId(state.article);
    let shown;
    let focus = want.passage;
    try {
      shown = await fetchArticle(want.id, state.q ? apiQuery(state) : "");
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404 || want.passage === null) throw e;
      // Not an article#passage: perhaps an article whose own id holds '#'.
      shown = await fetchArticle(state.article, state.q ? apiQuery(state) : "");
      focus = null;
    }
    if (!fresh()) return;
    const a = shown.article;
    document.title = (a.title || a.id) + " · newsdex";
    const back = $("article-back");
    const backState = Object.assign({}, state, { article: "", trace: "" });
    back.href = href(backState);
    back.setAttribute("data-internal", "");
    back.textContent = state.q ? "← Back to results for “" + state.q + "”" : "← Search";
    const title = $("article-title");
    title.textContent = a.title || "(untitled)";
    title.classList.toggle("untitled", !a.title);

    const origins = parseOrigins(shown.origins);
    const dl = $("article-meta");
    clear(dl);
    const row = (name, value, origin) => {
      const dd = el("dd", null, value);
      if (origin) dd.append(el("span", "origin", "from " + origin));
      dl.append(el("dt", null, name), dd);
    };
    row("id", a.id, null);
    for (const f of FIELDS) {
      let value = a[f];
      let node;
      if (f === "date") {
        node = a.date ? dateText(a) + (a.date_precision === "day" ? " (day only)" : "") : "—";
        if (a.date && a.date_precision !== "day") node += " (" + a.date + ")";
      } else if (f === "url" && value) {
        node = externalLink(value, value);
      } else {
        node = value || "—";
      }
      const origin = value ? origins[f] || (f === "path" ? null : "the article") : null;
      row(f, node, origin);
    }
    if (shown.truncated) {
      const n = shown.truncated.chars_left_out;
      row("text", "truncated by the source" + (typeof n === "number" ? " (" + n + " characters left out)" : ""), null);
    }
    if (shown.captured) row("captured", shown.captured + " (web archive)", null);
    const unknown = Object.keys(origins).filter((k) => FIELDS.indexOf(k) < 0);
    if (unknown.length) row("from", unknown.map((k) => k + "=" + origins[k]).join(", "), null);

    drawArticleCopies(shown.copies, a.id);

    const ol = $("article-passages");
    clear(ol);
    for (const p of shown.passages) {
      const li = el("li", "passage-item");
      li.id = "p" + p.index;
      const head = el("div", "passage-head");
      head.append(el("span", "passage-no", "#" + p.index));
      head.append(el("span", "where", "bytes " + p.start + "–" + p.end + (p.line ? ", line " + p.line : "")));
      head.append(
        internalLink(
          Object.assign({}, state, { trace: a.id + "#" + p.index, article: "" }),
          "trace this passage",
          "trace-link"
        )
      );
      li.append(head);
      const text = el("p", "passage");
      text.append(highlighted(p.text, p.highlights));
      li.append(text);
      if (focus === p.index) li.classList.add("focus");
      ol.append(li);
    }
    if (shown.passages.length === 0) ol.append(el("li", "hint", "This article has no text."));
    const target = focus !== null ? $("p" + focus) : null;
    if (target) target.scrollIntoView({ block: "center" });
    else window.scrollTo(0, 0);
    $("article-title").setAttribute("tabindex", "-1");
    $("article-title").focus({ preventScroll: true });
  }

  function drawArticleCopies(group, self) {
    const box = $("article-copies");
    const list = $("article-copies-list");
    clear(list);
    if (!group) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    $("article-copies-note").textContent =
      plural(group.articles.length, "article") + " of one story (group " + group.group + "; original " + group.original + ")";
    for (const m of group.articles) {
      const li = copyItem(m, group);
      if (m.id === self) {
        li.classList.add("self");
        li.append(el("span", "hint", " — this article"));
      }
      list.append(li);
    }
  }

  // ---- trace view ----------------------------------------------------------

  async function renderTrace(fresh) {
    const back = $("trace-back");
    back.href = href(Object.assign({}, state, { trace: "", article: state.trace }));
    back.setAttribute("data-internal", "");
    back.textContent = "← Back to the article";
    $("trace-what").textContent = "Where the text of " + state.trace + " appears, earliest first.";
    const body = $("trace-body");
    clear(body);
    body.append(el("p", "hint", "Tracing…"));
    let answer;
    try {
      answer = await api("/api/trace", new URLSearchParams({ from: state.trace }));
    } catch (e) {
      if (!fresh()) return;
      clear(body);
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
        body.append(el("p", "notice-inline", e.message));
        return;
      }
      throw e;
    }
    if (!fresh()) return;
    clear(body);
    body.append(traceNode(answer));
  }

  /** A trace answer: every appearance, oldest first, the first one marked. */
  function traceNode(answer) {
    const ol = el("ol", "results trace");
    const first = answer.first;
    for (const item of answer.appearances) {
      const a = item.article;
      const p = item.passage;
      const li = el("li", "hit");
      li.setAttribute("data-article", a.id);
      const head = el("div", "hit-head");
      if (first && first.article.id === a.id && first.passage.index === p.index) {
        head.append(el("strong", "first", "first appearance"), el("span", "sep", " · "));
      }
      head.append(el("span", "outlet", a.outlet || "outlet unknown"), el("span", "sep", " · "));
      head.append(el("time", "date", dateText(a)));
      if (a.date) head.lastChild.setAttribute("datetime", a.date);
      head.append(el("span", "sep", " · "));
      const match = item.match === "exact" ? "exact" : "near (similarity " + item.similarity.toFixed(2) + ")";
      head.append(el("span", "match", match));
      li.append(head);
      const target = Object.assign({}, state, { trace: "", article: a.id + "#" + p.index });
      li.append(el("h3", "hit-title", internalLink(target, a.title || "(untitled)", "title" + (a.title ? "" : " untitled"))));
      const text = el("p", "passage");
      text.append(highlighted(p.text, p.highlights));
      li.append(text);
      const foot = el("div", "hit-foot");
      foot.append(el("span", "where", source(a, p) + "  #" + p.index));
      if (a.url) foot.append(externalLink(a.url));
      if (item.copies && item.copies.count > 1) foot.append(el("span", "hint", " · one of " + item.copies.count + " copies of a story"));
      li.append(foot);
      ol.append(li);
    }
    if (answer.appearances.length === 0) ol.append(el("li", "hint", "No article holds this text."));
    return ol;
  }

  render();
})();
