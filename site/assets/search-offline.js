/* The site's offline search engine, loaded by the results page (assets/search.js) only when
   the Whoosh endpoint does not answer (a static host, a file:// copy, the endpoint down), with
   the index built with the site (search/offline-index.js, from build_tools/pages/search_index.py).
   It stems words, expands the synonyms vocabulary and forgives one typo per word (edit distance
   1 against the index's words). bench/offline_search.py scores it on the judged queries. */
(function () {
  "use strict";

  var LIMIT = 20;

  // A light English stemmer: plurals, -ing, -ed, -er, -al, final e. Run on both the index's
  // words and the query, so "mentors", "mentoring" and "mentor" meet.
  function stem(word) {
    var w = word;
    if (w.length > 4 && /ies$/.test(w)) w = w.slice(0, -3) + "y";
    else if (w.length > 3 && /(ss|us|is)$/.test(w)) { /* keep: class, status, analysis */ }
    else if (w.length > 4 && /(x|ch|sh|ss)es$/.test(w)) w = w.slice(0, -2);
    else if (w.length > 3 && /s$/.test(w)) w = w.slice(0, -1);
    if (w.length > 5 && /ing$/.test(w)) w = w.slice(0, -3);
    else if (w.length > 4 && /ed$/.test(w)) w = w.slice(0, -2);
    else if (w.length > 6 && /er$/.test(w)) w = w.slice(0, -2);
    else if (w.length > 7 && /al$/.test(w)) w = w.slice(0, -2);
    if (/([^aeiouls])\1$/.test(w)) w = w.slice(0, -1);  // running -> runn -> run
    if (w.length > 4 && /e$/.test(w)) w = w.slice(0, -1);
    return w;
  }

  // True when a and b differ by one insertion, deletion, substitution or swap of neighbours.
  function oneEdit(a, b) {
    if (a === b) return false;
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > 1) return false;
    var i = 0;
    while (i < la && i < lb && a[i] === b[i]) i++;
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true;
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  function Offline(data) {
    this.data = data;
    this.pattern = new RegExp(data.token, "g");
    this.stop = {};
    data.stop.forEach(function (w) { this.stop[w] = true; }, this);
    this.byStem = {};  // stem -> words of the index with that stem
    this.df = {};      // word -> number of entries holding it
    var n = data.docs.length;
    this.idf = {};
    Object.keys(data.words).forEach(function (word) {
      var s = stem(word);
      (this.byStem[s] = this.byStem[s] || []).push(word);
      var df = data.words[word].split(",").length;
      this.df[word] = df;
      this.idf[word] = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    }, this);
    // Synonym groups as lists of phrases, each phrase a list of stems.
    this.groups = data.synonyms.map(function (group) {
      return group.map(function (phrase) { return this.words(phrase).map(stem); }, this)
        .filter(function (p) { return p.length; });
    }, this);
    this.synonymStems = {};
    this.groups.forEach(function (g) { g.forEach(function (p) { p.forEach(function (s) { this.synonymStems[s] = true; }, this); }, this); }, this);
  }

  Offline.prototype.words = function (text) {
    var stop = this.stop;
    return (String(text).toLowerCase().match(this.pattern) || []).filter(function (w) { return !stop[w]; });
  };

  Offline.prototype.known = function (word) {
    var s = stem(word);
    return !!(this.byStem[s] || this.synonymStems[s]);
  };

  // The most common word of the index (or of the synonyms) one edit away, or null.
  Offline.prototype.correct = function (word) {
    if (word.length < 4 || /\d/.test(word)) return null;
    var best = null, bestDf = -1, df = this.df;
    Object.keys(df).forEach(function (w) {
      if (df[w] > bestDf && oneEdit(word, w)) { best = w; bestDf = df[w]; }
    });
    if (best) return best;
    var s = stem(word), stems = Object.keys(this.byStem).concat(Object.keys(this.synonymStems));
    for (var i = 0; i < stems.length; i++) {
      if (oneEdit(s, stems[i])) return (this.byStem[stems[i]] || [stems[i]])[0];
    }
    return null;
  };

  // [entry number, weight, …] of a word: its postings string is "<gap base 36><weight digit>,…"
  Offline.prototype.postings = function (word) {
    var out = [], doc = 0, digits = this.data.digits, scale = this.data.scale;
    this.data.words[word].split(",").forEach(function (p) {
      doc += parseInt(p.slice(0, -1), 36);
      out.push(doc, digits.indexOf(p[p.length - 1]) / scale);
    });
    return out;
  };

  // entry number -> score of one stem (the best of the index's words with that stem)
  Offline.prototype.stemScores = function (s) {
    var out = {}, idf = this.idf, self = this;
    (this.byStem[s] || []).forEach(function (word) {
      var postings = self.postings(word);
      for (var i = 0; i < postings.length; i += 2) {
        var score = postings[i + 1] * idf[word];
        if (!(out[postings[i]] >= score)) out[postings[i]] = score;
      }
    });
    return out;
  };

  // entry number -> score of a phrase: every stem must be there (no positions are kept)
  Offline.prototype.phraseScores = function (stems) {
    var self = this, parts = stems.map(function (s) { return self.stemScores(s); });
    var out = {};
    Object.keys(parts[0] || {}).forEach(function (doc) {
      var total = 0;
      for (var i = 0; i < parts.length; i++) {
        if (!(doc in parts[i])) return;
        total += parts[i][doc];
      }
      out[doc] = total;
    });
    return out;
  };

  // The query's concepts: a synonym phrase found in the query stands for its whole group.
  Offline.prototype.concepts = function (stems) {
    var out = [], i = 0;
    while (i < stems.length) {
      var found = null;
      this.groups.forEach(function (group) {
        group.forEach(function (phrase) {
          if (phrase.length > (found ? found.length : 0) && phrase.every(function (s, k) { return stems[i + k] === s; })) {
            found = { length: phrase.length, group: group, phrase: phrase };
          }
        });
      });
      if (found) {
        out.push(found.group.map(function (p) { return { stems: p, weight: p === found.phrase ? 1 : 0.9 }; }));
        // The typed words count one by one too (as in the endpoint, where words rank, none is
        // required): "adverse childhood experiences" also finds "adverse experiences".
        if (found.length > 1) found.phrase.forEach(function (s) { out.push([{ stems: [s], weight: 1 }]); });
        i += found.length;
      } else {
        out.push([{ stems: [stems[i]], weight: 1 }]);
        i += 1;
      }
    }
    return out;
  };

  Offline.prototype.search = function (q) {
    // The endpoint's `setting:pru` syntax: offline, the value is searched as a word.
    var self = this, words = this.words(String(q).replace(/\b[a-z_-]+:(?=\S)/gi, " ")), corrected = [], changed = false;
    words.forEach(function (w) {
      var fix = self.known(w) ? null : self.correct(w);
      corrected.push(fix || w);
      if (fix) changed = true;
    });
    var totals = {};
    this.concepts(corrected.map(stem)).forEach(function (alternatives) {
      var best = {};
      alternatives.forEach(function (alt) {
        var scores = self.phraseScores(alt.stems);
        Object.keys(scores).forEach(function (doc) {
          var score = scores[doc] * alt.weight;
          if (!(best[doc] >= score)) best[doc] = score;
        });
      });
      Object.keys(best).forEach(function (doc) { totals[doc] = (totals[doc] || 0) + best[doc]; });
    });
    var ranked = Object.keys(totals).map(Number).sort(function (a, b) { return totals[b] - totals[a] || a - b; });
    return {
      total: ranked.length,
      results: ranked.slice(0, LIMIT).map(function (n) {
        var d = self.data.docs[n];
        return { path: d[0], type: d[1], name: d[2], summary: d[3] };
      }),
      suggestion: changed ? corrected.join(" ") : null,
    };
  };

  window.wwOfflineSearch = Offline;
})();
