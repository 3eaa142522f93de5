"""What changed between two versions of a clause, computed from the two texts only.

A word-level diff (``difflib.SequenceMatcher`` over words, with amounts such as ``30 000 000``
and percentages such as ``6 %`` kept as single words) is the ground truth: every change reported
(amounts, percentages, periods, renamed defined terms, points added or removed) is read off
words the diff shows deleted or inserted, so no change is claimed that the diff does not show.
``compare_html`` renders the diff with insertions and deletions marked, all text escaped.
"""
from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import Sequence

from .clauses import Clause

# A word: an amount written with thousands groups ("35 000 000", "7,5"), a percentage ("7 %"),
# or any run of non-space characters.
WORD = re.compile(r"\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?\s?%|\S+")
AMOUNT = re.compile(r"^\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?$")
PERCENT = re.compile(r"^\d+(?:[.,]\d+)?\s?%$")
PERIOD_UNITS = re.compile(r"^(days?|weeks?|months?|years?)[.,;:]?$", re.IGNORECASE)
NUMBER_WORDS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
POINT = re.compile(r"^\s*\(([a-z]{1,4}|\d{1,3})\)\s+(.*)$")
# A clause's own number at its head ("(34) ", "3. "): renumbering is not a change of wording.
LABEL = re.compile(r"^\s*(?:\([a-z]{1,4}\)|\(\d{1,3}\)|\d{1,3}\.)\s+")


NONE = "none"  # the side of a change where the diff shows no such value


@dataclass(frozen=True)
class Change:
    kind: str  # "amount", "percentage", "period", "term", "point added", "point removed"
    before: str
    after: str

    def sentence(self) -> str:
        if self.kind == "point added":
            return f"point {self.after} added"
        if self.kind == "point removed":
            return f"point {self.before} removed"
        if self.kind == "term":
            return f"‘{self.before}’ is now ‘{self.after}’"
        # One side without such a value: the diff shows it only in one text (it may sit in another
        # paragraph of the other version: proposal Art. 62(1)'s 15 days are in Art. 73(2), not 73(1)).
        if self.after == NONE:
            return f"{self.kind} {self.before} only in the proposal's text"
        if self.before == NONE:
            return f"{self.kind} {self.after} only in the final text"
        return f"{self.kind}: {self.before} -> {self.after}"


@dataclass(frozen=True)
class Comparison:
    before_text: str
    after_text: str
    ops: tuple[tuple[str, str, str], ...]  # (tag, old words, new words): "equal", "delete", "insert", "replace"
    changes: tuple[Change, ...] = field(default=())

    @property
    def identical(self) -> bool:
        return all(tag == "equal" for tag, _, _ in self.ops)

    @property
    def similarity(self) -> float:
        """Share of the words that the two versions have in common (difflib's ratio)."""
        same = sum(len(WORD.findall(old)) for tag, old, _ in self.ops if tag == "equal")
        total = len(WORD.findall(self.before_text)) + len(WORD.findall(self.after_text))
        return 2.0 * same / total if total else 1.0

    def summary(self) -> list[str]:
        return [c.sentence() for c in self.changes]


def words(text: str) -> list[str]:
    return WORD.findall(text)


