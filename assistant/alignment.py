"""Which provision of the 2021 proposal became which provision of the 2024 Act.

Computed from the two texts, never typed by hand:

* every article, annex and recital of the proposal is compared with every unit of the same kind
  in the final Act: lexical similarity of the whole texts (TF-IDF cosine over the index's
  stemmed tokens) and, where both have one, of the titles;
* an order-preserving sequence alignment (Needleman-Wunsch, no gap cost, each pair worth its
  similarity minus ``THRESHOLD``) pairs the two lists, since the Act kept the proposal's order
  for most of its text;
* what the sequence alignment leaves out is matched on similarity alone when that is strong
  (``MOVED``): a provision that moved (document retention, Art. 50 -> Art. 18), was split in two
  or merged with a neighbour; a split only when a part of the proposal's unit reads more like the
  split-off unit than like anything in its own counterpart (Art. 33(1) -> Art. 34), not a new
  provision modelled on that counterpart (Art. 80 beside Art. 79, Annex XI beside Annex IV);
* inside every pair, paragraphs and points are aligned the same way, level by level
  (Art. 71(3) -> Art. 99(3), Art. 5(1)(d) -> Art. 5(1)(h));
* a paragraph (or a whole unpaired article) whose wording reappears in another article of the Act
  is paired there, and that article joins its article's counterparts (Art. 64(1) -> Art. 74(12)
  beside Art. 64 -> Art. 77; Art. 45 -> Art. 44(3), second subparagraph);
* defined terms that were renamed (user -> deployer) come from the aligned definitions articles.

A few documented exceptions (``corpus/alignment_exceptions.json``, each with its reason) override
the computed pairs, of an article or annex or of one of its paragraphs or points. The result is
stored as JSON in the data directory (beside the index), keyed by a digest of both parsed texts,
the algorithm and the exceptions, and kept in memory for lookups.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal, Sequence

from .clauses import FINAL_ACT, PROPOSAL, Clause, Document, Library, top_level
from .config import REPO_ROOT, Settings
from .errors import UnknownReference
from .index import tokenize

ALGORITHM = "align-v8:tfidf-title+content,nw,moved,parts,moved-text,nesting,split-own-part,one-paragraph-article,stem-register"
EXCEPTIONS_PATH = REPO_ROOT / "corpus" / "alignment_exceptions.json"

# Similarity below which two units are not paired in sequence, and above which a unit the sequence
# alignment left out is paired out of order. Read off the article table (bench/alignment_spotcheck.md):
# renumbered articles that kept their substance score 0.45-0.95; neighbours with nothing in common
# but boilerplate ("the Commission shall adopt implementing acts") score 0.10-0.25.
THRESHOLD = 0.25
MOVED = 0.40
MARGIN = 0.15  # how much better than anything in its own article's counterparts a moved paragraph must match
MOVED_MIN_TERMS = 8  # distinct terms a paragraph needs before its wording can show where it moved
STRONG = 0.60  # content similarity that pairs a provision moved far from its place (Art. 50 -> Art. 18: 0.70)
PART_THRESHOLD = 0.30  # paragraphs and points: shorter texts, noisier cosines
TITLE_WEIGHT = 0.35    # share of the title similarity in the score of two titled units

Kind = Literal["article", "annex", "recital"]
KINDS: tuple[Kind, ...] = ("article", "annex", "recital")


@dataclass(frozen=True)
class Pair:
    """One proposal unit and its counterparts in the final Act (none, one or several)."""

    kind: str
    proposal: str
    final: tuple[str, ...]
    score: float  # the best of ``scores``
    evidence: str
    scores: tuple[float, ...] = ()  # one per final unit


@dataclass(frozen=True)
class Rename:
    """A defined term the final Act calls by another name."""

    proposal_term: str
    final_term: str
    proposal: str  # the defining clauses
    final: str


@dataclass(frozen=True)
class Counterpart:
    """A clause of the other version aligned with the one asked about."""

    doc: str
    ref: str
    clause: Clause
    score: float
    evidence: str
    via: str  # the aligned unit of the asked clause (itself, or the nearest aligned ancestor)


# ---------------------------------------------------------------- similarity

class Lexicon:
    """TF-IDF over the stemmed tokens of the two acts (sublinear term frequency)."""

    def __init__(self, texts: Sequence[str]):
        self.tokens: dict[str, Counter] = {}
        df: Counter = Counter()
        for text in texts:
            df.update(set(self._tokens(text)))
        n = max(len(texts), 1)
        self.idf = {term: math.log((1 + n) / (1 + count)) + 1.0 for term, count in df.items()}

    def _tokens(self, text: str) -> Counter:
        got = self.tokens.get(text)
        if got is None:
            got = self.tokens[text] = Counter(t for t in tokenize(text) if not t[0].isdigit() and t[0] != "(")
        return got

    def vector(self, text: str) -> dict[str, float]:
        weights = {t: (1.0 + math.log(c)) * self.idf.get(t, 1.0) for t, c in self._tokens(text).items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def matrix(self, left: Sequence[str], right: Sequence[str]):
        """Cosine similarity of every left text with every right text (numpy array)."""
        import numpy as np

        vectors = [self.vector(t) for t in list(left) + list(right)]
        vocab = {t: i for i, t in enumerate(sorted({t for v in vectors for t in v}))}
        m = np.zeros((len(vectors), max(len(vocab), 1)), dtype=np.float32)
        for row, v in enumerate(vectors):
            for t, w in v.items():
                m[row, vocab[t]] = w
        return m[:len(left)] @ m[len(left):].T


def sequence_align(scores, threshold: float) -> list[tuple[int, int]]:
    """Order-preserving pairs (i, j) maximising the sum of ``scores[i][j] - threshold`` over the
    pairs (Needleman-Wunsch with free gaps); pairs below the threshold are never taken."""
    n = len(scores)
    m = len(scores[0]) if n else 0
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, prev, s = best[i], best[i - 1], scores[i - 1]
        for j in range(1, m + 1):
            gain = float(s[j - 1]) - threshold
            diagonal = prev[j - 1] + gain if gain > 0 else -1.0
            row[j] = max(prev[j], row[j - 1], diagonal)
    pairs = []
    i, j = n, m
    while i and j:  # ties go to gaps first, so only strictly profitable pairs are kept
        if best[i][j] == best[i - 1][j]:
            i -= 1
        elif best[i][j] == best[i][j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return pairs[::-1]


def match_lists(scores, threshold: float, moved: float, content=None, siblings=None) -> dict[int, list[tuple[int, bool]]]:
    """Left index -> [(right index, in sequence?)]: the sequence alignment, then out-of-order
    pairs for what it left out, when their similarity reaches ``moved``:

    * a right unit left out goes to its most similar left unit (a provision split in two) when
      their texts (``content``) also reach ``moved``, unless it is at least as similar to another
      right unit (``siblings``, right x right): then it is a new provision modelled on that one
      (the Act's authorised representatives of GPAI providers copy its Art. 22, not the proposal);
    * a left unit left out goes to its most similar right unit: merged with a neighbour (the
      right unit's partner is next to it in the left list), or moved, when the texts themselves
      (``content``) agree that strongly; a title alone never moves a provision.
    """
    import numpy as np

    scores = np.asarray(scores, dtype=np.float32)
    content = scores if content is None else np.asarray(content, dtype=np.float32)
    out: dict[int, list[tuple[int, bool]]] = {}
    if scores.size == 0:
        return out
    partner: dict[int, int] = {}
    for i, j in sequence_align(scores, threshold):
        out.setdefault(i, []).append((j, True))
        partner[j] = i
    for j in range(scores.shape[1]):
        if j in partner:
            continue
        i = int(scores[:, j].argmax())
        modelled = siblings is not None and any(siblings[j, k] >= content[i, j] for k in partner if k != j)
        if scores[i, j] >= moved and content[i, j] >= moved and not modelled:
            out.setdefault(i, []).append((j, False))
    for i in range(scores.shape[0]):
        if i in out:
            continue
        j = int(scores[i].argmax())
        neighbour = j in partner and abs(partner[j] - i) == 1
        if scores[i, j] >= moved and (neighbour or content[i, j] >= STRONG):
            out[i] = [(j, False)]
    return {i: sorted(pairs) for i, pairs in sorted(out.items())}


# ---------------------------------------------------------------- building

def _siblings(lexicon: Lexicon, units: list[Clause]):
    import numpy as np

    m = lexicon.matrix([c.text for c in units], [c.text for c in units])
    np.fill_diagonal(m, 0.0)
    return m


def _units(doc: Document, kind: str) -> list[Clause]:
    return [c for c in doc.clauses.values() if c.kind == kind]


def _best_match(lexicon: Lexicon, text: str, final: Document, refs: Sequence[str]) -> float:
    """The highest similarity of a text with the given units of the final Act or any of their parts."""
    texts = [d.text for ref in refs for d in [final.clauses[ref], *final.descendants(ref)]]
    return float(lexicon.matrix([text], texts).max()) if texts else 0.0


def _split_off(lexicon: Lexicon, clause: Clause, proposal: Document, final: Document, extra: str,
               homes: Sequence[str]) -> bool:
    """Whether a final unit paired out of sequence with ``clause``, beside its in-sequence counterparts
    ``homes``, took a part of it: some paragraph matches it ``MARGIN`` better than anything in the homes
    (proposal Art. 33(1) -> final Art. 34: 0.92 against 0.42 in Art. 31). Otherwise it is a new unit
    modelled on a home (final Art. 80, the procedure for systems the provider called non-high-risk, is
    written on Art. 79: every paragraph of proposal Art. 65 matches Art. 79 better; Annex XI, GPAI
    documentation, likewise on Annex IV). A unit without parts gives no such evidence and is kept."""
    parts = [proposal.clauses[ref] for ref in clause.children]
    return not parts or any(_best_match(lexicon, p.text, final, [extra])
                            >= _best_match(lexicon, p.text, final, homes) + MARGIN for p in parts)


def _align_units(lexicon: Lexicon, left: list[Clause], right: list[Clause], kind: str,
                 proposal: Document, final: Document) -> tuple[list[Pair], list[str]]:
    import numpy as np

    content = lexicon.matrix([c.text for c in left], [c.text for c in right])
    titles = lexicon.matrix([c.title or "" for c in left], [c.title or "" for c in right])
    has_title = np.array([[bool(a.title and b.title) for b in right] for a in left], dtype=bool).reshape(content.shape)
    scores = np.where(has_title, (1 - TITLE_WEIGHT) * content + TITLE_WEIGHT * titles, content)
    matches = match_lists(scores, THRESHOLD, MOVED, content, _siblings(lexicon, right))
    for i, found in matches.items():
        homes = [right[j].ref for j, in_sequence in found if in_sequence]
        if homes:
            matches[i] = [(j, seq) for j, seq in found
                          if seq or _split_off(lexicon, left[i], proposal, final, right[j].ref, homes)]
    pairs = []
    for i, clause in enumerate(left):
        found = matches.get(i, [])
        if found:
            parts = []
            for j, in_sequence in found:
                title = f"title {titles[i, j]:.2f}, " if has_title[i, j] else ""
                where = "in sequence" if in_sequence else "out of sequence"
                parts.append(f"{right[j].ref}: {title}content {content[i, j]:.2f}, {where}")
            each = tuple(round(float(scores[i, j]), 3) for j, _ in found)
            pairs.append(Pair(kind, clause.ref, tuple(right[j].ref for j, _ in found), max(each), "; ".join(parts), each))
        else:
            pairs.append(Pair(kind, clause.ref, (), 0.0, ""))
    owner = {ref: p.proposal for p in pairs for ref in p.final}
    for n, pair in enumerate(pairs):
        if not pair.final:
            pairs[n] = replace(pair, evidence=_unpaired(scores[n], right, owner))
    return pairs, [c.ref for c in right if c.ref not in owner]


def _unpaired(row, right: list[Clause], owner: dict[str, str]) -> str:
    """Why a unit has no counterpart, naming the nearest candidate."""
    if not right:
        return "no counterpart: nothing to compare with"
    j = int(row.argmax())
    nearest = f"nearest {right[j].ref} at {row[j]:.2f}"
    if row[j] < THRESHOLD:
        return f"no counterpart: {nearest}, below {THRESHOLD:.2f}"
    if right[j].ref in owner:
        return f"no counterpart: {nearest} is the counterpart of {owner[right[j].ref]}"
    return f"no counterpart: {nearest}, out of sequence and below {MOVED:.2f}"


def _children(doc: Document, refs: Sequence[str]) -> list[Clause]:
    return [doc.clauses[child] for ref in refs for child in doc.clauses[ref].children]


def _articles(doc: Document, refs: Sequence[str]) -> bool:
    return all(doc.clauses[ref].kind == "article" for ref in refs)


def _align_parts(lexicon: Lexicon, proposal: Document, final: Document, left_refs: Sequence[str],
                 right_refs: Sequence[str]) -> list[Pair]:
    """Paragraphs, subparagraphs and points of aligned units, level by level."""
    left, right = _children(proposal, left_refs), _children(final, right_refs)
    # An article of one paragraph has no parts: it is its own one part beside the other version's
    # article's paragraphs (proposal Art. 51 -> final Art. 49(1)-(3)), as it was when the parser
    # gave it a "first subparagraph".
    if bool(left) != bool(right) and _articles(proposal, left_refs) and _articles(final, right_refs):
        left = left or [proposal.clauses[ref] for ref in left_refs]
        right = right or [final.clauses[ref] for ref in right_refs]
    if not left or not right:
        return []
    scores = lexicon.matrix([c.text for c in left], [c.text for c in right])
    out = []
    for i, found in match_lists(scores, PART_THRESHOLD, MOVED, scores, _siblings(lexicon, right)).items():
        finals = tuple(right[j].ref for j, _ in found)
        evidence = "; ".join(f"{right[j].ref}: content {scores[i, j]:.2f}, "
                             f"{'in sequence' if seq else 'out of sequence'}" for j, seq in found)
        each = tuple(round(float(scores[i, j]), 3) for j, _ in found)
        out.append(Pair(left[i].kind, left[i].ref, finals, max(each), evidence, each))
        out += _align_parts(lexicon, proposal, final, [left[i].ref], finals)
    return out + _one_level_down(lexicon, left, _children(final, [c.ref for c in right]), out)


def _one_level_down(lexicon: Lexicon, left: list[Clause], below: list[Clause], pairs: list[Pair]) -> list[Pair]:
    """Where the versions nest differently (proposal Art. 50 lists points (a)-(e) directly, final
    Art. 18 puts them under paragraph 1): unpaired leaves against the level below, in order."""
    paired = {p.proposal for p in pairs}
    taken = {ref for p in pairs for ref in p.final}
    left = [c for c in left if c.ref not in paired and not c.children]
    below = [c for c in below if c.ref not in taken]
    if not left or not below:
        return []
    scores = lexicon.matrix([c.text for c in left], [c.text for c in below])
    return [Pair(left[i].kind, left[i].ref, (below[j].ref,), round(float(scores[i, j]), 3),
                 f"{below[j].ref}: content {scores[i, j]:.2f}, in sequence one level down", (round(float(scores[i, j]), 3),))
            for i, j in sequence_align(scores, PART_THRESHOLD)]


# "(4) ‘user’ means", "(1) ‘artificial intelligence system’ (AI system) means", "(37) ‘‘real-time’ remote ...’ means"
def _with_moved_parts(pair: Pair, split: list[Pair]) -> Pair:
    """An article whose paragraphs moved into other articles also has those articles as counterparts."""
    finals, scores, evidence = list(pair.final), list(pair.scores), [pair.evidence]
    for part in split:
        if top_level(part.proposal) == pair.proposal and "moved to another article" in part.evidence:
            article = top_level(part.final[0])
            evidence.append(f"{article}: through {part.proposal} -> {part.final[0]} (content {part.score:.2f})")
            if article not in finals:
                finals.append(article)
                scores.append(part.score)
    if len(evidence) == 1:
        return pair
    return replace(pair, final=tuple(finals), scores=tuple(scores), score=max(scores), evidence="; ".join(evidence))


class _Moved:
    """Text that moved into another article of the final Act: a proposal article's paragraph (or a
    whole article) whose wording reappears elsewhere, at least ``STRONG`` and ``MARGIN`` above
    anything in its own article's counterparts (proposal Art. 64(1) -> final Art. 74(12), beside
    Art. 64(3)-(6) -> Art. 77; Art. 45 -> a subparagraph of Art. 44(3))."""

    def __init__(self, lexicon: Lexicon, proposal: Document, final: Document):
        self.lexicon, self.proposal, self.final = lexicon, proposal, final
        self.targets = [c for c in final.clauses.values()
                        if c.ref.startswith("Art. ") and (c.parent or not c.children)]
        self.sources = [c for c in proposal.clauses.values() if c.ref.startswith("Art. ")
                        and ((c.parent and proposal.clauses[c.parent].kind == "article") or not c.parent and not c.children)]
        self.row = {c.ref: i for i, c in enumerate(self.sources)}
        self.scores = lexicon.matrix([c.text for c in self.sources], [c.text for c in self.targets])

    def _find(self, clause: Clause, homes: Sequence[str]) -> tuple[Clause, float] | None:
        if len(self.lexicon.vector(clause.text)) < MOVED_MIN_TERMS:
            return None  # "(1) In Article 17, the following paragraph is added:" matches every amendment
        row = self.scores[self.row[clause.ref]]
        j = int(row.argmax())
        best = float(row[j])
        if best >= STRONG and best >= _best_match(self.lexicon, clause.text, self.final, homes) + MARGIN:
            return self.targets[j], best
        return None

    def _pair(self, clause: Clause, target: Clause, score: float) -> list[Pair]:
        pair = Pair(clause.kind, clause.ref, (target.ref,), round(score, 3),
                    f"{target.ref}: content {score:.2f}, moved to another article", (round(score, 3),))
        return [pair] + _align_parts(self.lexicon, self.proposal, self.final, [clause.ref], [target.ref])

    def unit(self, pair: Pair) -> tuple[Pair, list[Pair]]:
        """An article with no counterpart whose text moved: the articles it moved to, and the moves."""
        article = self.proposal.clauses[pair.proposal]
        sources = [self.proposal.clauses[r] for r in article.children] or [article]
        found = [(c, hit) for c in sources if (hit := self._find(c, ())) is not None]
        if not found:
            return pair, []
        finals: dict[str, float] = {}
        for _, (target, score) in found:
            ref = top_level(target.ref)
            finals[ref] = max(finals.get(ref, 0.0), round(score, 3))
        evidence = "text moved: " + "; ".join(f"{c.ref} -> {t.ref} (content {s:.2f})" for c, (t, s) in found)
        # an article of one paragraph (a clause of its own) is paired with where its words went too:
        # Art. 45 -> Art. 44(3), second subparagraph, which a comparison quotes rather than all of Art. 44
        parts = [p for c, (t, s) in found for p in self._pair(c, t, s)]
        return replace(pair, final=tuple(finals), score=max(finals.values()), evidence=evidence,
                       scores=tuple(finals.values())), parts

    def paragraphs(self, units: list[Pair], parts: list[Pair]) -> list[Pair]:
        """Paragraphs of paired articles that found no pair in the counterparts but moved elsewhere."""
        paired = {p.proposal for p in parts}
        out = []
        for pair in units:
            if pair.kind != "article" or not pair.final:
                continue
            for ref in self.proposal.clauses[pair.proposal].children:
                if ref not in paired and (hit := self._find(self.proposal.clauses[ref], pair.final)) is not None:
                    out += self._pair(self.proposal.clauses[ref], *hit)
        return out


TERM = re.compile(r"^\(\d+\)\s*[‘'\"](.{2,90}?)[’'\"](?:\s*\(([^)]{2,30})\))?\s+means\b")
DEFINITIONS = "Art. 3"


def _term(text: str) -> str:
    return re.sub(r"[‘’'\"]", "", text).strip()


def _forms(match: re.Match) -> set[str]:
    """A defined term and its short form, lower-case, singular, hyphens as spaces ("common
    specifications" = "common specification", "post remote" = "post-remote")."""
    return {re.sub(r"s$", "", re.sub(r"[\s-]+", " ", _term(g).lower())) for g in match.groups() if g}


def _renames(parts: list[Pair], proposal: Document, final: Document) -> list[Rename]:
    """Defined terms whose aligned definitions name another term (only one-to-one pairs)."""
    out = []
    for pair in parts:
        if top_level(pair.proposal) != DEFINITIONS or len(pair.final) != 1:
            continue
        old = TERM.match(proposal.clauses[pair.proposal].text)
        new = TERM.match(final.clauses[pair.final[0]].text)
        if old and new and not _forms(old) & _forms(new):
            out.append(Rename(_term(old.group(1)), _term(new.group(1)), pair.proposal, pair.final[0]))
    return out


def load_exceptions(path: Path = EXCEPTIONS_PATH) -> list[dict]:
    if not path.exists():
        return []
    items = json.loads(path.read_text(encoding="utf-8"))
    for item in items:
        if not item.get("reason") or "proposal" not in item or not isinstance(item.get("final"), list):
            raise ValueError(f"{path.name}: every exception needs proposal, final (a list) and a reason: {item}")
    return items


def _documented(pair: Pair, exception: dict) -> Pair:
    """The pair an exception states instead of the one computed (kept in the evidence)."""
    final = tuple(exception["final"])
    return Pair(pair.kind, pair.proposal, final, 1.0 if final else 0.0,
                f"documented exception: {exception['reason']} (computed: {', '.join(pair.final) or 'none'})",
                tuple(1.0 for _ in final))


def build(library: Library, exceptions: list[dict] | None = None) -> dict:
    """The alignment as a JSON-ready dict (deterministic for the same texts and exceptions)."""
    started = time.perf_counter()
    proposal, final = library.document(PROPOSAL), library.document(FINAL_ACT)
    exceptions = load_exceptions() if exceptions is None else exceptions
    lexicon = Lexicon([c.text for doc in (proposal, final) for c in doc.clauses.values()]
                      + [c.title for doc in (proposal, final) for c in doc.clauses.values() if c.title])
    units: list[Pair] = []
    unmatched: list[str] = []
    for kind in KINDS:
        pairs, left_out = _align_units(lexicon, _units(proposal, kind), _units(final, kind), kind, proposal, final)
        units += pairs
        unmatched += left_out
    moved = _Moved(lexicon, proposal, final)
    parts: list[Pair] = []
    for n, pair in enumerate(units):
        if pair.kind == "article" and not pair.final:
            units[n], found = moved.unit(pair)
            parts += found
    overrides = {e["proposal"]: e for e in exceptions}
    for n, pair in enumerate(units):
        if pair.proposal in overrides:
            units[n] = _documented(pair, overrides[pair.proposal])
            parts = [p for p in parts if top_level(p.proposal) != pair.proposal]
    used = {ref for p in units for ref in p.final}
    unmatched = [ref for ref in unmatched if ref not in used]
    for pair in units:
        if pair.final and not any(top_level(p.proposal) == pair.proposal for p in parts):
            parts += _align_parts(lexicon, proposal, final, [pair.proposal], pair.final)
    split = moved.paragraphs(units, parts)
    parts += split
    # an exception for a paragraph or point overrides the pair computed for it
    # (not an article of one paragraph paired as its own part: its exception is its unit's)
    parts = [_documented(p, overrides[p.proposal]) if p.proposal in overrides and p.kind != "article" else p
             for p in parts]
    units = [_with_moved_parts(pair, split) for pair in units]
    used = {ref for p in units for ref in p.final}
    unmatched = [ref for ref in unmatched if ref not in used]
    renames = _renames(parts, proposal, final)
    return {"algorithm": ALGORITHM, "units": [asdict(p) for p in units], "unmatched_final": unmatched,
            "parts": [asdict(p) for p in parts], "renames": [asdict(r) for r in renames],
            "build_seconds": round(time.perf_counter() - started, 2)}


# ---------------------------------------------------------------- storing and looking up

def key(library: Library, exceptions_path: Path = EXCEPTIONS_PATH) -> str:
    """Digest of what the alignment is computed from: both acts as parsed (every clause's reference,
    title and text, so a parser change counts as much as a new source file), the algorithm's
    name and code, and the exceptions."""
    texts = hashlib.sha256()
    for doc in (PROPOSAL, FINAL_ACT):
        for clause in library.document(doc).clauses.values():
            texts.update(f"{doc}\x00{clause.ref}\x00{clause.title or ''}\x00{clause.text}\x01".encode())
    payload = {"texts": texts.hexdigest(), "algorithm": ALGORITHM,
               # a changed rule or constant recomputes the file even if ALGORITHM was not updated
               "code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
               "exceptions": exceptions_path.read_text(encoding="utf-8") if exceptions_path.exists() else ""}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _pair(d: dict) -> Pair:
    return Pair(d["kind"], d["proposal"], tuple(d["final"]), d["score"], d["evidence"], tuple(d["scores"]))


@dataclass
class Alignment:
    """The stored alignment with in-memory lookups in both directions."""

    library: Library
    data: dict
    built: bool = False  # True when this process computed it (rather than read it)
    forward: dict[str, Pair] = field(init=False)
    backward: dict[str, list[Pair]] = field(init=False)

    def __post_init__(self):
        self.units = [_pair(d) for d in self.data["units"]]
        self.parts = [_pair(d) for d in self.data["parts"]]
        self.renames = [Rename(**r) for r in self.data["renames"]]
        self.forward = {p.proposal: p for p in self.units + self.parts}
        self.backward = {}
        for p in self.units + self.parts:
            for ref in p.final:
                self.backward.setdefault(ref, []).append(p)

    @classmethod
    def load(cls, library: Library, settings: Settings) -> "Alignment":
        """Read the stored alignment for these texts, or compute and store it (~1-3 s)."""
        digest = key(library)
        path = settings.data_dir / f"alignment-{digest[:24]}.json"
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("key") == digest:
                    return cls(library, data)
            except (OSError, ValueError):
                pass  # unreadable: computed anew below and written over
        data = dict(build(library), key=digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{time.time_ns()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a file
        for old in settings.data_dir.glob("alignment-*.json"):
            if old != path:
                old.unlink(missing_ok=True)  # computed for other texts or another algorithm
        return cls(library, data, built=True)

    def counterpart(self, doc: str, ref: str) -> list[Counterpart]:
        """The clauses of the other version aligned with ``ref`` of ``doc`` (a proposal or final
        reference, any depth), best first. A clause with no pair of its own gets its nearest
        aligned ancestor's counterparts (``via`` names that ancestor). Empty: no counterpart."""
        if doc not in (PROPOSAL, FINAL_ACT):
            raise UnknownReference(f"Only the proposal ({PROPOSAL}) and the final Act ({FINAL_ACT}) are aligned, not {doc}.")
        source = self.library.get(doc, ref)  # raises UnknownReference with what exists nearby
        other = FINAL_ACT if doc == PROPOSAL else PROPOSAL
        if not self._paired(doc, source.ref):
            # A clause with no pair of its own whose sub-units have one: the Act's Art. 74(13) on
            # source code, split into two conditions, whose point (a) is paired with the proposal's
            # Art. 64(2). Their counterparts are the clause's, compared with it whole, before its
            # ancestor's (all of proposal Art. 63, paired with all of Art. 74).
            below = [found for child in source.children for found in self._paired(doc, child)]
            if below:
                return self._resolve(other, list({r: (r, score, evidence) for r, score, evidence in below}.values()),
                                     source.ref)
        current: str | None = source.ref
        while current:
            if found := self._paired(doc, current):
                return self._resolve(other, found, current)
            current = self.library.get(doc, current).parent
        return []

    def _paired(self, doc: str, ref: str) -> list[tuple[str, float, str]]:
        """(counterpart, score, evidence) of the pairs ``ref`` of ``doc`` has of its own."""
        if doc == PROPOSAL and ref in self.forward:
            pair = self.forward[ref]
            return list(zip(pair.final, pair.scores, [pair.evidence] * len(pair.final)))
        if doc == FINAL_ACT and ref in self.backward:
            return [(p.proposal, p.scores[p.final.index(ref)], p.evidence) for p in self.backward[ref]]
        return []

    def _resolve(self, doc: str, found: list[tuple[str, float, str]], via: str) -> list[Counterpart]:
        """The counterparts, best first: a definition that defines the same term as the one asked
        about before one that merely shares more words with it (proposal Art. 3(30), 'validation
        data', split into the Act's 'validation data', 3(30), and 'validation data set', 3(31),
        which scores higher: the one definition of the proposal whose own term is not its best-scored
        counterpart), then by score."""
        out = [Counterpart(doc, ref, self.library.get(doc, ref), score, evidence, via) for ref, score, evidence in found]
        asked = TERM.match(self.library.get(PROPOSAL if doc == FINAL_ACT else FINAL_ACT, via).text) \
            if top_level(via) == DEFINITIONS else None
        terms = _forms(asked) if asked else set()

        def same_term(c: Counterpart) -> bool:
            defined = TERM.match(c.clause.text) if terms else None
            return bool(defined and _forms(defined) & terms)
        return sorted(out, key=lambda c: (not same_term(c), -c.score, c.clause.seq))

    @property
    def rename_pairs(self) -> list[tuple[str, str]]:
        """(proposal term, final term) of every renamed defined term, for ``textdiff.compare``."""
        return [(r.proposal_term, r.final_term) for r in self.renames]

    def table(self) -> dict:
        """The unit table for ``assistant align --json``."""
        plural = {"article": "articles", "annex": "annexes", "recital": "recitals"}
        out: dict = {name: [] for name in plural.values()}
        for p in self.units:
            out[plural[p.kind]].append({"proposal": p.proposal, "final": list(p.final), "score": p.score,
                                        "evidence": p.evidence})
        out["unmatched_final"] = list(self.data["unmatched_final"])
        out["renamed_terms"] = [asdict(r) for r in self.renames]
        out["paragraph_pairs"] = len(self.parts)
        return out
