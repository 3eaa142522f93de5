"""The embedded answerer: composes an answer from the retrieved clauses, with no LLM.

What it quotes follows the query plan and the texts' own structure, not keywords:

* the unit that answers: a whole list with its chapeau when a list is asked (all its points);
  the paragraphs of the best article that hold an amount or a time limit when a figure or a
  deadline is asked; the defining point for a definition; one clause per side at least when two
  documents are compared (three of six places each when both are acts), and each provision
  found beside its aligned counterpart when the proposal and the final Act are; the clauses a
  question names, whole; the places counted on the units quoted, not on the parts found;
* a point is never quoted without the words that make it read right (its chapeau), and a
  chapeau ("... the following areas:") never without its list;
* the opening sentence says what the cited clause is (its reference, document and heading)
  and quotes its most relevant sentence; a yes/no question gets "Yes." only when the clause's
  own words carry the answer (a prohibition asked about in a prohibitions article, ...).

Then each clause is quoted verbatim under its citation. Deterministic.
"""
from __future__ import annotations

import math
import re
from typing import Callable, Generator

from ..citations import find_references, format_citation, is_within
from ..clauses import FINAL_ACT, LIST_KINDS, PROPOSAL, Clause, Library, human_ref, top_level
from ..index import tokenize
from ..legal_terms import english_terms
from ..penalties import rule_tier, tiers
from ..plan import CLASS_LISTS, CLASSIFIED_DOCUMENTS, NAMES_CLASS, QueryPlan, kind_weights
from ..records import Citation, Hit
from ..retrieval import APPLICATION, annexes_cited, expand
from ..textdiff import VersionPair, compare, versions
from ..tuning import DEFAULT, Tuning
from .base import Draft, finished, register


def asked_text(plan: QueryPlan) -> str:
    """The question (and what a follow-up leans on) in the words the English clauses use: another
    language's question is read with its references in English and the English terms of the acts'
    terms it uses (``legal_terms``), whose words the clauses' headings and sentences share."""
    if plan.language == "en":
        return f"{plan.context} {plan.question}"
    terms = " ".join(english_terms(plan.question, plan.language))
    return f"{plan.context} {plan.reading or plan.question} {terms}"

# Starts only at the beginning of a run of digits and spaces, so a long run is scanned once.
MONEY = re.compile(r"(?<!\d)(?<!\d )\d[\d ]*\d ?(?:EUR|%)|EUR ?\d|€ ?\d|\d ?%")
# A time limit, a period, or how often something recurs ("once a year", "at least twice a year": asked
# "how often", tune: all key facts +1 -0, one lead more with the frequency, nothing else moved).
TIME = re.compile(r"\b(?:\d++|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty\w*|"
                  r"thirty|forty|fifty|sixty|ninety) (?:\w+ )?(?:hours?|days?|weeks?|months?|years?)\b"
                  r"|\b(?:enter into force|shall apply from|without undue delay|(?:once|twice) a (?:year|month)|annually)\b", re.IGNORECASE)
EXCEPTION = re.compile(r"^\s*+(?:\(\w+\)\s*+)?(?:This obligation shall not apply|.{0,40}shall not apply|"
                       r"By way of derogation|However|Notwithstanding|Paragraphs? [\d, and]+ shall not (?:apply|affect))",
                       re.IGNORECASE)
ASKS_EXCEPTION = re.compile(r"\b(except\w*|exempt\w*|derogat\w*|not apply|unless|loophole|carve.?out)", re.IGNORECASE)
# Words of a question that name the class rather than the use ("is that high risk?"), set aside
# when asking whether the listed use and the one asked about share their words.
CLASS_WORDS = set(tokenize("high-risk risky banned prohibited forbidden illegal outlawed AI system used allowed "
                            "draft proposal act final regulation EU"))
# "EU" names where a rule comes from in nearly every question ("does the eu draft say anything
# about that?"), not the "EU declaration of conformity" or the "EU database" its heading names
UNION = set(tokenize("EU"))
PROVISIONS_HEADING = "**The provisions**"  # ends the lead; the quoted clauses follow
LONG_LIST = 3  # a point of a list this long is quoted alone (with its chapeau), not the whole list
# ... unless the question asks how something works or whether it holds: then the list the point
# belongs to, when it fits the quote (tune split: 2 more answers with all key facts, none fewer;
# "what does an importer need to check" wants Art. 26(1)(a)-(d), not the point that matched best).
WHOLE_LIST = ("explanation", "yes_no")
HIGHEST = re.compile(r"\b(max\w*|highest|top|biggest|largest|most|ceiling|cap)\b", re.IGNORECASE)


def largest_amount(text: str) -> float:
    """The largest amount written with thousands separators ("30 000 000 EUR") in a text."""
    amounts = [float(m.replace(" ", "")) for m in re.findall(r"\d{1,3}(?: \d{3})++", text)]
    return max(amounts, default=0.0)


def overlaps(hit: Hit, quoted: list[Hit]) -> bool:
    """Whether a clause holds, or is held by, one already quoted."""
    return any(o.doc == hit.doc and (is_within(hit.ref, o.ref) or is_within(o.ref, hit.ref)) for o in quoted)


def missing_sides(docs: list[str], quoted: list[Hit], candidates: list[Hit]) -> list[Hit]:
    """The best of ``candidates`` from each of ``docs`` that nothing ``quoted`` is from: a
    comparison needs each side."""
    out = []
    for doc in docs:
        if all(o.doc != doc for o in quoted):
            found = next((h for h in candidates if h.doc == doc), None)
            if found is not None:
                out.append(found)
    return out


def _where(hit: Hit | Clause, library: Library) -> str:
    return f"{human_ref(hit.ref)} of {library.document(hit.doc).source.label_name}"


def _heading(clause: Clause) -> str:
    """The clause's own heading: an article's or annex's title, or a commentary section."""
    last = clause.heading_path[-1] if clause.heading_path else ""
    return re.sub(r"^(Article \d+|Annex [IVXLC]+)\s*", "", last).strip()


def _blockquote(text: str) -> str:
    return "\n".join("> " + line.strip() if line.strip() else ">" for line in text.split("\n"))


