"""The hybrid retriever: references named in the question first, then BM25 and dense
similarity fused by weighted reciprocal rank, within the documents the question is about.

How a query plan (``assistant/plan.py``: what the question names, compares and asks) is searched:

1. Documents: the plan's weights. A question naming two documents, or only the final act
   (asked about this draft, that is a comparison with the proposal), searches each on its own
   and alternates their results; for the proposal and the final act, the counterpart of the
   best clause of one version in the other (nearest stored vector) is brought up in that
   version's list.
2. References the question names ("Article 52", "Art. 5(1)(d)", "Recital 72") are fetched
   directly and ranked first; then the definitions of terms the question asks the meaning of,
   with the annex a definition refers to; then, for a question whether a use is high-risk or
   banned, the item of Annex III / Art. 5(1) nearest the question.
3. Everyday words get the texts' legal wording added (``corpus/glossary.json``). The dense
   query is the question plus that wording; in BM25 the added words count ``expansion_weight``
   of the question's own. A question in another language is searched with the English terms of
   the acts' terms it uses (``legal_terms``: "Auftragsverarbeiter" -> "processor") and the legal
   wording of its everyday words (its locale's ``glossary``, the same entries in its language),
   together its ``english_reading``, appended to its multilingual-e5 query and, at ``term_weight``,
   in BM25; BM25 also reads, at ``term_weight``, the English corpus words nearest its other words
   (``word_map``), and of its own words only what English can read (``lexical_text``).
4. Each unit scores ``prior x sum of weight/(rrf_k + rank)`` over the dense and BM25 rankings;
   the prior is the document's weight x the kind's (recitals, memorandum and commentary weigh
   less than enacting terms unless asked for) x where it sits (final and amending provisions
   less unless asked for; subject matter and scope more for a question about a whole act; an
   article's first paragraph, which states its rule, a little more).
5. Articles are ranked by their best unit, which stands for the article; its further clauses
   rank by their own score discounted once for each clause of the article before them
   (``repeat_discount``). For a question that asks for a list or compares lists, an item of a
   list is shown as the clause that holds the whole list.
6. A follow-up is searched with the conversation before it, and on its own at ``own_weight``.

Every weight is in ``assistant/tuning.py``; nothing in this module or the glossary names an
eval question.
"""
from __future__ import annotations

import json
import math
import re
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Callable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from .citations import find_references, is_within, without_document_names
from .clauses import FINAL_ACT, LIST_KINDS, PROPOSAL, Library, top_level
from .config import REPO_ROOT
from .embedding import embed_documents, embed_query
from .i18n import locale, words
from .index import ClauseIndex, lead_in, tokenize
from .legal_terms import english_terms
from .plan import CLASS_LISTS, CLASSIFIED_DOCUMENTS, FINE, QueryPlan
from .records import Hit
from .summaries import restated
from .textdiff import LABEL
from .tuning import DEFAULT, Tuning

if TYPE_CHECKING:
    from .alignment import Alignment

GLOSSARY_PATH = REPO_ROOT / "corpus" / "glossary.json"
FINAL_PROVISIONS = re.compile(r"^(Title|Chapter) [IVXLC]+ FINAL PROVISIONS$", re.IGNORECASE)
# The kinds of clause that enact (a recital explains them).
ENACTING = frozenset({"article", "paragraph", "subparagraph", "point", "indent", "annex", "annex_section"})
# "Subject-matter", "Subject matter and objectives", "Scope", "Material scope", "Territorial scope".
SUBJECT_AND_SCOPE = re.compile(r"^Article \d+ (Subject[- ]matter|(Material |Territorial )?Scope)\b", re.IGNORECASE)
# An article's first paragraph ("Art. 9(1)"), which states its rule (``Tuning.first_paragraph``).
FIRST_PARAGRAPH = re.compile(r"^Art\. \d+[a-z]?\(1\)$")
# An act's statement of its purpose ("The purpose of this Regulation is to improve the functioning of the
# internal market ..."): the final Act's Art. 1(1), the draft's Recital 1, whose Art. 1 lists what it lays down.
PURPOSE = re.compile(r"^(\d+\.\s*)?The purpose of this (Regulation|Directive|Act) is\b")
# "Entry into force and application", in all three acts.
APPLICATION = re.compile(r"^Article \d+ Entry into force and application$", re.IGNORECASE)


def search_text(text: str) -> str:
    """The question without the names of documents (they choose where to search)."""
    return without_document_names(text) or text


@lru_cache(maxsize=1)
def _glossary_entries() -> list[dict]:
    """corpus/glossary.json's entries, read once."""
    return json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))["entries"]


@lru_cache(maxsize=None)
def glossary(lang: str = "en") -> list[tuple[re.Pattern, str]]:
    """(everyday words, the texts' English wording for them): corpus/glossary.json for English; for
    another language, its locale's ``glossary``, the same entries in that language's everyday words."""
    if lang == "en":
        return [(re.compile(r"\b(" + "|".join(e["terms"]).replace("{fine}", FINE) + r")\b", re.IGNORECASE),
                 e["means"]) for e in _glossary_entries()]
    return [(pattern, means) for means in locale(lang).get("glossary", {})
            if (pattern := words(lang, "glossary", means)) is not None]


def legal_wording(question: str, lang: str = "en") -> list[str]:
    """The texts' wording for the everyday words the question, written in ``lang``, uses."""
    return [means for pattern, means in glossary(lang) if pattern.search(question)]


