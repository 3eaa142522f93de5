"""Which fine covers which duty, read from the acts' own penalties articles.

Each act sets its fines in tiers, and each tier names the articles whose breach it fines:
GDPR Art. 83(4) "Infringements of the following provisions ... administrative fines up to
10 000 000 EUR ...: (a) the obligations of the controller and the processor pursuant to Articles 8,
11, 25 to 39 and 42 and 43"; proposal Art. 71(4) every requirement "other than those laid down in
Articles 5 and 10". A question on the fine for breaking a duty ("and what's the fine if we don't
report it?") is answered by the tier that names the duty's article, not by whichever tier shares
most words with the question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .citations import find_references
from .clauses import Library, top_level

# A paragraph that sets a fine: "administrative fines up to ...", "fines of up to EUR ...".
FINE = re.compile(r"\bfines (?:of )?up to\b", re.IGNORECASE)
# "... other than those laid down in Articles 5 and 10, shall be subject to ...": the articles named
# up to the next comma are the ones the tier does not cover.
OTHER_THAN = re.compile(r"\bother than (?:those|the ones) (?:laid down|referred to) in ([^,;:]*)", re.IGNORECASE)
# Articles that set or govern fines; a question's best match among them is not the duty it asks about.
PENALTY_HEADING = re.compile(r"\b(penalt\w*|fines)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Tier:
    doc: str
    ref: str                   # the paragraph that sets the amount
    articles: frozenset[str]   # the articles it names ("Art. 33")
    all_others: bool = False   # covers every article except ``articles`` ("other than those laid down in")

    def covers(self, article: str) -> bool:
        return (article not in self.articles) if self.all_others else (article in self.articles)


def articles_named(text: str, doc: str) -> set[str]:
    """The articles of ``doc`` a text names, as "Art. N" (a range names each: "25 to 39")."""
    return {top_level(r.ref) for r in find_references(text)
            if r.ref.startswith("Art. ") and r.doc in (None, doc) and not r.external}


@lru_cache(maxsize=4)
def tiers(library: Library) -> tuple[Tier, ...]:
    """Every fine tier of every act, in document order (read once per library)."""
    out = []
    for document in library:
        doc = document.source.id
        for clause in document.clauses.values():
            if clause.kind != "paragraph" or not FINE.search(clause.text):
                continue
            named = articles_named(clause.text, doc) - {top_level(clause.ref)}
            excluded: set[str] = set()
            for match in OTHER_THAN.finditer(clause.text):
                excluded |= articles_named(match.group(1), doc)
            listed = named - excluded
            if listed:
                out.append(Tier(doc, clause.ref, frozenset(listed)))
            elif excluded:
                out.append(Tier(doc, clause.ref, frozenset(excluded), all_others=True))
    return tuple(out)


def is_penalty_article(library: Library, doc: str, article: str) -> bool:
    """An article that sets or governs fines (a tier's, or one headed "Penalties", "... fines ...")."""
    if any(t.doc == doc and top_level(t.ref) == article for t in tiers(library)):
        return True
    clause = library.document(doc).clauses.get(article)
    return bool(clause and clause.heading_path and PENALTY_HEADING.search(clause.heading_path[-1]))


def rule_tier(library: Library, doc: str, ref: str) -> Tier | None:
    """The tier that fines a breach of the rule at ``ref`` (its article's); None for what is not an
    article's rule: a recital, an annex, a fines article itself."""
    article = top_level(ref)
    if not article.startswith("Art. ") or is_penalty_article(library, doc, article):
        return None
    return tier_for(tiers(library), doc, article)


def tier_for(found: tuple[Tier, ...], doc: str, article: str) -> Tier | None:
    """The tier that fines a breach of ``article``: one naming it, else one covering all others.
    Only the act's first fines article counts: those after it fine Union institutions (proposal
    Art. 72, final Act Art. 100), whom a question on a breach rarely means."""
    own = [t for t in found if t.doc == doc]
    general = [t for t in own if top_level(t.ref) == top_level(own[0].ref)] if own else []
    named = [t for t in general if not t.all_others and t.covers(article)]
    others = [t for t in general if t.all_others and t.covers(article)]
    return (named or others or [None])[0]