# A paragraph's or point's own number ("3.", "(a)") is no sentence: it stays with the words it numbers.
LABEL_ONLY = re.compile(r"^\(?\w{1,5}[.)]$")
ITEM = re.compile(r"^\(\w{1,5}\)\s")  # "(d) the use of ...", "(iii) the detection ..."


def sentences(text: str) -> list[str]:
    parts: list[str] = []
    for line in text.split("\n"):
        pending = ""
        for s in re.split(r"(?<=[.;:])\s++(?=[A-Z(‘])", line.strip()):
            if LABEL_ONLY.match(s):
                pending = f"{pending} {s}".strip()
            elif s:
                parts.append(f"{pending} {s}".strip())
                pending = ""
        if pending:
            parts.append(pending)
    return parts


def quote_of(text: str, limit: int, focus: str = "") -> tuple[str, bool]:
    """A verbatim quote of a clause, cut at a line or sentence end when it is long. ``focus`` is
    the part of the clause the search found: when a quote from the start would stop before it
    ends, the quote is the run of whole lines that ends with it and starts as early as ``limit``
    allows (GDPR Art. 12(6), on checking who asks, lies 2 900 characters into Art. 12)."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = max(text.rfind(". ", 0, limit) + 1, limit // 2)
    at = text.find(focus) if focus else -1
    if at < 0 or at + len(focus) <= cut:
        return text[:cut].rstrip(), True
    earliest = at + len(focus) - limit  # a quote starting before this would stop before the found part ends
    newline = text.find("\n", earliest - 1, at) if earliest > 0 else -1
    start = 0 if earliest <= 0 else newline + 1 if newline >= 0 else at  # the first line start that fits
    return quote_of(text[start:], limit)[0], True


class Composer:
    """The embedded answerer (``ASSISTANT_LLM`` unset): quoted clauses, no model."""

    name = "embedded"

    def __init__(self, library: Library, tuning: Tuning = DEFAULT, alignment: Callable[[], object] | None = None):
        self.library = library
        self.tuning = tuning
        self.alignment = alignment  # the proposal <-> final Act alignment, loaded when first needed

    # ------------------------------------------------------------ scoring

    def prior(self, hit: Hit, plan: QueryPlan, kinds: dict[str, float]) -> float:
        t = self.tuning
        prior = kinds.get(hit.kind, 1.0)
        # the documents compared are named too ("was it optional in the original?" names the draft,
        # and asks of the Act as much)
        named = set(plan.documents_named) | set(plan.documents_compared)
        if named and hit.doc not in named and not plan.filtered:
            prior *= t.other_document  # the question asked about another document
        if hit.how == "definition":
            prior *= t.definition_prior
        if plan.asks == "figure" and MONEY.search(hit.text):
            prior *= t.figure_prior
            if HIGHEST.search(plan.question):  # "the top fine": the larger amounts first
                prior *= 1.0 + t.highest_amount_prior * min(largest_amount(hit.text) / 10_000_000, 3)
        # a comparison of deadlines too ("from when do the bans apply? the draft: 24 months after
        # ..."; 16 tune questions: +1 answer with all key facts, -0). Not of figures: what sets a
        # fine for small firms holds no amount (the same for figures: +1 -1)
        if (plan.compares or plan.asks) == "deadline" and TIME.search(hit.text):
            prior *= t.deadline_prior
        return prior * (1.0 + t.similarity_weight * hit.similarity)

    def heading_match(self, hit: Hit, wanted: set[str]) -> float:
        """Share of the words of a clause's own heading that the question (with its legal
        wording) uses: "Penalties" for "the fines for that" over "Administrative fines on Union
        institutions, agencies and bodies", whose other words the question never asked for."""
        words = set(tokenize(_heading(self.clause(hit))))
        return len(words & wanted) / len(words) if words else 0.0

    def ranked(self, plan: QueryPlan, hits: list[Hit]) -> list[Hit]:
        kinds = kind_weights(plan, self.tuning)
        wanted = set(tokenize(expand(asked_text(plan)))) - UNION
        weight = self.tuning.heading_weight
        # the question's rarer words held by a clause ("who chairs the board?": "chaired"), but not where
        # two texts share the places: one side's words would push the other's clauses out
        rare = 0.0 if set(plan.documents_compared) - {PROPOSAL, FINAL_ACT} else self.tuning.rare_word_weight
        scored = [Hit(**{**h.__dict__, "score": round(h.score * self.prior(h, plan, kinds)
                                                      * (1.0 + weight * self.heading_match(h, wanted))
                                                      * (1.0 + rare * h.rare), 4)})
                  for h in hits if h.how != "reference"]
        return sorted(scored, key=lambda h: -h.score)

    # ------------------------------------------------------------ structure

    def clause(self, hit: Hit) -> Clause:
        return self.library.get(hit.doc, hit.ref)

    def as_hit(self, clause: Clause, like: Hit) -> Hit:
        return Hit(clause.doc, clause.ref, clause.label, clause.text, like.score, clause.heading_path, clause.url,
                   clause.kind, like.how, like.similarity)

    def list_answer(self, plan: QueryPlan, ranked: list[Hit]) -> Hit:
        """The list a list question asks for: that of the best clause; else that of a close runner-up;
        else the list of the best clause's article whose chapeau shares most words with the question
        ("what factors ... a GDPR fine" is best matched by Art. 83(9), whose article lists them in 83(2));
        else, when that article holds none, an annex that one of the first three close clauses' articles
        refers to, found among the close runners-up (Art. 51 or 60 on the EU database is found first,
        Art. 60's paragraphs filling the first places; what a provider registers is "the data listed in
        Annex VIII")."""
        best = ranked[0]
        close = [h for h in ranked if h.score >= best.score * self.tuning.relative_cutoff]
        for hit in close[:3]:
            unit = self.library.list_of(self.clause(hit))
            if self.library.has_list(unit):
                return self.as_hit(unit, hit)
        doc = self.library.document(best.doc)
        article = doc.clauses.get(top_level(best.ref))
        wanted = set(tokenize(asked_text(plan)))
        lists = [doc.clauses[c] for c in (article.children if article else []) if self.library.has_list(doc.clauses[c])]
        if lists:
            unit = max(lists, key=lambda c: len(wanted & set(tokenize(c.text.split("\n", 1)[0]))))
            return self.as_hit(unit, best)
        articles = [self.library.find(h.doc, top_level(h.ref)) for h in close[:3]]
        referred = {(d, top_level(r)) for a in articles if a is not None for d, r in annexes_cited(a, self.library)}
        for hit in (h for h in close if (h.doc, top_level(h.ref)) in referred):
            unit = self.library.get(hit.doc, top_level(hit.ref))
            if self.library.has_list(unit):
                return self.as_hit(unit, hit)
        return self.as_hit(self.library.list_of(self.clause(best)), best)

    def readable(self, hit: Hit, hits: list[Hit], limit: int, whole_list: bool = False) -> Hit:
        """The unit to quote for a chosen clause. A chapeau ("... in any of the following
        areas:") reads right only with its list: the clause that holds both. A point or
        subparagraph reads best with the paragraph or article it belongs to (its chapeau, its
        sibling points, its exceptions): that one, when it was retrieved too and is short
        (measured on the tune split: quoting the point alone lost 11 of 81 answers' key facts).
        A point still quoted alone is shown under its chapeau (``chapeau``). With ``whole_list``,
        a point is quoted with its whole list when that fits ``limit``."""
        clause = self.clause(hit)
        if clause.text.rstrip().endswith(":") and not clause.children and clause.parent:
            parent = self.library.get(clause.doc, clause.parent)
            if len(parent.text) <= max(limit, self.tuning.max_list_quote):
                return self.as_hit(parent, hit)
        if whole_list and (listed := self.with_its_list(hit, limit)) is not hit:
            return listed
        retrieved = {h.key() for h in hits}
        doc = self.library.document(clause.doc)
        while clause.parent:
            parent = self.library.get(clause.doc, clause.parent)
            items = sum(1 for c in parent.children if doc.clauses[c].kind in LIST_KINDS)
            # an unnumbered subparagraph continues the paragraph before it: that is its context, found or not
            found = (parent.doc, parent.ref) in retrieved or clause.kind == "subparagraph"
            if len(parent.text) > limit or not found or items >= LONG_LIST and clause.kind in LIST_KINDS:
                break  # a long list is not one item's context: the item is shown under its chapeau instead
            clause = parent
        return self.as_hit(clause, hit) if clause.ref != hit.ref else hit

    def with_its_list(self, hit: Hit, limit: int) -> Hit:
        """A point as its whole list (the clause that holds it), when that fits ``limit``; else the
        hit. A chapeau ("Providers of high-risk AI systems shall:") is its list whatever the length:
        alone it says nothing, and two chapeaux compared read "the same in both versions" when the
        list below them grew."""
        clause = self.clause(hit)
        if clause.text.rstrip().endswith(":") and not clause.children and clause.parent:
            unit = self.library.list_of(clause)
            return self.as_hit(unit, hit) if unit.ref != clause.ref else hit
        if clause.kind in LIST_KINDS:
            unit = self.library.list_of(clause)
            if unit.ref != clause.ref and len(unit.text) <= limit:
                return self.as_hit(unit, hit)
        return hit

    def whole_article(self, hit: Hit) -> Hit:
        """A part of a short article is quoted with the whole article: its rule, its conditions
        and its exceptions read together."""
        article = self.library.document(hit.doc).clauses.get(top_level(hit.ref))
        if article is None or article.ref == hit.ref or article.kind != "article" or len(article.text) > self.tuning.whole_article:
            return hit
        return self.as_hit(article, hit)

    def chapeau(self, hit: Hit) -> str | None:
        """The words a point continues ("The following ... shall be prohibited:"), verbatim."""
        clause = self.clause(hit)
        if clause.kind not in LIST_KINDS or not clause.parent:
            return None
        parent = self.library.get(clause.doc, clause.parent)
        first = parent.text.split("\n", 1)[0].strip()
        return first if first and first != clause.text.split("\n", 1)[0].strip() else None

    # ------------------------------------------------------------ selection

    def governing(self, plan: QueryPlan, hits: list[Hit]) -> list[Hit]:
        """For a question naming only annexes and asking something else than their content ("how
        often is Annex III reviewed?", "does a notified body check the Annex III systems?"): the
        articles found that refer to a named annex, best first, one per document. An annex is a list
        that articles govern (who amends it, when, which procedure applies to it). In a comparison of
        the versions, an annex named of one is named of the other too."""
        named = [h for h in hits if h.how == "reference"]
        if not named or plan.asks in ("list", "provision", "definition") or \
                not all(h.ref.startswith("Annex") for h in named):
            return []
        annexes = {(n.doc, top_level(n.ref)) for n in named}
        if set(plan.documents_compared) >= {PROPOSAL, FINAL_ACT}:
            annexes |= {(d, ref) for _, ref in annexes for d in (PROPOSAL, FINAL_ACT)}
        out: list[Hit] = []
        for hit in hits:
            if hit.how == "reference" or hit.ref.startswith(("Annex", "Recital")) or any(o.doc == hit.doc for o in out):
                continue
            if annexes & {(doc, top_level(ref)) for doc, ref in annexes_cited(self.clause(hit), self.library)}:
                out.append(hit)
        return out

    def select(self, plan: QueryPlan, hits: list[Hit]) -> list[Hit]:
        t = self.tuning
        named = [h for h in hits if h.how == "reference"]
        if named:
            # a text compared beside the one whose clause is named ("Article 43 of the proposal: is a
            # notified body involved? and what did the Joint Opinion recommend instead?") is a side too
            # (not a version: the named clause's counterpart is what ``versions`` sets beside it)
            out = (self.governing(plan, hits) + named)[:t.max_citations + 1]
            others = [d for d in plan.documents_compared if not (plan.versions and d in (PROPOSAL, FINAL_ACT))]
            if not others:  # most named references: nothing else to rank
                return out
            return out + [self.readable(h, hits, t.context_limit)
                          for h in missing_sides(others, out, self.ranked(plan, hits))]
        ranked = self.commented_first(plan, self.ranked(plan, hits))
        if not ranked:
            return []
        best = ranked[0]
        chosen: list[Hit] = []
        if plan.asks == "definition":
            chosen += [h for h in ranked if h.how == "definition"][:2]
        if plan.asks == "list":
            chosen.append(self.list_answer(plan, ranked))
        if plan.asks in ("figure", "deadline"):
            # the paragraphs of the best article that hold one; when an act or its rules apply, of the
            # act's article on that, not of the rule's own article ("when did the bans start
            # applying?": Art. 5's paragraphs on 24 hours and authorisations had been quoted)
            source = next((h for h in ranked if APPLICATION.match((self.clause(h).heading_path or ("",))[-1])), best) \
                if plan.asks_application else best
            chosen += self.figures(plan, source, ranked, plan.asks)
        limit = t.max_list_quote if plan.asks == "list" else t.context_limit
        whole_list = plan.asks in WHOLE_LIST

        def quoted(hit: Hit) -> Hit:
            hit = self.readable(hit, hits, limit, whole_list)
            return self.whole_article(hit) if whole_list else hit  # an explanation or yes/no reads the whole rule

        out: list[Hit] = []

        def add(hit: Hit) -> None:
            if not overlaps(hit, out):
                out.append(hit)

        for hit in chosen:
            add(quoted(hit))
        compared = list(plan.documents_compared)
        # Two legal texts compared stand side by side, each with its share of the places, and so do a
        # commentary and an act each asked about in a part of the question of its own ("how is the
        # authority chosen under the draft, and what did the EDPB recommend?"). A commentary asked about
        # an act ("what did the EPRS briefing report about the final text?") is answered from the side
        # that holds the answer first.
        balanced = len(compared) > 1 and (plan.sides_apart or all(
            self.library.document(d).source.kind != "commentary" for d in compared))
        places, share = (t.max_acts_compared_citations, math.ceil(t.max_acts_compared_citations * t.side_share)) \
            if balanced else (t.max_citations, t.max_citations)
        waiting: list[Hit] = []  # a compared side's clauses beyond its share, while the other sides fill theirs
        # The places are counted on what is quoted: two paragraphs of a short article quoted whole
        # take one place, not two (they had filled a comparison's four places with Art. 86(1), 86(2),
        # GDPR 22(1), 22(2), and the answer quoted two articles).
        for hit in ranked:
            if len(out) >= places:
                break
            if hit.score < ranked[0].score * t.relative_cutoff and not (
                    compared and hit.doc in compared and all(o.doc != hit.doc for o in out)):
                continue
            if sum(o.doc == hit.doc for o in out) >= share:
                waiting.append(hit)
                continue
            add(quoted(hit))
        for hit in waiting:
            if len(out) >= places:
                break
            add(quoted(hit))
        for extra in missing_sides(compared + self.commentary_side(plan, hits), out, ranked):
            add(quoted(extra))
        return out

    def commented_first(self, plan: QueryPlan, ranked: list[Hit]) -> list[Hit]:
        """A commentary compared with an act: of the commentary's paragraphs found, the one that names
        the article of the act's best clause comes first among them. The search scores a commentary's
        paragraphs nearly alike (they share its words), and the paragraph on the rule the answer
        quotes ("... the exclusion of international law enforcement cooperation from the scope set
        out in Article 2(4) of the Proposal") had lost to paragraphs on the same theme."""
        compared = set(plan.documents_compared) | set(plan.commentary_beside)
        commentaries = {d for d in compared if self.library.document(d).source.kind == "commentary"}
        act = next((h for h in ranked if h.doc in compared and h.doc not in commentaries), None)
        if not commentaries or act is None:
            return ranked
        article = top_level(act.ref)
        out = list(ranked)
        for doc in commentaries:
            places = [i for i, h in enumerate(out) if h.doc == doc]
            naming = next((i for i in places if any(
                r.doc in (act.doc, None) and top_level(r.ref) == article for r in find_references(out[i].text))), None)
            if naming is not None and naming != places[0]:
                out.insert(places[0], out.pop(naming))
        return out

    @staticmethod
    def commentary_side(plan: QueryPlan, hits: list[Hit]) -> list[str]:
        """The commentary that answers what critics said beside a comparison naming none: the one
        whose clause the search found best (in the search's order: the composer's heading match
        preferred the impact assessment's "effective remedy" to the briefing's critics), as a side
        of the comparison of its own."""
        return next(([h.doc] for h in hits if h.doc in plan.commentary_beside), [])

    def figures(self, plan: QueryPlan, best: Hit, ranked: list[Hit], asked: str) -> list[Hit]:
        """The paragraphs of the best-matching article that hold an amount (a figure asked) or a
        time limit (a deadline asked): all the fine ceilings of Art. 83(4)-(6), not only the one
        that matched best; in the article's order, the fine for the rule asked about first."""
        wanted = MONEY if asked == "figure" else TIME
        doc = self.library.document(best.doc)
        article = doc.clauses.get(top_level(best.ref))
        if article is None:
            return []
        retrieved = {h.ref: h for h in ranked if h.doc == best.doc}
        out = []
        for ref in article.children:
            clause = doc.clauses[ref]
            if wanted.search(clause.text):
                like = retrieved.get(ref) or Hit(**{**best.__dict__, "score": best.score * 0.9})
                out.append(self.as_hit(clause, like))
        highest = bool(HIGHEST.search(plan.question))
        if asked == "figure" and highest:
            out.sort(key=lambda h: -largest_amount(h.text))  # "the maximum fine": the highest first
        # but the fine for breaking the rule asked about before all: the tier found for it, else the tier
        # the search found best: by a point it lists ("fines for breaking the transparency rules": Art.
        # 99(4)(g), "transparency obligations ... pursuant to Article 50", not 99(3), first in the
        # article), or whole unless the highest fine is asked. Tune (256 questions on fines): leads with
        # a key fact +3 -0, nothing else moved
        penalty = {h.ref for h in ranked if h.how == "penalty" and h.doc == best.doc}
        if plan.asks_penalty and not penalty:
            penalty = {h.ref for h in out if is_within(best.ref, h.ref)
                       and (h.ref != best.ref or not highest)}
        out.sort(key=lambda h: h.ref not in penalty)
        return out[: self.tuning.max_citations]

    # ------------------------------------------------------------ writing

    def lead_sentence(self, text: str, plan: QueryPlan, within: str = "") -> str:
        """The verbatim sentence of a clause that best answers the question; of its part ``within``
        when that is given and holds one."""
        wanted = set(tokenize(asked_text(plan)))
        asks_exception = bool(ASKS_EXCEPTION.search(plan.question))
        best, best_score = "", -1e9
        parts = sentences(text)
        inside = {p for p in parts if p in within}
        for i, sentence in enumerate(parts):
            if inside and sentence not in inside:
                continue
            words = set(tokenize(sentence))
            score = len(words & wanted) / (1 + len(words) ** 0.5)
            if plan.asks == "figure" and MONEY.search(sentence):
                score += 1.0
            if plan.asks == "deadline" and TIME.search(sentence):
                score += 0.5
            if EXCEPTION.match(sentence) and not asks_exception:
                score -= 0.5  # the rule answers; its exception only when asked for
            if sentence.rstrip().endswith(":") and plan.asks != "list":
                score -= 0.3  # a chapeau says little on its own
            score -= i * 0.01  # earlier sentences break ties: they carry the rule, later ones exceptions
            if score > best_score:
                best, best_score = sentence, score
        return self.with_items(parts, best) if best.rstrip().endswith(":") else self.with_chapeau(parts, best)

    def with_items(self, parts: list[str], chapeau: str) -> str:
        """A chapeau quoted with the items it introduces that follow it, as many as fit
        ``Tuning.lead_items`` characters (at least the first): "the logging capabilities shall
        provide, at a minimum:" alone says nothing of what they provide."""
        quoted, length = [chapeau], len(chapeau)
        for part in parts[parts.index(chapeau) + 1:]:
            if not ITEM.match(part) or (len(quoted) > 1 and length + len(part) > self.tuning.lead_items):
                break
            quoted.append(part)
            length += 1 + len(part)
        return " ".join(quoted)

    @staticmethod
    def with_chapeau(parts: list[str], item: str) -> str:
        """An item of a list quoted with the words that introduce it, when they stand in the same
        clause: "(i) the targeted search for specific potential victims of crime" alone reads as if
        the clause allowed that search, while its chapeau bans the use except for it. Adjacent, they
        are one quotation; with other items between, two (each verbatim, as the verifier checks)."""
        if not ITEM.match(item) or item not in parts:
            return item
        at = parts.index(item)
        chapeau = next((j for j in range(at - 1, -1, -1) if parts[j].rstrip().endswith(":")), None)
        if chapeau is None:
            return item
        return f"{parts[chapeau]} {item}" if chapeau == at - 1 else f"{parts[chapeau]}” … “{item}"

    def verdict(self, plan: QueryPlan, hit: Hit) -> str:
        """"Yes." to "is <use> high-risk / banned?" only when the clause is an item of the list
        that says so (Annex III, Art. 5(1)) and names the use in the question's own words (two
        of them, the class's words aside). The nearest listed use alone is no finding: asked about
        a spam filter, the recruitment point is nearest; a clause that merely mentions high-risk
        systems (Art. 9(5)) is none either."""
        if plan.asks != "yes_no" or re.search(r"\b(not|never|no longer)\b", plan.question, re.IGNORECASE) \
                or not NAMES_CLASS.search(plan.question):
            return ""
        if not any(hit.doc in CLASSIFIED_DOCUMENTS and is_within(hit.ref, CLASS_LISTS[name]) and hit.ref != CLASS_LISTS[name]
                   for name in plan.classifies):
            return ""
        asked = set(tokenize(plan.question)) - CLASS_WORDS
        return "Yes. " if len(asked & set(tokenize(hit.text))) >= 2 else ""

    def fined_rule(self, chosen: list[Hit]) -> str:
        """Why the fine tier found for the rule asked about is quoted first: the rule it names,
        when that is quoted too ("A breach of Article 33 of the GDPR [4] falls under Article 83(4)
        [1]. "); the verifier strikes an article named without a citation."""
        hit = chosen[0]
        tier = next((t for t in tiers(self.library) if hit.how == "penalty" and (t.doc, t.ref) == (hit.doc, hit.ref)), None)
        for number, other in enumerate(chosen if tier else [], 1):
            if other.doc == tier.doc and rule_tier(self.library, other.doc, other.ref) and tier.covers(top_level(other.ref)):
                return f"A breach of {_where(other, self.library)} [{number}] falls under {human_ref(tier.ref)} [1]. "
        return ""

    def is_list(self, clause: Clause) -> bool:
        """Whether the clause holds a list of items: points or indents, or an annex's numbered items.
        An article's paragraphs are not one ("Article 29 ... sets out the list: '4. Users shall
        monitor ...'" misdescribed it)."""
        kinds = {self.library.get(clause.doc, ref).kind for ref in clause.children}
        return bool(kinds & {"point", "indent"}) or (clause.kind == "annex" and len(clause.children) > 1)

    def lead(self, plan: QueryPlan, hit: Hit, number: int, found: str) -> str:
        """The sentence that opens the answer on a clause; ``found`` is the part of it the search
        found (``found_inside``)."""
        clause = self.clause(hit)
        heading = _heading(clause)
        where = _where(hit, self.library)
        what = where + (f" ({heading})" if heading and heading not in where else "")  # a report's title is in its name
        verb = {"recital": "explains", "commentary_paragraph": "says", "em_section": "explains",
                "em_paragraph": "explains", "cover": "reads"}.get(clause.kind, "provides")
        if plan.asks == "list" and self.is_list(clause):
            verb = "sets out the list"
        # Quoted from the part the search found when a whole article is shown: asked whether a company
        # must say it is "a computer and not a real person" answering, Art. 52(1) was found, but the
        # shorter Art. 52(2) on emotion recognition shared as many of the question's words. A list
        # asked for is introduced by its own chapeau.
        sentence = self.lead_sentence(hit.text, plan, found if verb != "sets out the list" else "")
        return f"{self.verdict(plan, hit)}{what} {verb}: “{sentence}” [{number}]"

    def parts(self, plan: QueryPlan, hits: list[Hit]) -> Generator[str, None, Draft]:
        """The answer in the order it is written: lead, then each quoted clause; returns the Draft."""
        t = self.tuning
        chosen = self.select(plan, hits)
        if not chosen:
            text = "I found no clause in the texts that answers this."
            yield text
            return Draft(text, [])
        changes: list[str] = []
        beside = ""
        if plan.versions and self.alignment is not None:
            chosen, changes = self.versions(plan, chosen, hits)
        elif plan.adopted_beside and self.alignment is not None:
            chosen, beside = self.adopted_counterpart(plan, chosen, hits)
        ranked = self.ranked(plan, hits)
        found = [self.found_inside(hit, ranked) for hit in chosen]  # what each quote and lead keeps to
        citations: list[Citation] = []
        for i, hit in enumerate(chosen, 1):
            # a list asked for is quoted whole wherever it stands (the areas of Annex III after the article
            # that amends them)
            listed = plan.asks == "list" and (i == 1 or self.is_list(self.clause(hit)))
            limit = (t.max_named_quote if hit.how == "reference" else t.max_list_quote if listed
                     else t.max_first_quote if i == 1 else t.max_quote)
            quote, _ = quote_of(hit.text, limit, found[i - 1] if len(hit.text) > limit else "")
            citations.append(Citation(hit.doc, hit.ref, hit.label, quote, hit.url, hit.score, hit.heading_path))
        if plan.asks == "provision" or all(h.how == "reference" for h in chosen):
            # Reading a provision: the provision itself, whole, is the answer.
            where = " and ".join(f"{_where(h, self.library)} [{i}]" for i, h in enumerate(chosen, 1))
            leads = [f"The text of {where}, as {'they read' if len(chosen) > 1 else 'it reads'}:"]
        else:
            leads = [self.fined_rule(chosen) + self.lead(plan, chosen[0], 1, found[0])]
        if plan.documents_compared:  # one lead per side of a comparison
            # (a clause named is read out by the lead above; a side found beside it gets its own)
            shown = {chosen[0].doc} | {h.doc for h in chosen if h.how == "reference"}
            for i, hit in enumerate(chosen[1:], 2):
                if hit.doc not in shown:
                    leads.append(self.lead(plan, hit, i, found[i - 1]))
                    shown.add(hit.doc)
        if changes:
            leads = changes
        if beside:
            leads.append(beside)
        pieces = [" ".join(leads), "", PROVISIONS_HEADING, ""]
        yield "\n".join(pieces)
        for i, (hit, citation) in enumerate(zip(chosen, citations), 1):
            lines = [f"**[{i}] {format_citation(hit.doc, hit.ref)}** — {' > '.join(hit.heading_path)}"]
            chapeau = self.chapeau(hit)
            if chapeau:
                lines.append(_blockquote(chapeau) + "\n> […]")
            lines.append(("> […]\n" if not hit.text.startswith(citation.quote) else "") + _blockquote(citation.quote)
                         + ("\n> […]" if not hit.text.endswith(citation.quote) else ""))
            if hit.url:
                lines.append(f"[{top_level(hit.ref)} on EUR-Lex]({hit.url})" if "eur-lex" in hit.url
                             else f"[Source]({hit.url})")
            piece = "\n".join(lines) + "\n\n"
            pieces.append(piece)
            yield piece
        retrieved = {h.key() for h in hits}
        consulted = [h for h in chosen if h.key() not in retrieved]
        return Draft("\n".join(pieces[:4]) + "".join(pieces[4:]).rstrip(), citations, consulted=consulted)

    def found_inside(self, hit: Hit, ranked: list[Hit]) -> str:
        """The text of the best-ranked clause found inside a chosen one (what its quote must keep);
        empty for a clause the question names, which is read whole."""
        if hit.how == "reference":
            return ""
        found = next((h for h in ranked
                      if h.doc == hit.doc and h.ref != hit.ref and is_within(h.ref, hit.ref)), None)
        return found.text if found else ""

    def versions(self, plan: QueryPlan, chosen: list[Hit], hits: list[Hit]) -> tuple[list[Hit], list[str]]:
        """Proposal vs final Act: the best clauses of either version (those scoring at least
        ``relative_cutoff`` of the best, up to ``max_citations`` quoted), each beside its aligned
        counterpart, and what changed between them, computed from the two texts (amounts,
        percentages, periods, renamed terms, points added or removed) and nothing else. A clause
        whose counterpart is already quoted is quoted alone; a renamed term the question uses is
        shown with its two definitions."""
        aligned = self.alignment()
        t = self.tuning
        # Clauses the question names are what it asks about ("where did Article 52 end up?"), alone.
        # A point found is compared as its list when that is short enough to quote whole ("were
        # criteria added?" is answered by the two lists and the points added).
        found = self.governing(plan, hits) + [h for h in hits if h.how == "reference" and h.doc in (PROPOSAL, FINAL_ACT)] or [
            self.with_its_list(h, t.context_limit) for h in self.ranked(plan, hits) if h.doc in (PROPOSAL, FINAL_ACT)]
        if not found:
            return chosen, []
        new = self.new_provision(found, aligned)
        out: list[Hit] = []
        text: list[str] = []

        for hit in found:
            if len(out) >= t.max_version_citations or hit.score < found[0].score * t.relative_cutoff:
                break
            hit = self.continued(hit, aligned)
            candidates = versions(aligned, hit.doc, hit.ref)
            if not candidates:
                # a clause with no counterpart (the best one, or a new provision found on its own):
                # say so and quote it, with what else was found
                alone = self.readable(hit, hits, t.context_limit)
                if not overlaps(alone, out):
                    side = "final AI Act" if hit.doc == PROPOSAL else "2021 proposal"
                    out.append(alone)
                    text.append(f"{_where(alone, self.library)} has no counterpart in the {side} [{len(out)}].")
                continue
            proposal, final, pair = self.sides(hit, hits, candidates, found)
            if not overlaps(proposal, out) and not overlaps(final, out) and len(out) + 2 <= t.max_version_citations:
                text.append(self.changed(proposal, final, pair, len(out) + 1))
                out += [proposal, final]
                if len(out) == 2 and plan.compares == "deadline":
                    # the other time limits of the two articles ("are there shorter deadlines now?"), the
                    # Act as it is now first, before any other pair. Not for a figure: a comparison of
                    # amounts is of one tier, and the other tiers crowded it out (tune: -2 answers)
                    for extra in self.figures(plan, final, hits, plan.compares) + self.figures(
                            plan, proposal, hits, plan.compares):
                        if len(out) < t.max_version_citations and not overlaps(extra, out):
                            out.append(extra)
            elif not (overlaps(proposal, out) and overlaps(final, out)):
                # the clause found, when its counterpart's unit is quoted already (a paragraph new in the
                # Act's article) or there is no room for both; else its counterpart, when the clause
                # was quoted inside a whole article before
                found_side, other_side = (proposal, final) if hit.doc == PROPOSAL else (final, proposal)
                out.append(other_side if overlaps(found_side, out) else found_side)
        if new is not None and out:
            # the point the Act added, after the pairs and beyond their number: a pair's place would
            # go (tune: the last pair's place instead, all key facts +3 -2)
            alone = self.readable(new, hits, t.context_limit)
            if not overlaps(alone, out):
                out.append(alone)
                text.append(f"{_where(alone, self.library)} has no counterpart in the 2021 proposal [{len(out)}].")
        for rename in aligned.renames:
            if not re.search(rf"\b({re.escape(rename.proposal_term)}|{re.escape(rename.final_term)})s?\b",
                             plan.question, re.I):
                continue
            numbers = []
            for doc, ref in ((PROPOSAL, rename.proposal), (FINAL_ACT, rename.final)):
                at = next((i for i, h in enumerate(out, 1) if h.doc == doc and h.ref == ref), None)
                if at is None:
                    out.append(self.as_hit(self.library.get(doc, ref), found[0]))
                    at = len(out)
                numbers.append(at)
            text.append(f"‘{rename.proposal_term}’ in the proposal [{numbers[0]}] is ‘{rename.final_term}’ "
                        f"in the final Act [{numbers[1]}].")
        if not out:
            return chosen, []
        rest = [h for h in chosen if not overlaps(h, out)]
        # A commentary compared beside the two versions ("the EPRS briefing says ... did the final Act
        # change that?") keeps its best clause however many pairs were quoted: it was asked for. Its
        # best in the search's order, as ``commentary_side``: the search's scores of a commentary's
        # paragraphs tie at the top, and the composer's order among them is MiniLM's alone (it had put
        # the briefing's "stakeholders" paragraphs before its critics' "no right to complain").
        commentaries = ([d for d in plan.documents_compared if d not in (PROPOSAL, FINAL_ACT)]
                        + self.commentary_side(plan, hits))
        searched = [self.readable(h, hits, t.context_limit) for h in hits if h.doc in commentaries]
        asked = missing_sides(commentaries, out, [h for h in searched if not overlaps(h, out)])
        rest = [h for h in rest if not overlaps(h, asked)]
        return out + asked + rest[: max(0, t.max_version_citations - len(out) - len(asked))], [" ".join(text)] if text else []

    def new_provision(self, found: list[Hit], aligned) -> Hit | None:
        """Of ``found``, the adopted Act's best item of a list that classifies uses (banned practices,
        high-risk areas) with no counterpart of its own, only through its list: a use the Act newly bans
        or lists, when it scores ``new_provision_share`` of the best. What the Act added is what changed,
        and its search scores trail the pairs whose wording both versions share ("emotion recognition
        at work: only a transparency obligation in the draft?" had compared Art. 52(2)/50(3) and
        52(1)/50(1), not the ban)."""
        share = self.tuning.new_provision_share
        for hit in found[1:] if share else ():
            if hit.doc != FINAL_ACT or hit.score < found[0].score * share or \
                    not any(hit.ref != ref and is_within(hit.ref, ref) for ref in CLASS_LISTS.values()):
                continue
            pairs = versions(aligned, hit.doc, hit.ref)
            if pairs and all(pair.via != hit.ref for pair in pairs):
                return hit
        return None

    def adopted_counterpart(self, plan: QueryPlan, chosen: list[Hit], hits: list[Hit]) -> tuple[list[Hit], str]:
        """For a question naming no version: the clauses chosen, then the adopted Act's counterpart of
        the draft clause the answer leads with, and the sentence that says so with what changed
        between the two texts (naming the counterpart where it is chosen already); the clauses alone
        when the answer leads with another document's clause (a GDPR answer's stray draft clause gets
        no Act beside it), when another clause of the Act is quoted or when the clause has no
        counterpart. The clause aligned is the best match inside the one quoted (Art. 52(3) on
        deepfakes, quoted as all of Art. 52): its counterpart is the Act's paragraph on them, not
        all of Art. 50, whose quote would stop before it."""
        # the draft clause the answer leads with; in a question on the GDPR and "the AI act", the
        # draft's side of the two compared, wherever it stands
        first = chosen[0] if not plan.documents_compared else next((h for h in chosen if h.doc == PROPOSAL), chosen[0])
        if first.doc != PROPOSAL:
            return chosen, ""
        listed = self.listed_only_now(plan, hits)
        if listed is not None and all(h.doc != FINAL_ACT for h in chosen):
            chosen = chosen + [self.readable(listed, hits, self.tuning.context_limit)]
        inner = next((h for h in self.ranked(plan, hits) if h.doc == PROPOSAL and is_within(h.ref, first.ref)), first)
        pairs = versions(self.alignment(), PROPOSAL, inner.ref) or versions(self.alignment(), PROPOSAL, first.ref)
        if not pairs:
            return chosen, ""
        pair = pairs[0]
        final = self.as_hit(pair.final, first)
        # the counterpart may be chosen already (the Act's listed use found beside the draft's)
        present = next((i for i, h in enumerate(chosen) if h.doc == FINAL_ACT and is_within(final.ref, h.ref)), None)
        if present is None:
            if any(h.doc == FINAL_ACT and h.how != "adopted" for h in chosen):
                return chosen, ""
            chosen, present = chosen + [final], len(chosen)
        return chosen, "In the AI Act as adopted in 2024: " + self.changed(
            self.as_hit(pair.proposal, first), final, pair, chosen.index(first) + 1, present + 1)

    def listed_only_now(self, plan: QueryPlan, hits: list[Hit]) -> Hit | None:
        """For a question whether a use is banned or high-risk, naming no version: the adopted Act's
        listed item nearest the question when the Act's list holds the use clearly nearer than the
        draft's list of the same class does (by ``tuning.listed_gain`` in dense similarity): the
        Act's own item, not the counterpart of the draft clause led with, says whether the use is
        banned or high-risk today ("can my boss read our moods through the webcam, is that legal?":
        the draft's transparency rule, Art. 52(2), led; its counterpart Art. 50(3) came beside it, not
        the Act's ban, Art. 5(1)(f), 0.52-0.59 against the draft list's best 0.33-0.38)."""
        if not plan.classifies:
            return None
        found = [h for h in hits if h.how == "classification"]
        best, gain = None, self.tuning.listed_gain
        for hit in (h for h in found if h.doc == FINAL_ACT):
            name = next((n for n in plan.classifies if is_within(hit.ref, CLASS_LISTS[n])), None)
            draft = max((h.similarity for h in found if h.doc == PROPOSAL and name
                         and is_within(h.ref, CLASS_LISTS[name])), default=0.0)
            if hit.similarity - draft >= gain:
                best, gain = hit, hit.similarity - draft
        return best

    def continued(self, hit: Hit, aligned) -> Hit:
        """An unnumbered subparagraph found as its paragraph, when that is short and has a counterpart:
        it continues the paragraph before it ("For high-risk AI systems that continue to learn ...,
        changes ... shall not constitute a substantial modification" says nothing of the new
        assessment its first subparagraph requires), as ``readable`` quotes it outside comparisons."""
        clause = self.clause(hit)
        if clause.kind != "subparagraph" or not clause.parent:
            return hit
        parent = self.library.get(clause.doc, clause.parent)
        if len(parent.text) > self.tuning.context_limit or not versions(aligned, parent.doc, parent.ref):
            return hit
        return self.as_hit(parent, hit)

    def sides(self, hit: Hit, hits: list[Hit], candidates: list[VersionPair], found: list[Hit]) -> tuple[Hit, Hit, VersionPair]:
        """(proposal side, final side, their pair) for a clause found: of its aligned counterparts,
        the one the search found too (at or inside it), else the best aligned. Like is compared with
        like: the aligned units, unless the clause found has no pair of its own and reads alone (a
        new point of a long list): then that clause, beside the other version's aligned unit."""
        other = FINAL_ACT if hit.doc == PROPOSAL else PROPOSAL

        def support(pair: VersionPair) -> float:
            clause = pair.final if other == FINAL_ACT else pair.proposal
            return max((h.score for h in found if h.doc == other and is_within(h.ref, clause.ref)), default=0.0)

        pair = max(candidates, key=support)  # ties keep the alignment's order (best aligned first)
        proposal, final = self.as_hit(pair.proposal, hit), self.as_hit(pair.final, hit)
        shown = self.readable(hit, hits, self.tuning.context_limit)
        if pair.via in self.library.document(shown.doc).ancestors(shown.ref):  # the clause found reads alone, below its aligned unit
            unit = pair.final if other == FINAL_ACT else pair.proposal
            inside = [h for h in found if h.doc == other and h.ref != unit.ref and is_within(h.ref, unit.ref)]
            if inside and len(unit.text) > self.tuning.max_first_quote:
                # The other version's unit is too long to quote whole (a definitions article): the
                # clause the search found in it stands for it, and the two clauses quoted are what
                # is compared ('national supervisory authority', Art. 3(42), beside the Act's
                # 'national competent authority', Art. 3(48), not beside all of Art. 3).
                inner = max(inside, key=lambda h: h.score)
                sides = (self.clause(shown), self.clause(inner)) if hit.doc == PROPOSAL else (
                    self.clause(inner), self.clause(shown))
                pair = VersionPair(sides[0], sides[1], pair.score, pair.via,
                                   compare(sides[0].text, sides[1].text, self.alignment().rename_pairs))
                return self.as_hit(sides[0], hit), self.as_hit(sides[1], hit), pair
            proposal, final = (shown, final) if hit.doc == PROPOSAL else (proposal, shown)
        return proposal, final, pair

    def changed(self, proposal: Hit, final: Hit, pair: VersionPair, number: int, final_number: int | None = None) -> str:
        """"X [n] corresponds to Y [n+1] (heading). What changed ...", from the diff of the pair
        (Y numbered ``final_number`` when it is not quoted right after X)."""
        final_number = number + 1 if final_number is None else final_number
        def side(hit: Hit, unit: Clause, n: int, heading: str = "") -> str:  # a clause quoted below its aligned unit says so
            name = _where(unit, self.library) + (f" ({heading})" if heading else "")
            return f"{name} [{n}]" if hit.ref == unit.ref else f"{name}, of which {human_ref(hit.ref)} is quoted [{n}]"

        if pair.via not in (pair.proposal.ref, pair.final.ref):  # two clauses found inside aligned units (``sides``)
            text = (f"{side(proposal, pair.proposal, number)} has no counterpart of its own; "
                    f"{side(final, pair.final, final_number, _heading(pair.final))} is the nearest clause found in "
                    f"the aligned {human_ref(top_level(pair.final.ref))}.")
            return text + " Both texts are quoted below."
        text = (f"{side(proposal, pair.proposal, number)} corresponds to "
                f"{side(final, pair.final, final_number, _heading(pair.final))}.")
        comparison = pair.comparison
        if comparison.identical:
            return text + " The wording is the same in both versions."
        if comparison.summary():
            return text + " What changed, from the two texts: " + "; ".join(comparison.summary()) + "."
        return text + (" The wording differs (both texts are quoted below); no change of amounts, periods, defined "
                       "terms or listed points was found between them.")

    def answer(self, plan: QueryPlan, hits: list[Hit]) -> Draft:
        return finished(self.parts(plan, hits))

    def stream(self, plan: QueryPlan, hits: list[Hit]) -> Generator[str, None, Draft]:
        return self.parts(plan, hits)


@register("embedded")
def _embedded(argument, settings, library) -> Composer:
    from ..alignment import Alignment
    return Composer(library, alignment=lambda: Alignment.load(library, settings))