@lru_cache(maxsize=1)
def _acronyms() -> list[tuple[re.Pattern, str]]:
    """The glossary's entries whose every term is an acronym ("DPIA", "DPO"): their meaning is not an
    interpretation of everyday words but the same words spelled out."""
    return [(re.compile(r"\b(" + "|".join(e["terms"]) + r")s?\b", re.IGNORECASE), e["means"])
            for e in _glossary_entries() if all(re.fullmatch(r"[A-Z][A-Z0-9]+", term) for term in e["terms"])]


def spell_out(question: str) -> str:
    """The question with the acronyms the glossary knows written out: MiniLM reads "DPIA" as letters
    ("What must a DPIA contain at minimum?" is 0.27 from its closest clause, under the scope bar)."""
    for pattern, means in _acronyms():
        question = pattern.sub(means, question)
    return question


def english_reading(bare: str, lang: str) -> str:
    """What a question in another language says in the English corpus's words: the English terms
    of the acts' terms it uses (``legal_terms``: "Auftragsverarbeiter" -> "processor") and the
    legal wording of the everyday words it uses (its locale's glossary: "pozwać" -> "judicial
    remedy"). Translated tune questions (770, 7 languages), mean article R@5 / all key facts: terms
    alone 0.777 / 0.677; with the glossary's wording in BM25 only 0.825 / 0.728; in the e5 query
    too (this) 0.831 / 0.747. Empty for English, whose glossary ``expand`` applies."""
    if lang == "en":
        return ""
    return " ".join([*english_terms(bare, lang), *legal_wording(bare, lang)])


def expand(question: str) -> str:
    """The question plus the legal wording for the everyday words it uses."""
    return " ".join([question] + legal_wording(question))


def query_terms(question: str, expansion_weight: float, terms: str = "", term_weight: float = 0.0) -> dict[str, float]:
    """BM25 query terms with weights: the question's own words 1, words the glossary adds less, and
    the English ``terms`` of another language's question (``english_reading``) ``term_weight``."""
    weighted: dict[str, float] = {}
    for token in tokenize(question):
        weighted[token] = weighted.get(token, 0.0) + 1.0
    for token in tokenize(terms):
        if token not in weighted:
            weighted[token] = term_weight
    for token in tokenize(" ".join(legal_wording(question))):
        if token not in weighted:
            weighted[token] = expansion_weight
    return weighted


@lru_cache(maxsize=512)
def _query_vector(text: str) -> tuple[float, ...]:
    return tuple(embed_query(text))


def query_vector(text: str) -> list[float]:
    """The query's vector; repeated texts (a comparison searches each document) embed once."""
    return list(_query_vector(text))


@lru_cache(maxsize=512)
def multilingual_vector(text: str):
    """A question's multilingual-e5 vector (another language's question), embedded once per text."""
    from .multilingual import embed_query

    return embed_query(text)


# What of another language's question BM25 reads of its own words: the English index matched that
# language's short words and the pieces of its accented words as if they were English ("de", "der",
# "o", "per", "f"/"r" of "für"; "de" in 56 of the 110 French tune questions), and a reference word
# naming nothing ("un article qui dit ...") matched every clause citing an article. Translated tune
# questions, article R@5 of the retriever, mean of 7: 0.736 -> 0.737 (fr 0.745 -> 0.792, pt 0.736
# -> 0.708: where BM25 had nothing but such words its list is noise before and after, drawn from
# other clauses).
_NOT_ENGLISH = re.compile(
    r"\b\w*[^\x00-\x7F\W]\w*"                                  # a word with a letter English does not write
    r"|(?<!\()\b(?![A-Z]{2,}\b|I\b)[A-Za-z]{1,3}\b(?!\))(?!\.?\s*\d)"   # a short word (no acronym, numeral, point letter or reference)
    r"|\b(?i:articles?|annex(?:es)?|recitals?|paragraphs?|points?)\b(?!\.?\s*(?:\d|[IVXLC]+\b|\())")  # a reference word naming nothing


def lexical_text(bare: str) -> str:
    """The words of a question in another language that the English BM25 index can read as
    English: its references, numbers, acronyms and words written as English writes them."""
    return _NOT_ENGLISH.sub(" ", bare)


def multilingual_query(bare: str, terms: str) -> str:
    """What multilingual-e5 embeds for a question in another language: the question (without the
    documents' names) and ``terms``, its ``english_reading``."""
    return f"{bare} {terms}".strip()


def source_weights(plan: QueryPlan, tuning: Tuning) -> tuple[float, float]:
    """(dense, BM25) weights in the fusion; BM25 counts less for a question in another language."""
    return tuning.dense_weight, (tuning.lexical_weight if plan.language == "en" else tuning.foreign_lexical_weight)


def told_apart(texts: list[str]) -> list[str]:
    """The texts without the opening words at least half of them share (unchanged if none do)."""
    words = [text.split() for text in texts]
    shared: tuple[str, ...] = ()
    while True:
        n = len(shared) + 1
        heads = [tuple(w[:n]) for w in words if len(w) > n]
        best = max(set(heads), key=heads.count, default=None)
        if best is None or 2 * heads.count(best) < len(words):
            break
        shared = best
    if not shared:
        return list(texts)
    return [" ".join(w[len(shared):]) if tuple(w[:len(shared)]) == shared else text for w, text in zip(words, texts)]


def round_robin(lists: list[list]) -> list:
    """The first of each list, then the second of each, ... (a comparison's documents in turn)."""
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out += [x[i] for x in lists if i < len(x)]
    return out


def annexes_cited(clause, library: Library) -> list[tuple[str, str]]:
    """The annexes a clause refers to, as (doc, ref), in its own document."""
    out = []
    for reference in find_references(clause.text):
        if reference.doc is None and reference.ref.startswith("Annex") and library.find(clause.doc, reference.ref):
            key = (clause.doc, reference.ref)
            if key not in out:
                out.append(key)
    return out


