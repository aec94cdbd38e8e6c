"""Rules for vocabularies/synonyms.yml, the words practitioners search with.

Each phrase is looked for in a searcher's query and the other phrases of its group are added to
it (datasette_whatworks_search.synonyms), on the served and the in-browser search alike. So a
phrase must be plain words (no character a query parser reads as syntax), mean one group only,
and stay small enough that one query cannot grow without bound.
"""

from __future__ import annotations

import re

from .load import Loaded, field_name
from .vocabulary_models import SynonymList
from .problems import Problem

SYNONYMS_STEM = "synonyms"  # evidence/vocabularies/synonyms.yml
MAX_GROUP_PHRASES = 12
MAX_PHRASE_WORDS = 6
# Plain words: letters and digits, with - ' & only inside a word (A&E, co-ordinated, young people's).
_WORD = r"[^\W_]+(?:[-'&][^\W_]+)*"
PHRASE = re.compile(rf"{_WORD}(?: {_WORD})*")
SYNTAX_WORDS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}  # Whoosh's operators (upper case only)
_PLAIN = re.compile(r"[^\W_]|[-'& ]")


def phrase_key(phrase: str) -> str:
    """How a phrase is compared and handed on: lower case, single spaces, no spaces at the ends."""
    return " ".join(phrase.split()).lower()


def check_synonyms(loaded: Loaded, synonyms: SynonymList) -> None:
    seen: dict[str, tuple[int, int]] = {}  # phrase key -> (group, phrase) where it first appears
    if not synonyms.groups:  # (not min_length on the model: pydantic adds it to every bad group's error)
        _problem(loaded, ("groups",), "list is empty", "add a group per line, e.g. - [kicked out, excluded]", "empty-list")
    for g, group in enumerate(synonyms.groups):
        if len(group) < 2:
            _problem(loaded, ("groups", g), f"the group has {len(group)} phrase{'s' * (len(group) != 1)}; a group needs two or more",
                     "add the words it stands for, e.g. [kicked out, excluded], or remove the line", "synonym-group-size")
        elif len(group) > MAX_GROUP_PHRASES:
            _problem(loaded, ("groups", g), f"the group has {len(group)} phrases, more than {MAX_GROUP_PHRASES}",
                     "split it into groups of words that mean the same", "synonym-group-size")
        for p, phrase in enumerate(group):
            loc = ("groups", g, p)
            key = phrase_key(phrase)
            if not key:
                _problem(loaded, loc, "the phrase is empty", "write a word or phrase, or remove the comma", "synonym-empty-phrase")
                continue
            if _syntax(loaded, loc, phrase, key):
                continue
            if len(key.split()) > MAX_PHRASE_WORDS:
                _problem(loaded, loc, f"'{key}' has {len(key.split())} words, more than {MAX_PHRASE_WORDS}",
                         "keep the words a searcher would type", "synonym-phrase-size")
            if key in seen:
                first_g, first_p = seen[key]
                where = "earlier in this group" if first_g == g else f"in {field_name(('groups', first_g))} (line {loaded.mark(('groups', first_g))[0]})"
                _problem(loaded, loc, f"'{key}' is already listed {where}",
                         "keep it in one group: merge the groups if they mean the same", "synonym-repeated")
            else:
                seen[key] = (g, p)


def _syntax(loaded: Loaded, loc: tuple, phrase: str, key: str) -> bool:
    """Report a phrase a query parser would read as more than words; True if it was one."""
    operator = next((w for w in phrase.split() if w in SYNTAX_WORDS), None)
    if operator:
        _problem(loaded, loc, f"'{operator}' is a search operator", f"write it in lower case ('{operator.lower()}')", "synonym-query-syntax")
        return True
    if PHRASE.fullmatch(key):
        return False
    odd = next((c for c in key if not _PLAIN.match(c)), None)
    if odd:
        _problem(loaded, loc, f"'{phrase}' holds {odd!r}, which search reads as syntax",
                 "use only letters, digits and spaces (and - ' & inside a word)", "synonym-query-syntax")
    else:
        _problem(loaded, loc, f"'{phrase}' has - ' or & outside a word (a leading - means NOT)",
                 "write them only between letters, e.g. a&e, co-ordinated", "synonym-query-syntax")
    return True


def _problem(loaded: Loaded, loc: tuple, message: str, fix: str, rule: str) -> None:
    line, col = loaded.mark(loc)
    loaded.problems.append(Problem(loaded.path, line, col, field_name(loc), message, fix, rule))