def diff_ops(before: str, after: str) -> list[tuple[str, str, str]]:
    """The word diff of two clause texts, their own numbers at the head left out (the definition
    of 'emotion recognition system' is Art. 3(34) in one version and 3(39) in the other, word
    for word the same)."""
    a, b = words(LABEL.sub("", before, count=1)), words(LABEL.sub("", after, count=1))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(tag, " ".join(a[i1:i2]), " ".join(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]


def _changed_words(ops) -> tuple[list[str], list[str]]:
    deleted = [w for tag, old, _ in ops if tag in ("delete", "replace") for w in words(old)]
    inserted = [w for tag, _, new in ops if tag in ("insert", "replace") for w in words(new)]
    return deleted, inserted


def _pairs(kind: str, before: list[str], after: list[str]) -> list[Change]:
    """Pair removed and added values in order when their numbers agree; else one change listing both."""
    if not before and not after:
        return []
    if len(before) == len(after):
        return [Change(kind, b, a) for b, a in zip(before, after)]
    return [Change(kind, ", ".join(before) or NONE, ", ".join(after) or NONE)]


def _with_currency(text_words: list[str], value: str) -> str:
    """``35 000 000`` -> ``EUR 35 000 000`` when the text writes a currency next to it."""
    for i, w in enumerate(text_words):
        if w == value:
            if i > 0 and re.fullmatch(r"EUR|€", text_words[i - 1]):
                return f"EUR {value}"
            if i + 1 < len(text_words) and re.fullmatch(r"EUR[.,;]?|€", text_words[i + 1]):
                return f"EUR {value}"
    return value


def _periods(text: str) -> list[tuple[str, str]]:
    """(number word, period) of every period in a text: '24 months', 'three years'."""
    out = []
    tokens = words(text)
    for i, w in enumerate(tokens[1:], 1):
        if PERIOD_UNITS.match(w):
            n = tokens[i - 1].lower()
            if n.isdigit() or n in NUMBER_WORDS:
                out.append((n, f"{n} {w.rstrip('.,;:').lower()}"))
    return out


def _value_changes(ops, before: str, after: str) -> list[Change]:
    deleted, inserted = _changed_words(ops)
    bw, aw = words(before), words(after)
    out = _pairs("amount", [_with_currency(bw, w) for w in deleted if AMOUNT.match(w)],
                 [_with_currency(aw, w) for w in inserted if AMOUNT.match(w)])
    out += _pairs("percentage", [w for w in deleted if PERCENT.match(w)], [w for w in inserted if PERCENT.match(w)])
    # A period changed where the diff deleted or inserted its number ("three" -> "four" years).
    old_all, new_all = _periods(before), _periods(after)
    gone, came = {w.lower() for w in deleted}, {w.lower() for w in inserted}
    old_periods = [p for n, p in old_all if n in gone and p not in {q for _, q in new_all}]
    new_periods = [p for n, p in new_all if n in came and p not in {q for _, q in old_all}]
    out += _pairs("period", old_periods, new_periods)
    return out


def _term_changes(ops, renames: Sequence[tuple[str, str]]) -> list[Change]:
    """Renamed defined terms the diff shows: the old term among the deleted words and the new
    one among the inserted words."""
    deleted = " ".join(old for tag, old, _ in ops if tag in ("delete", "replace")).lower()
    inserted = " ".join(new for tag, _, new in ops if tag in ("insert", "replace")).lower()
    out = []
    for old, new in renames:
        if re.search(rf"\b{re.escape(old.lower())}s?\b", deleted) and re.search(rf"\b{re.escape(new.lower())}s?\b", inserted):
            out.append(Change("term", old, new))
    return out


def points(text: str) -> list[tuple[str, str]]:
    """(label, text) of the lettered or numbered points one level below the clause's first line."""
    lines = text.split("\n")
    indents = [len(line) - len(line.lstrip(" ")) for line in lines[1:] if POINT.match(line)]
    if not indents:
        return []
    level = min(indents)
    out = []
    for line in lines[1:]:
        match = POINT.match(line)
        if match and len(line) - len(line.lstrip(" ")) == level:
            out.append((f"({match.group(1)})", match.group(2)))
    return out


def _point_changes(before: str, after: str) -> list[Change]:
    """Points added or removed, found by aligning the two lists of points by their wording."""
    from .alignment import Lexicon, PART_THRESHOLD, sequence_align

    old, new = points(before), points(after)
    if not old and not new:
        return []
    pairs = []
    if old and new:
        lexicon = Lexicon([t for _, t in old + new])
        pairs = sequence_align(lexicon.matrix([t for _, t in old], [t for _, t in new]), PART_THRESHOLD)
    kept_old, kept_new = {i for i, _ in pairs}, {j for _, j in pairs}
    out = [Change("point removed", _named(label, t), "") for i, (label, t) in enumerate(old) if i not in kept_old]
    out += [Change("point added", "", _named(label, t)) for j, (label, t) in enumerate(new) if j not in kept_new]
    return out


def _named(label: str, text: str) -> str:
    """A point by its label and first words, "(a) (Chapters I and II shall apply ...)"; by its label
    alone when it opens with a cross-reference ("(b) Article 71 shall apply from ...")."""
    lead = _lead(text)
    return f"{label} ({lead})" if lead else label


def _lead(text: str, n: int = 8) -> str:
    """The first words of a point, up to ``n`` and never into a cross-reference ("obligations of
    providers pursuant to ..."): a reference written in the answer's own words reads as a claim
    that a clause not quoted says something, and the verifier strikes it."""
    from .citations import find_references

    refs = find_references(text)
    tokens = (text[:refs[0].start] if refs else text).split()
    if not tokens:
        return ""
    return " ".join(tokens[:n]) + (" ..." if len(tokens) > n or refs else "")


def compare(before: str, after: str, renames: Sequence[tuple[str, str]] = ()) -> Comparison:
    """The word diff of two clause texts and the changes it shows. ``renames``: (old term, new
    term) pairs, e.g. ``Alignment.renames`` (user -> deployer) read from the definitions."""
    ops = diff_ops(before, after)
    changes = _term_changes(ops, renames) + _value_changes(ops, before, after) + _point_changes(before, after)
    return Comparison(before, after, tuple(ops), tuple(changes))


@dataclass(frozen=True)
class VersionPair:
    """A proposal clause, its counterpart in the final Act, and what changed between them."""

    proposal: Clause
    final: Clause
    score: float  # the alignment's similarity of the two
    via: str  # the aligned unit the pair was found through (the asked clause or an ancestor)
    comparison: Comparison


def versions(aligned, doc: str, ref: str) -> list[VersionPair]:
    """Both versions of a provision, best-aligned first: ``ref`` of ``doc`` (proposal or final Act),
    or its nearest aligned ancestor, with each counterpart that ``aligned`` (an
    ``alignment.Alignment``) gives, and the changes. Empty when it has no counterpart."""
    from .alignment import PROPOSAL

    out = []
    for other in aligned.counterpart(doc, ref):
        # Compare like with like: a clause with no pair of its own is compared through the
        # aligned ancestor it was found by (``via``), never a point against a whole article.
        asked = aligned.library.get(doc, other.via)
        proposal, final = (asked, other.clause) if doc == PROPOSAL else (other.clause, asked)
        out.append(VersionPair(proposal, final, other.score, other.via,
                               compare(proposal.text, final.text, aligned.rename_pairs)))
    return out


# ---------------------------------------------------------------- HTML

DEL_STYLE = "background:#fde2e2;color:#8a1111;text-decoration:line-through"
INS_STYLE = "background:#dcf5dc;color:#0b5a0b;text-decoration:underline"


def diff_html(before: str, after: str) -> str:
    """The word diff as inline HTML: ``<del>`` for deleted words, ``<ins>`` for inserted ones;
    line breaks of the final text are kept (``white-space:pre-wrap``)."""
    a, b = _spaced(before), _spaced(after)
    matcher = difflib.SequenceMatcher(None, [w for w, _ in a], [w for w, _ in b], autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(html.escape("".join(w + s for w, s in b[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            out.append(f'<del style="{DEL_STYLE}">{html.escape(" ".join(w for w, _ in a[i1:i2]))}</del> ')
        if tag in ("insert", "replace"):
            out.append(f'<ins style="{INS_STYLE}">{html.escape("".join(w + s for w, s in b[j1:j2]).rstrip())}</ins>'
                       + (html.escape(b[j2 - 1][1]) if j2 > j1 else ""))
    return "".join(out)


def _spaced(text: str) -> list[tuple[str, str]]:
    """Words with the whitespace that follows each (to rebuild the text's own line breaks)."""
    return [(m.group(0), text[m.end():nxt]) for m, nxt in
            zip(list(WORD.finditer(text)), [m.start() for m in WORD.finditer(text)][1:] + [len(text)])]


def compare_html(proposal_clause: Clause, final_clause: Clause, renames: Sequence[tuple[str, str]] = ()) -> str:
    """A "compare with the final Act" panel: both references, the changes found, and the word
    diff (escaped; wraps on a phone's width)."""
    comparison = compare(proposal_clause.text, final_clause.text, renames)
    head = (f'<div class="version-compare" style="max-width:100%;overflow-wrap:anywhere;line-height:1.5">'
            f'<p style="margin:0 0 .5em 0"><strong>{html.escape(proposal_clause.label)}</strong> &rarr; '
            f'<strong>{html.escape(final_clause.label)}</strong></p>')
    if comparison.identical:
        summary = "<p>Same wording in both versions.</p>"
    elif comparison.changes:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in comparison.summary())
        summary = f'<ul style="margin:0 0 .5em 1.2em;padding:0">{items}</ul>'
    else:
        summary = f"<p>Reworded ({comparison.similarity:.0%} of the words kept); no amount, term or point changed.</p>"
    legend = (f'<p style="font-size:.85em;margin:0 0 .5em 0"><del style="{DEL_STYLE}">only in the proposal</del> '
              f'<ins style="{INS_STYLE}">only in the final Act</ins></p>')
    body = f'<div style="white-space:pre-wrap">{diff_html(proposal_clause.text, final_clause.text)}</div>'
    return head + summary + legend + body + "</div>"