class Retriever:
    """Plain search over a ``ClauseIndex`` for a query plan; ``HybridRetriever`` wraps it for LangChain."""

    def __init__(self, library: Library, index: ClauseIndex, tuning: Tuning = DEFAULT,
                 alignment: "Callable[[], Alignment] | None" = None):
        self.library = library
        self.index = index
        self.tuning = tuning
        self.alignment = alignment  # the proposal <-> final Act alignment, loaded when first needed
        self._own_words: dict[int, frozenset[str]] = {}

    @cached_property
    def multilingual(self):
        """The multilingual-e5 vectors of the same units, for questions not in English (built
        once beside the index on the first such question)."""
        from .multilingual import MultilingualIndex
        return MultilingualIndex(self.index).open(progress=False)

    @cached_property
    def _multilingual_file(self):
        from .multilingual import MultilingualIndex
        return MultilingualIndex(self.index).path  # named by an identity hashed over every unit: once

    def ready_multilingual(self):
        """The multilingual vectors when they need no building: when they are on disk (opened once,
        ~0.1 s). English questions use them where they are; they are not built for one (the
        web UI builds them in the background after it starts, ``Assistant.warm_up_languages``)."""
        return self.multilingual if self._multilingual_file.exists() else None

    def penalty(self, ranked: list[tuple[int, float]]) -> tuple[str, str] | None:
        """For a question on the fine for breaking a rule: the fine tier that names the first
        article ``ranked`` (best first) that is not a fines article itself, among its first few."""
        from .penalties import is_penalty_article, rule_tier

        for row, _ in ranked[:self.tuning.penalty_rule_rank]:
            unit = self.index.units[row]
            if not is_penalty_article(self.library, unit.doc, top_level(unit.ref)):
                tier = rule_tier(self.library, unit.doc, unit.ref)
                return (tier.doc, tier.ref) if tier else None
        return None

    @cached_property
    def structural_priors(self) -> dict[str, float]:
        """Unit id -> prior from where the clause sits: final and amending provisions count
        less (they share plain words with every question: "apply", "Regulation", "Member
        States") and are lifted back to 1 when the question asks about them."""
        priors = {}
        for unit in self.index.units:
            clause = self.library.get(unit.doc, unit.ref)
            if clause.heading_path and FINAL_PROVISIONS.match(clause.heading_path[0]):
                priors[unit.id] = self.tuning.final_provisions
        return priors

    @cached_property
    def first_paragraphs(self) -> frozenset[int]:
        """The rows of the articles' first paragraphs (``FIRST_PARAGRAPH``), read from the index once."""
        return frozenset(i for i, unit in enumerate(self.index.units) if FIRST_PARAGRAPH.match(unit.ref))

    @cached_property
    def class_lists(self) -> dict[tuple[str, str], tuple[list[int], "object"]]:
        """(doc, class) -> (unit rows, their MiniLM vectors as a matrix) of the items of the list
        that says what falls under the class (``CLASS_LISTS``): the units inside it that have no
        parts of their own ("Annex III(5)(b)" for "Annex III"; an area's heading with all its points
        would match any question on the area). Read from the index once, on the first such question."""
        import numpy as np

        wanted = {(doc, name): [i for i, u in enumerate(self.index.units) if u.doc == doc and u.ref != ref
                                and is_within(u.ref, ref) and not self.library.get(doc, u.ref).children]
                  for doc in CLASSIFIED_DOCUMENTS for name, ref in CLASS_LISTS.items()}
        vectors = self.index.vectors([row for rows in wanted.values() for row in rows])
        out = {}
        for (doc, name), rows in wanted.items():
            rows = [row for row in rows if row in vectors]
            matrix = np.asarray([vectors[row] for row in rows], dtype=np.float32).reshape(len(rows), -1)
            # Items that open with the same words ("the placing on the market, the putting into service
            # or the use of an AI system that ...", each Art. 5(1) point) are told apart by the rest:
            # their stored vectors, which also carry the article's heading and chapeau, lie so close
            # that a camera reading moods at work was nearest the ban on scraping faces. Tune, the
            # classified single questions' nearest item (82 choices): Art. 5(1) +7 -0 (the ban on
            # emotion recognition at work 6 times); Annex III items share no opening and keep theirs.
            texts = [self.item_text(doc, self.index.units[row].ref, CLASS_LISTS[name]) for row in rows]
            distinct = told_apart(texts)
            if distinct != texts:
                matrix = np.asarray(embed_documents(distinct), dtype=np.float32)
            out[doc, name] = rows, matrix
        return out

    def item_text(self, doc: str, ref: str, within: str) -> str:
        """A list item's own words after those of the items it sits in, up to the list ``within``
        (Art. 5(1)(c)(i): the social-scoring point's words, then its own), without their labels."""
        parts = []
        clause = self.library.get(doc, ref)
        while clause.ref != within:
            parts.insert(0, LABEL.sub("", clause.text.split("\n", 1)[0].strip(), count=1))
            clause = self.library.get(doc, clause.parent)
        return " ".join(parts)

    def classified(self, plan: QueryPlan, text: str) -> list[tuple[str, str, float]]:
        """For a question whether a use is high-risk or banned: in each version of the AI Act
        searched (and in the adopted Act beside a question naming no version, whose answer shows
        the Act too: tune article R@5 +8 -0), the item of the list that says so nearest the
        question, as (doc, ref, dense similarity), so that a use described in everyday words meets
        the point describing it even when other articles share more of the question's words. Dense
        alone: on 18 everyday descriptions of Annex III and Art. 5(1) uses it chose the right area or
        point for 17, adding BM25's ranks 15 (the question's "is that high risk" matches every item alike).
        No similarity tells a use that is not listed: a spam filter's nearest point scores as
        high as a listed use's, so this point is evidence to quote, not a verdict."""
        import numpy as np

        foreign = plan.language != "en"
        bare = search_text(text)
        lexical = None
        if foreign:  # MiniLM reads English only: another language's question meets the items in e5's vectors
            terms = english_reading(bare, plan.language)
            vector = np.asarray(multilingual_vector(multilingual_query(bare, terms)), dtype=np.float32)
            # ... and BM25's scores, read as the retrieval reads it (fused_item)
            lexical = self.index.lexical_scores(self.lexical_query(plan, bare, terms), list(CLASSIFIED_DOCUMENTS))
        else:
            vector = np.asarray(query_vector(expand(bare)), dtype=np.float32)
        out = []
        for doc in [d for d in CLASSIFIED_DOCUMENTS if plan.weights.get(d, 0.0) >= 1.0
                    or (d == FINAL_ACT and plan.adopted_beside)]:
            for name in plan.classifies:
                rows, matrix = self.class_lists[doc, name]
                if foreign:
                    matrix = self.multilingual.unit_vectors(rows)
                if rows:
                    similarity = matrix @ vector
                    best = int(np.argmax(similarity)) if lexical is None else self.fused_item(similarity, lexical[rows], plan)
                    out.append((doc, self.index.units[rows[best]].ref, float(similarity[best])))
        return out

    def found_by_chapeau(self, row: int, rarer: set[str]) -> bool:
        """Whether a unit's point continues a chapeau (indexed with it, ``index.lead_in``) and uses
        none of the question's ``rarer`` words itself."""
        unit = self.index.units[row]
        clause = self.library.get(unit.doc, unit.ref)
        return bool(lead_in(clause, self.library)) and rarer.isdisjoint(self.own_words(row))

    def fused_item(self, similarity, lexical, plan: QueryPlan) -> int:
        """The listed item a question in another language is nearest: e5's ranking of the items
        fused with BM25's (the items it matches at all), by the retrieval's weights and rrf_k. e5
        alone put "a university picks who gets a place by algorithm" nearest the border item
        (Annex III(7)(b), entering a territory) in 6 of 7 languages; the word map reads "university"."""
        import numpy as np

        dense_weight, lexical_weight = source_weights(plan, self.tuning)
        k = self.tuning.rrf_k
        score = np.zeros(len(similarity))
        score[np.argsort(-similarity)] += dense_weight / (k + np.arange(1, len(similarity) + 1))
        matched = np.flatnonzero(lexical > 0)
        ordered = matched[np.argsort(-lexical[matched])]
        score[ordered] += lexical_weight / (k + np.arange(1, len(ordered) + 1))
        return int(np.argmax(score))

    @cached_property
    def recital_bridge(self) -> dict[int, tuple[int, ...]]:
        """Recital row -> the rows of the enacting clauses it explains: in its own act, the clause
        of each of the ``bridge_articles`` articles nearest it (stored MiniLM vectors, an article's
        nearest clause standing for it), and the articles it names. Read from the index once."""
        import numpy as np

        units = self.index.units
        kinds = [self.library.get(u.doc, u.ref).kind for u in units]
        out: dict[int, tuple[int, ...]] = {}
        for doc in sorted({u.doc for u, kind in zip(units, kinds) if kind == "recital"}):
            recitals, explaining = self.index.matrix([i for i, u in enumerate(units) if u.doc == doc and kinds[i] == "recital"])
            enacting, explained = self.index.matrix([i for i, u in enumerate(units) if u.doc == doc and kinds[i] in ENACTING])
            if not recitals or not enacting:
                continue
            for row, similarity in zip(recitals, explaining @ explained.T):
                chosen: dict[tuple[str, str], int] = {}
                for j in np.argsort(-similarity):
                    chosen.setdefault(units[enacting[j]].article, enacting[j])
                    if len(chosen) >= self.tuning.bridge_articles:
                        break
                for reference in find_references(self.library.get(doc, units[row].ref).text):
                    found = self.index.by_id.get(f"{doc}::{reference.ref}") if reference.doc is None else None
                    if found is not None:
                        chosen.setdefault(units[found].article, found)
                out[row] = tuple(chosen.values())
        return out

    @cached_property
    def summary_bridge(self) -> dict[int, tuple[int, ...]]:
        """A commentary's summary paragraph row -> the rows of the paragraphs it restates
        (``summaries.restated``). Read from the texts once."""
        rows = self.index.by_id
        out: dict[int, tuple[int, ...]] = {}
        for document in self.library:
            for ref, restates in restated(document.clauses.values(), self.tuning.summary_overlap).items():
                if (row := rows.get(f"{document.id}::{ref}")) is not None:
                    out[row] = tuple(rows[key] for r in restates if (key := f"{document.id}::{r}") in rows)
        return out

    @cached_property
    def commentary_bridge(self) -> dict[tuple[str, str], tuple[int, ...]]:
        """An act's article -> the rows of the commentary paragraphs that name it ("the derogation
        ... set out in Article 47 seems to be very broad"): an article a commentary names without
        naming its act is the proposal's, the act every commentary here discusses. Read once."""
        rows = self.index.by_id
        acts = {document.id for document in self.library if document.source.kind != "commentary"}
        out: dict[tuple[str, str], list[int]] = {}
        for document in self.library:
            if document.source.kind != "commentary":
                continue
            for clause in document.clauses.values():
                row = rows.get(f"{document.id}::{clause.ref}")
                if row is None or clause.kind != "commentary_paragraph":
                    continue
                for reference in find_references(clause.text):
                    key = (reference.doc or PROPOSAL, top_level(reference.ref))
                    # an act not in this library, or one of the commentary's own parts ("Annex IX" of
                    # the act it discusses, read as its own): nothing to borrow from
                    if key[0] in acts and row not in out.setdefault(key, []):
                        out[key].append(row)
        return {key: tuple(found) for key, found in out.items()}

    def bridged(self, fused: dict[int, float], recitals: bool = True,
                weights: dict[str, float] | None = None) -> dict[int, float]:
        """``fused`` with each recital lending the share ``Tuning.recital_bridge`` of its score to
        the enacting clauses it explains (the property ``recital_bridge``), each article's loan going to
        its best clause found: an everyday question often lands nearer the recital, written in plain
        words, than the article it explains. And each summary paragraph of a commentary lending the
        share ``Tuning.summary_bridge`` to the paragraphs it restates (``summary_bridge``). And each
        act's article found lending to the commentary paragraphs naming it (``commentary_loans``)."""
        units = self.index.units
        recital_share = self.tuning.recital_bridge if recitals else 0.0
        summary_share = self.tuning.summary_bridge
        best: dict[tuple[str, str], int] = {}  # each article's best clause found, which takes its loans
        if recital_share:
            for row, _ in sorted(fused.items(), key=lambda item: -item[1]):
                best.setdefault(units[row].article, row)
        out = dict(fused)
        for row, score in fused.items():
            for target in self.recital_bridge.get(row, ()) if recital_share else ():
                target = best.get(units[target].article, target)
                out[target] = out.get(target, 0.0) + recital_share * score
            for target in self.summary_bridge.get(row, ()) if summary_share else ():
                out[target] = out.get(target, 0.0) + summary_share * score
        for target, loan in self.commentary_loans(fused, weights or {}).items():
            out[target] = out.get(target, 0.0) + loan
        return out

    def commentary_loans(self, fused: dict[int, float], weights: dict[str, float]) -> dict[int, float]:
        """What the articles of the acts in ``fused`` lend the commentary paragraphs naming them
        (``commentary_bridge``): each article once, by its best clause, the share
        ``Tuning.commentary_bridge`` of its score, to a commentary the question asks about (weighed
        1 in ``weights``). One searched beside the acts (0.4) borrows nothing: the EDPB-EDPS's
        paragraphs naming Art. 5 had led everyday questions on the bans."""
        units = self.index.units
        share = self.tuning.commentary_bridge
        asked = {document.id for document in self.library
                 if document.source.kind == "commentary" and weights.get(document.id, 0.0) >= 1.0}
        loans: dict[int, float] = {}
        lent: set[tuple[str, str]] = set()
        for row, score in sorted(fused.items(), key=lambda item: -item[1]) if share and asked else ():
            article = units[row].article
            if article in lent:
                continue
            lent.add(article)
            for target in self.commentary_bridge.get(article, ()):
                if units[target].doc in asked:
                    loans[target] = loans.get(target, 0.0) + share * score
        return loans

    def hit(self, doc: str, ref: str, score: float, how: str, similarity: float = 1.0, rare: float = 0.0) -> Hit:
        c = self.library.get(doc, ref)
        return Hit(c.doc, c.ref, c.label, c.text, round(score, 4), c.heading_path, c.url, c.kind, how,
                   round(similarity, 4), round(rare, 4))

    def prior(self, row: int, plan: QueryPlan, weights: dict[str, float], kinds: dict[str, float]) -> float:
        """What a unit counts before its rank: its document, its kind and where it sits."""
        unit = self.index.units[row]
        clause = self.library.get(unit.doc, unit.ref)
        prior = weights.get(unit.doc, 0.0) * kinds.get(clause.kind, 1.0)
        if not plan.wants_final_provisions:
            prior *= self.structural_priors.get(unit.id, 1.0)
        if plan.language == "en" and row in self.first_paragraphs:  # English only: see the tuning table
            prior *= self.tuning.first_paragraph
        if plan.general and clause.heading_path and SUBJECT_AND_SCOPE.match(clause.heading_path[-1]):
            prior *= 1.0 / self.tuning.final_provisions  # what an act is about: its subject matter and scope
        return prior

    def lexical_query(self, plan: QueryPlan, bare: str, terms: str) -> dict[str, float]:
        """BM25's query: the question's words with the English terms of the acts' terms it uses; for
        a question in another language, its own words as English reads them and their nearest
        English corpus words (the word map)."""
        t = self.tuning
        own, read = bare, terms
        if plan.language != "en":
            own = lexical_text(bare)
            read = " ".join([terms, *self.multilingual.words.english_words(bare, t.word_map_similarity)])
        return query_terms(own, t.expansion_weight, read, t.term_weight)

    def fuse(self, plan: QueryPlan, queries: list[tuple[str, float]], weights: dict[str, float],
             kinds: dict[str, float]):
        """Fused score of every candidate unit row, and the dense similarity of those seen."""
        t = self.tuning
        docs = sorted(d for d, w in weights.items() if w > 0)
        similarity: dict[int, float] = {}
        fused: dict[int, float] = {}
        for text, weight in queries:
            bare = search_text(text)
            terms = english_reading(bare, plan.language)
            if plan.language != "en":  # a question in another language: the multilingual model's dense side
                dense = self.multilingual.dense(multilingual_vector(multilingual_query(bare, terms)),
                                                t.candidates, docs, t.window_handicap)
            else:
                dense = self.index.dense(query_vector(expand(bare)), t.candidates, docs)
            for row, sim in dense:
                similarity[row] = max(similarity.get(row, 0.0), sim)
            lexical = self._top(self.index.lexical_scores(self.lexical_query(plan, bare, terms), docs), t.candidates)
            sources = list(zip((dense, lexical), source_weights(plan, t)))
            english_e5 = self.ready_multilingual() if plan.language == "en" and t.english_e5_weight else None
            if english_e5 is not None:  # e5 on the English question as typed: a third ranking
                e5 = english_e5.dense(multilingual_vector(multilingual_query(bare, terms)), t.candidates, docs,
                                      t.window_handicap)
                sources.append((e5, t.english_e5_weight))
            for ranked, source_weight in sources:
                for rank, (row, _score) in enumerate(ranked):
                    prior = self.prior(row, plan, weights, kinds)
                    fused[row] = fused.get(row, 0.0) + weight * source_weight * prior / (t.rrf_k + rank + 1)
        # recitals for English only: on the translated tune questions their bridge moved article R@5
        # 0.777 -> 0.774 (mean of 7 languages) and put GDPR Art. 9 before Art. 88 for Polish employment
        return self.bridged(fused, recitals=plan.language == "en", weights=weights), similarity

    @staticmethod
    def _top(scores, candidates: int) -> list[tuple[int, float]]:
        import numpy as np

        k = min(candidates, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    @cached_property
    def article_parts(self) -> dict[tuple[str, str], list[int]]:
        """The unit rows of each article's parts (not the whole article's, which holds every word of them)."""
        out: dict[tuple[str, str], list[int]] = {}
        for row, unit in enumerate(self.index.units):
            if unit.ref != unit.article[1]:
                out.setdefault(unit.article, []).append(row)
        return out

    def own_words(self, row: int) -> frozenset[str]:
        """A unit's own words: its clause's text, without the headings and chapeau indexed with it."""
        found = self._own_words.get(row)
        if found is None:
            unit = self.index.units[row]
            found = self._own_words[row] = frozenset(tokenize(self.library.get(unit.doc, unit.ref).text))
        return found

    def by_own_words(self, items: list[tuple[int, float]], words: frozenset[str]) -> list[tuple[int, float]]:
        """An article's matched units (best first) in the order the question's words tell them apart:
        each unit's score times 1 + ``tuning.sibling_words`` x its share of the best sum of the
        question's words in its own text, each word weighed by how few of the article's units hold
        it (idf within the article: its headings are in every unit, so only the words of one
        paragraph say which paragraph is asked about)."""
        rows = self.article_parts.get(self.index.units[items[0][0]].article, [])
        present = {w: sum(w in self.own_words(r) for r in rows) for w in words}
        idf = {w: math.log((len(rows) + 1) / (n + 0.5)) for w, n in present.items() if n}
        own = {row: sum(weight for w, weight in idf.items() if w in self.own_words(row)) for row, _ in items}
        best = max(own.values())
        if best <= 0:
            return items
        gain = self.tuning.sibling_words
        return sorted(items, key=lambda item: -item[1] * (1 + gain * own[item[0]] / best))

    def rank(self, fused: dict[int, float], discount: float,
             words: frozenset[str] | None = None) -> list[tuple[int, float]]:
        """Articles by their best unit (shown by the clause that best stands for it); an article's
        further clauses by their own score, discounted once for each clause of it before them, in
        the order the question's ``words`` tell them apart (``by_own_words``), when given."""
        units = self.index.units
        by_article: dict = {}
        for row, score in sorted(fused.items(), key=lambda item: -item[1]):
            by_article.setdefault(units[row].article, []).append((row, score))
        ordered = []  # (rank score, (row, score)): an article's n-th further clause discounted n times
        for items in by_article.values():
            best = items[0][1]
            if words and len(items) > 1 and self.tuning.sibling_words:
                items = self.by_own_words(items, words)
            lead = (self.representative(items)[0], best)
            ordered.append((lead[1], lead))
            referred = self.referred_rows(lead[0]) if len(items) > 1 else set()
            for n, item in enumerate((i for i in items if i[0] != lead[0]), 1):
                if item[0] in referred:
                    item = (item[0], max(item[1], best * self.tuning.referred_share))
                    ordered.append((item[1], item))
                else:
                    ordered.append((item[1] * discount ** n, item))
        return [item for _, item in sorted(ordered, key=lambda pair: -pair[0])]

    def referred_rows(self, row: int) -> set[int]:
        """The rows of the paragraphs or points of its own article that a unit builds on
        (``Library.referred_within``): Art. 5(2)'s conditions for "the objectives referred to in
        paragraph 1 point d)" rest on Art. 5(1)(d), which states the ban and its exceptions."""
        if not self.tuning.referred_share:
            return set()
        unit = self.index.units[row]
        clause = self.library.find(unit.doc, unit.ref)
        if clause is None:
            return set()
        rows = self.index.by_id
        return {rows[key] for c in self.library.referred_within(clause) if (key := f"{c.doc}::{c.ref}") in rows}

    def representative(self, items: list[tuple[int, float]]) -> tuple[int, float]:
        """The clause to show first for an article's matches (``items``, best first), with the
        article's best score: the best one, unless that is a whole article matched word by word
        (BM25 only; articles with parts are not embedded), which shows its best-matching part.

        Points are not replaced by their paragraph here: the chain adds each point's paragraph
        itself (``chain.with_parents``), and the answer should lead with the point."""
        units = self.index.units
        best_row, best_score = items[0]
        clause = self.library.get(units[best_row].doc, units[best_row].ref)
        if clause.kind == "article" and clause.children and len(items) > 1:
            return (items[1][0], best_score)
        return (best_row, best_score)

    def add_twins(self, per_doc: list[list], compared: list[str], found: list[tuple[str, str]]) -> None:
        """Proposal vs final act: the other version's counterpart of the clauses found first (named,
        defined, or each version's best), by the similarity of their stored vectors, goes
        near the top of that version's results."""
        rows = self.index.by_id
        sources = [rows[f"{doc}::{ref}"] for doc, ref in found if f"{doc}::{ref}" in rows]
        sources += [ranked[0][0] for ranked in per_doc if ranked]
        for row in sources:
            doc = self.index.units[row].doc
            if doc not in (FINAL_ACT, PROPOSAL):
                continue
            other = compared.index(PROPOSAL if doc == FINAL_ACT else FINAL_ACT)
            vector = self.index.vector(row)
            if vector is None:
                continue
            twins = self.index.dense(vector, 1, [compared[other]])
            if not twins:
                continue
            twin = twins[0][0]
            target = per_doc[other]
            position = next((i for i, (r, _) in enumerate(target) if r == twin), None)
            twin_position = self.tuning.twin_position
            if position is None or position > twin_position:
                if position is not None:
                    target.pop(position)
                score = target[0][1] if target else 0.0
                target.insert(min(twin_position, len(target)), (twin, score))

    @cached_property
    def purpose_statements(self) -> dict[str, str]:
        """Document -> the ref of the clause stating its purpose (``PURPOSE``), an enacting one first."""
        out: dict[str, str] = {}
        for document in self.library:
            found = [c for c in document.clauses.values() if PURPOSE.match(c.text) and not c.children]
            found.sort(key=lambda c: c.kind not in ENACTING)
            if found:
                out[document.id] = found[0].ref
        return out

    def new_in_adopted(self, row: int) -> bool:
        """Whether a unit of the final Act has nothing like it in the draft: no aligned counterpart
        of its own (one through an ancestor does not count: Art. 5(1)(e) is new in an aligned Art. 5)
        and no draft clause whose vector is ``adopted_new_similarity`` alike."""
        unit = self.index.units[row]
        counterparts = self.alignment().counterpart(FINAL_ACT, unit.ref)
        if counterparts and counterparts[0].via == unit.ref:
            return False
        vector = self.index.vector(row)
        nearest = self.index.dense(vector, 1, [PROPOSAL]) if vector is not None else []
        return not nearest or nearest[0][1] < self.tuning.adopted_new_similarity

    def with_adopted_only(self, plan: QueryPlan, queries, kinds, discount: float,
                          ranked: list[tuple[int, float]]) -> tuple[list[tuple[int, float]], int | None]:
        """The ranking of a question naming no version and answered from the draft searched first
        (``plan.adopted_beside``), with the adopted Act's clause for it that is new in the Act (the
        ban on scraping faces, the deployer's duty to tell workers), which the draft cannot answer:
        the Act is searched beside the documents searched, weighed as the draft is, and its first
        clause among the first ``adopted_only_depth`` found that has nothing like it in the draft
        joins the ranking at its score there times ``adopted_only_score``. Returns the row added, if any."""
        weights = {**plan.weights, FINAL_ACT: 1.0}
        fused, _ = self.fuse(plan, queries, weights, kinds)
        for row, score in self.rank(fused, discount)[:self.tuning.adopted_only_depth]:
            if self.index.units[row].doc == FINAL_ACT and self.new_in_adopted(row):
                score *= self.tuning.adopted_only_score
                at = next((i for i, (_, s) in enumerate(ranked) if s < score), len(ranked))
                return ranked[:at] + [(row, score)] + ranked[at:], row
        return ranked, None

    def search(self, question: "str | QueryPlan", k: int = 10, documents: list[str] | None = None) -> list[Hit]:
        """The ``k`` best clauses for a plan (or a question, read into a plan here): named
        clauses first, then definitions of terms whose meaning is asked (with the annex a
        definition defers to), then the fused ranking. A follow-up's context widens the
        search, but only the question's own references are fetched directly."""
        from . import plan as planning

        if isinstance(question, str):
            question = planning.build(question, self.library, documents=documents, tuning=self.tuning)
        plan = question
        kinds = planning.kind_weights(plan, self.tuning)
        named = [(r.doc, r.ref) for r in plan.references]
        defined: list[tuple[str, str]] = []
        for key in plan.defined:
            clause = self.library.get(key.doc, key.ref)
            for found in [(clause.doc, clause.ref)] + annexes_cited(clause, self.library):
                if found not in named and found not in defined:
                    defined.append(found)
        first = [d for d, w in sorted(plan.weights.items(), key=lambda x: -x[1]) if w >= 1.0][:1]
        # What an act is about: its own subject-matter and scope articles first. When an act applies:
        # its article on that (of each version compared), not the transitional articles on systems
        # already on the market, which share its words ("apply", "from", dates) and were found first.
        for wanted, heading, docs in ((plan.general, SUBJECT_AND_SCOPE, first),
                                      (plan.asks_application, APPLICATION, plan.documents_compared or first)):
            for doc in docs if wanted else ():
                for clause in self.library.document(doc).clauses.values():
                    if clause.kind == "article" and heading.match(clause.heading_path[-1]):
                        if (doc, clause.ref) not in named:
                            defined.append((doc, clause.ref))
        # What an act is for: its statement of its purpose, where no article found so holds it (the draft's
        # Recital 1; the final Act's is its Art. 1(1))
        for doc in first if plan.asks_purpose else ():
            purpose = self.purpose_statements.get(doc)
            if purpose and (doc, top_level(purpose)) not in defined + named:
                defined.append((doc, purpose))
        asked = plan.reading or plan.question
        whole = f"{plan.context} {asked}".strip()
        # a follow-up's use is what the conversation described ("what about using them on employees?")
        classified = [(doc, ref, sim) for doc, ref, sim in self.classified(plan, whole if plan.follow_up else asked)
                      if (doc, ref) not in named and (doc, ref) not in defined] if plan.classifies else []
        queries = [(asked, 1.0)] if not plan.context else [(asked, self.tuning.own_weight), (whole, 1.0)]
        top = sum(source_weights(plan, self.tuning)) * sum(w for _, w in queries) / (self.tuning.rrf_k + 1)
        compared = list(plan.documents_compared)
        discount = self.tuning.repeat_discount if plan.language == "en" else self.tuning.foreign_repeat_discount
        # English only: another language's words never meet the English text
        words = frozenset(tokenize(expand(whole))) if plan.language == "en" else None
        if len(compared) > 1:
            # A comparison: each document searched on its own, their best results alternating.
            per_doc, similarity = [], {}
            for doc in compared:
                fused, sims = self.fuse(plan, queries, {doc: 1.0}, kinds)
                similarity.update(sims)
                per_doc.append(self.rank(fused, discount, words))
            if FINAL_ACT in compared and PROPOSAL in compared:
                self.add_twins(per_doc, compared, named + defined)
            if plan.commentary_beside:  # what critics said, beside the acts compared: a side of its own
                fused, sims = self.fuse(plan, queries, {doc: 1.0 for doc in plan.commentary_beside}, kinds)
                similarity.update(sims)
                per_doc.append(self.rank(fused, discount, words))
            ranked = round_robin(per_doc)
        else:
            fused, similarity = self.fuse(plan, queries, plan.weights, kinds)
            ranked = self.rank(fused, discount, words)
        adopted = None
        if plan.adopted_beside and plan.weights.get(PROPOSAL, 0.0) >= 1.0 and self.alignment is not None:
            ranked, adopted = self.with_adopted_only(plan, queries, kinds, discount, ranked)
        rows = self.index.by_id
        hits = [self.hit(doc, ref, 2.0 - i * 0.01, "reference") for i, (doc, ref) in enumerate(named)]
        hits += [self.hit(doc, ref, 1.5, "definition", similarity.get(rows.get(f"{doc}::{ref}"), 0.0))
                 for doc, ref in defined]
        seen = set(named) | set(defined) | {(doc, ref) for doc, ref, _ in classified}
        # The listed use nearest the question scores as a share of the best match found otherwise.
        best = next((min(score / top, 1.0) for row, score in ranked
                     if (self.index.units[row].doc, self.index.units[row].ref) not in seen), 1.0)
        # the adopted Act's listed use beside a draft asked about counts as another document's clause
        hits += [self.hit(doc, ref, best * self.tuning.classification_score
                          * (1.0 if plan.weights.get(doc, 0.0) >= 1.0 else self.tuning.other_document),
                          "classification", sim)
                 for doc, ref, sim in classified]
        fine = None
        if plan.asks_penalty and not plan.references:
            # the rule whose breach is asked about: a follow-up's is what the conversation was about
            rules = (self.rank(self.fuse(plan, [(plan.context, 1.0)], plan.weights, kinds)[0], discount)
                     if plan.context else ranked)
            fine = self.penalty(rules)
        if fine and fine not in seen:  # the fine for breaking the rule found first, as the best match found
            seen.add(fine)
            hits.append(self.hit(*fine, 1.0, "penalty", similarity.get(rows.get(f"{fine[0]}::{fine[1]}"), 0.0)))
        # A point that continues a paragraph's chapeau and uses none of the question's rarer words was
        # found by the words indexed with it (the chapeau, the headings): it stands for the paragraph
        # that holds them ("(a) the point of contact of the provider of the general-purpose AI model" for
        # a question on complaints, found by "... shall have the right to lodge a complaint ...:").
        # Rarer: in fewer than ``tuning.bare_point_df`` of the units ("ai", "system", "data" are in most
        # headings). English questions only: another language's words never meet the English text.
        rarer = None
        if words is not None:
            lexical = self.index.lexical_index
            rarer = {w for w in words if 0 < lexical.share(w) < self.tuning.bare_point_df}
        for row, score in ranked:
            if len(hits) >= k:
                break
            unit = self.index.units[row]
            doc, ref = unit.doc, unit.ref
            clause = self.library.get(doc, ref)
            if clause.kind in LIST_KINDS and ("list" in (plan.asks, plan.compares)  # an item stands for its whole list
                                              or (rarer is not None and self.found_by_chapeau(row, rarer))):
                ref = self.library.list_of(clause).ref
            if (doc, ref) in seen:
                continue
            seen.add((doc, ref))
            hits.append(self.hit(doc, ref, min(score / top, 1.0), "adopted" if row == adopted else "hybrid",
                                 similarity.get(row, 0.0),
                                 len(rarer & self.own_words(row)) / len(rarer) if rarer else 0.0))
        return hits[:k]


class HybridRetriever(BaseRetriever):
    """LangChain face of ``Retriever``: returns Documents whose metadata carry the clause."""

    retriever: Any
    k: int = 10
    documents: list[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(page_content=h.text, metadata={"doc": h.doc, "ref": h.ref, "label": h.label,
                                                      "score": h.score, "url": h.url, "how": h.how,
                                                      "kind": h.kind, "heading_path": list(h.heading_path),
                                                      "similarity": h.similarity, "rare": h.rare})
            for h in self.retriever.search(query, self.k, self.documents)
        ]


def hits_from_documents(documents: list[LCDocument]) -> list[Hit]:
    return [Hit(d.metadata["doc"], d.metadata["ref"], d.metadata["label"], d.page_content, d.metadata["score"],
                tuple(d.metadata.get("heading_path") or ()), d.metadata.get("url"), d.metadata.get("kind", ""),
                d.metadata.get("how", ""), d.metadata.get("similarity", 0.0), d.metadata.get("rare", 0.0))
            for d in documents]
