"""The query plan: what a question is about, worked out once at the head of the chain.

Retrieval, scope, the answerers and ``finish`` read the plan; none of them re-derives what
the question names, asks or compares. ``QueryPlan.to_dict()`` is in ``Answer.to_dict()`` so
that a user can see how the question was read (``assistant ask --explain``).
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Literal

from .citations import document_mentions, find_references, is_within, mentioned_documents
from .clauses import FINAL_ACT, PROPOSAL, human_ref, top_level
from .i18n import t, words
from .index import tokenize
from .tuning import DEFAULT, Tuning

# What the question asks for: the shape of the answer it wants.
Ask = Literal["provision", "definition", "list", "figure", "deadline", "yes_no", "comparison", "explanation"]
# Whether a described use falls under a class of the AI Act: a use that is high-risk, a practice that is banned.
Classification = Literal["high-risk", "prohibited"]


@dataclass(frozen=True)
class NamedClause:
    """A clause the question names by reference ("Article 5(1)(c) of the draft")."""

    doc: str
    ref: str


@dataclass(frozen=True)
class QueryPlan:
    question: str                                   # as typed, normalised (NFC, whitespace)
    reading: str = ""                               # its references and document names in English (non-English only)
    asks: Ask = "explanation"
    compares: Ask | None = None                     # for a comparison, what is compared (a figure, a deadline, ...)
    language: str = "en"                            # ISO 639-1 code of the question's language
    follow_up: bool = False                         # leans on earlier turns
    context: str = ""                               # the earlier questions a follow-up leans on
    history: tuple[tuple[str, str], ...] = ()       # earlier (question, answer text) turns, oldest first
    documents_named: tuple[str, ...] = ()           # documents the question names, in order of mention
    documents_compared: tuple[str, ...] = ()        # two or more when the question compares them
    weights: dict[str, float] = field(default_factory=dict)  # documents searched and how much each counts
    filtered: bool = False                          # the user restricted the documents
    references: tuple[NamedClause, ...] = ()        # named clauses that exist
    missing: tuple[str, ...] = ()                   # messages for named clauses that do not exist
    external: tuple[str, ...] = ()                  # references to texts outside the corpus ("Art. 16 TFEU")
    defined: tuple[NamedClause, ...] = ()           # defining clauses of terms whose meaning is asked
    classifies: tuple[Classification, ...] = ()     # asks whether a described use is high-risk / banned
    wants_recitals: bool = False                    # asks why / for the recitals
    wants_memorandum: bool = False                  # asks about the explanatory memorandum
    wants_commentary: bool = False                  # asks what commentators said
    commentary_beside: tuple[str, ...] = ()         # commentaries searched beside a comparison naming none
    sides_apart: bool = False                       # each compared text is asked about in a part of its own
    wants_final_provisions: bool = False            # asks about entry into force, amendments, repeal
    asks_application: bool = False                  # asks when an act or its rules apply
    general: bool = False                           # asks what an act is about, covers or is for
    asks_purpose: bool = False                      # ... what it is for: its purpose, aim or objectives
    asks_to_hide: bool = False                      # asks it to pretend to be human or drop its AI notice
    asks_penalty: bool = False                      # asks the fine or penalty for breaking a rule
    adopted_beside: bool = False                    # names no version: an answer led by a draft clause shows the Act's too

    @property
    def searched(self) -> list[str]:
        return sorted(d for d, w in self.weights.items() if w > 0)

    @property
    def versions(self) -> bool:
        """Compares the 2021 proposal with the final 2024 Act."""
        return {PROPOSAL, FINAL_ACT} <= set(self.documents_compared)

    def to_dict(self) -> dict:
        """JSON-ready (lists, not tuples), so that it reads the same after a trip over HTTP."""
        return json.loads(json.dumps(asdict(self)))


# ---------------------------------------------------------------- reading a question

# A follow-up leans on the turn before: it starts like a continuation or points back.
FOLLOW_UP = re.compile(
    r"^\s*+(and|but|also|what about|how about|so|then|ok\w*|okay|same|what if)\b"
    r"|\b(that|this|it|they|them|those|these|there|its|their|such)\b", re.IGNORECASE)
# The GDPR's own vocabulary: a question using it is about the GDPR unless it names another act.
# What a person's data is called in everyday words: "my address", "customers' emails".
PERSONAL_ITEMS = r"(personal )?(data|info\w*|details|ad+res+(es)?|e-?mails?|accounts?|payslips?|records?|files?|(phone )?numbers?)"
GDPR_TERMS = re.compile(
    r"\b(data subjects?|controllers?|processors?|DPIA|DPO|data protection (impact assessment|officer)|"
    r"(personal )?data breach(es)?|lawful(ness)? (basis|of processing)|legitimate interests?|special categor\w*|"
    r"right (to|of) (erasure|access|rectification|object|be forgotten|data portability)|"
    r"adequacy decision|standard (data protection|contractual) clauses|binding corporate rules|"
    r"supervisory authorit\w*|third countr\w*|profiling|consent|"
    # A person asking about their own data is a data subject, whatever words they use.
    rf"my {PERSONAL_ITEMS}|(data|info\w*) (about|on) me|delete my|"
    # ... and a business asking about the people whose data it holds, in the same words
    rf"(customers?|clients?|employees?|users?|staff|members?|patients?|residents?)'? {PERSONAL_ITEMS}|"
    r"privacy (watchdogs?|regulators?|authorit\w*|notices?|polic\w*)|"
    # A decision about a person taken by a machine alone, or a human asked to look at it again: the
    # GDPR's automated decisions, whatever AI words describe the machine
    r"human intervention|(human|person) (being )?(ever |actually )?(to )?(look|review|check|step)\w*|"
    r"(solely|purely|fully|entirely|only|all) (by (a )?(computer|machine|algorithm)|automat\w*))\b", re.IGNORECASE)
# What only the AI acts talk about. An English question with neither these nor GDPR words is read as
# about the GDPR ("a company wants 25 euros before sending me a copy of what they have on me": the
# proposal's Art. 25 "keep a copy" came first). On tune: 4 questions' first right clause ranked
# higher, none lower; 9 answers lost a citation of the off-topic act.
AI_TERMS = re.compile(
    r"\b(AI|A\.I\.|artificial intelligence|algorithm\w*|machine learning|(language|foundation|general[- ]purpose) models?|"
    r"GPAI|high[- ]risk|biometric\w*|(face|facial|emotion) recognition|(scan\w*|recogni[sz]\w*|search\w*|match\w*)( \S+){0,2} faces?|face (search|scan|match)\w*|remote identification|(chat ?)?bots?|deep ?fakes?|"
    r"conformity|notified bod\w*|CE marking|sandbox\w*|social scor\w*|software|systems?|robot\w*|automat\w*|"
    # a machine as the one acting ("a computer decides", "a real person or a computer"), not where data
    # are kept ("does the gdpr only apply to data on computers?")
    r"(a|an|the|some) (computer|machine)( program)?s?|"
    r"providers?|deployers?|importers?|distributors?|market surveillance|post-market|harmonised standards?|"
    r"proposal|draft|commission|annex\w*)\b", re.IGNORECASE)
# An annex named ("Annex II", as another language's "allegato II" reads in English): the GDPR has
# none, so an annex is one of the AI acts' (English reads "annex" in AI_TERMS).
NAMED_ANNEX = re.compile(r"\bannex(es)?\s+[IVXLC]+\b", re.IGNORECASE)
_CRITIC_WORDS = (r"commentators?|critics?|criticis\w*|criticiz\w*"
                 # stakeholders by kind, and a claim asked whether disputed (not "consumer groups" or NGOs
                 # that complain for a person, GDPR Art. 80, nor data "disputed" with a controller, Art. 18)
                 r"|industry (groups?|associations?|representatives|lobby\w*)|consumer (organi[sz]ations?|associations?)"
                 r"|think[- ]?tanks?|lobby(ists?|ing| groups?)|business (groups?|associations?)"
                 r"|(was|were|is) (it|that|this|the \w+) (disputed|contested|challenged)")
# Asking what commentators, watchdogs, the impact assessment or the press said, wanted or criticised.
OPINION_TERMS = re.compile(
    rf"\b({_CRITIC_WORDS}|stakeholders?|opinions?|"
    r"(?<!\bmy )(?<!\bour )(?<!\ba )news(?! ?(sites?|websites?|outlets?|apps?|feeds?|portals?|publishers?|media|agenc\w+|articles? i))|reported|(the|a) leak|leak(ed|s)? (draft|version|text|document|proposal|regulation|ai act|act|copy)|briefing|what did (they|the \w+( \w+)?) (think|want|say|recommend)|"
    r"did (they|the \w+( \w+)?) (think|want|say|recommend|propose|suggest|expect))\b", re.IGNORECASE)
# Critics of the texts, as distinct from what a text itself says ("what did the draft say" asks for the
# commentary weights above, not for a commentary beside two acts compared).
CRITICS = re.compile(rf"\b({_CRITIC_WORDS}|academics?|scholars?|civil society|"
                     r"experts? (said|say|argued|warned|complained))\b", re.IGNORECASE)
RECITAL_TERMS = re.compile(r"\b(recitals?|why|reason\w*|rationale|justif\w*|purpose of)\b", re.IGNORECASE)
MEMORANDUM_TERMS = re.compile(r"\b(consultation|policy options?|legal basis|subsidiarity|proportionality)\b",
                              re.IGNORECASE)
MEMORANDUM = re.compile(r"\b(explanatory memo(randum)?|memorandum)\b", re.IGNORECASE)
# When an act applies, and the rest of its final provisions.
APPLICATION_TERMS = re.compile(
    r"\b(enter\w* into force|in force|apply from|applies from|application date|dates? of application|start(s|ing)? to apply|"
    r"start(s|ed|ing)? applying|kick(s|ed|ing)? in|take(s|n)? effect|come into effect|become applicable|"
    r"(when|(from )?(what|which) date|from when|as of when) (does|do|will|would|did) .{0,60}\b(apply|applied|start|begin))\b",
    re.IGNORECASE)
FINAL_PROVISION_TERMS = re.compile(
    r"\b(amend\w*|repeal\w*|transitional|evaluation and review|delegated acts?|committee procedure|final provisions)\b",
    re.IGNORECASE)
# "Fine" the noun or verb, not the adjective ("if a customer says it's fine", "is that fine?", "we're
# fine with it") nor "fine-tune" or "the fine print": read as fines, they put the fine tiers above a
# transfer question's own article. corpus/glossary.json's fines entry uses it ('{fine}'). Each form
# whole words: "fines|fined" unbounded read "how is X defined?" as a question on fines (4 tune
# definition questions were given a fine tier to quote).
FINE_NOUN = r"(?:\bfines\b|(?<!\bis )(?<!'s )(?<!\bits )(?<!\bbe )(?<!\bam )(?<!'m )(?<!\bare )(?<!'re )(?<!\bwas )" \
       r"(?<!\bwere )(?<!\bseems )(?<!\bsounds )(?<!\blooks )(?<!\bfeels )(?<!\bthat )(?<!\bthis )(?<!\ball )" \
       r"(?<!\btotally )(?<!\bperfectly )(?<!\bjust )(?<!\bquite )\bfine\b(?![- ]?tun|-grain|[- ]print| with\b))"
FINE = rf"(?:\bfined\b|{FINE_NOUN})"
# Asks what breaking a rule costs ("and what's the fine if we don't?"): answered by the fine tier
# that names the rule's article (``penalties``).
PENALTY_TERMS = re.compile(rf"\b(?:penalt(y|ies)|sanctions?|sanctioned)\b|{FINE}", re.IGNORECASE)
# The penalty rules named as such ("by when must states notify their penalty rules?", "from when do
# the rules on penalties apply?") are the penalties article asked about, not the cost of breaking
# another rule: no fine tier is added for whatever rule ranks next (tune: 2 questions, both about the
# penalties articles; one of them was given Art. 71(4), the tier of a market surveillance article).
PENALTY_RULES = re.compile(r"\b(penalty|sanction|fines?) (rules?|regimes?|provisions?)\b|"
                           r"\brules (on|for|about) (penalties|sanctions|fines)\b", re.IGNORECASE)
# "Where did article 60 end up?" asks what became of a provision; "it could end up feeding its bias
# back" says what a system may do (an -ing word follows): no comparison, no fate.
ENDED_UP = r"end(ed)? up\b(?! \w+ing\b)"
COMPARES = re.compile(r"\b(compare\w*|comparison|vs\.?|versus|differ\w*|difference|changed?|changes|"
                      rf"same as|what became of|{ENDED_UP}|still (banned|there|in)|renamed|called now)\b", re.IGNORECASE)
# The verbs that follow a "when" asking for a time.
AUXILIARY = r"does|do|did|is|are|was|were|will|would|shall|should|must|can|could|may|might|has|have|had|exactly"
# What the question asks for, tried in this order; the first that fits decides.
ASKS: list[tuple[str, re.Pattern]] = [
    ("comparison", COMPARES),
    ("definition", re.compile(r"\b(defin\w+|meaning of|what counts as|what does .{1,40} mean|who counts as)\b"
                              r"|^\s*+(what|who)(?:'s| is| are) (an? |the )?['‘\"]?[\w -]{1,40}+['’\"]?\s*+\??\s*+$",
                              re.IGNORECASE)),
    # "list" as a verb or a whole list; not the noun in "is that on the high-risk list?", "our client list"
    ("list", re.compile(r"\b((complete|full|whole|entire) list|list (all|every|each|the|them|it|out|everything|what|which)|"
                        r"listed|listing|enumerat\w*|all( of)? the|name (all|the|every)|every one of)\b|(?:^|[.?!:]\s*+)list\b"
                        r"|\bwhat (must|should|does|do|has to|have to)\b.{0,60}\b(contain|include|cover|consist)"
                        # what a document's contents are ("what has to be in our contract with them?", "what goes in it?")
                        r"|\bwhat (goes|go|has to go|must go|should go|needs to go|has to be|have to be|must be|should be|"
                        r"needs to be|need to be) (in|into|inside|included|covered|written|stated|set out)\b"
                        # "at a minimum" bounds what a list must hold, not an amount ("what must the logs record
                        # at a minimum?"): 6 of the 8 tune questions with it (6 batches) had been read as asking
                        # a figure; all key facts +1 -0 (tune37's quality management system), no other moved
                        r"|\b(at (a|the)|as a) minimum\b",
                        re.IGNORECASE)),
    # What is weighed in a decision is a list even when the decision is about an amount ("what
    # factors set the fine"): the criteria, not the ceiling.
    ("list", re.compile(r"\b(factors|criteria|take[ns]? into (account|consideration)|weigh(ed|s)?)\b", re.IGNORECASE)),
    ("figure", re.compile(r"\b(how (much|many(?! (hours|days|weeks|months|years))|big|high)|maximum|max|minimum|amount|percent\w*|turnover|"
                          rf"thresholds?)\b|%|{FINE_NOUN}", re.IGNORECASE)),
    # "How often" asks for a period as "how long" does (the composer's TIME reads "once a year").
    # "When" asks for a time at the head of a question when a verb follows ("when does it apply?",
    # "when's the deadline", "by when ...", after an opening "ok, so" unless a modal follows: "ok and
    # when can they say no?" asks in which cases); followed by its subject, or inside a question, it
    # states a condition ("when i chat with customer support online, do they have to say ...",
    # "who supervises agencies when they use AI?").
    ("deadline", re.compile(rf"^\s*+when(?=['’]s\b|\s+({AUXILIARY})\b)|^\s*+((ok\w*|so|and|but|right|alright|then|also)\W+)+when\b"
                            r"(?!\s+(can|may|could|might|must|should)\b)|\b(by|until|from|since|as of) when\b"
                            r"|\b(how (long|soon|quickly|often|frequently)|deadlines?|within|hours|days|weeks|months|years|dates?(?! of birth))\b",
                            re.IGNORECASE)),
    ("list", re.compile(r"\b(which (\w+ )?(practices|systems|areas|rights|obligations|requirements|conditions|"
                        r"exceptions|cases|criteria|grounds|duties|items|categories|principles|measures|elements|"
                        r"uses|types|kinds)|what (are|were) the \w+s)\b"
                        r"|(?:^|[-–—:;?!.] )\s*+(what|which|who)\b.{0,80}\b(tasks|duties|obligations|requirements|conditions|safeguards|"
                        r"exceptions|criteria|factors|elements|grounds|steps|measures|areas|practices|situations|"
                        r"circumstances|powers)\b", re.IGNORECASE)),
    # At the head of the question or of its last sentences ("We keep CVs for 5 years. Is that OK?").
    # at the head of a sentence, or of its main clause after an opening phrase ("with the act that
    # got adopted, do i have to say so ...?")
    ("yes_no", re.compile(r"(?:^|[.?!] |, )\s*+(is|are|am|can|could|do|does|did|must|may|might|should|will|would|has|have)\b",
                          re.IGNORECASE)),
    ("provision", re.compile(r"\b(what does|what do|show|quote|read|text of|say|says|wording)\b", re.IGNORECASE)),
]
# Words that make "what changed" a comparison of two texts rather than a question about one.
VERSION_WORDS = re.compile(r"\b(final|2024|adopted|enacted|draft|proposal|proposed|2021|gdpr|versions?)\b", re.IGNORECASE)
# Asking what became of a provision of the draft implies the final Act beside the proposal.
FATE = re.compile(rf"\b(what became of|what happened to|{ENDED_UP}|still (banned|prohibited|there|in|required|allowed)|"
                  r"(is|are|was|were) (it|this|that|they) kept|called now|(is|are|was|were) (\w+ )?called|renamed|survived?|made it into|"
                  r"(both|the two|each|either) versions)\b", re.IGNORECASE)
# Words that ask what changed between the versions while naming only one ("how did the definition
# change? the 2021 one ...", "was it any different in the proposal?", "the same list in both
# versions?"): the other version is meant beside it. Not "change" as a verb about the content
# ("can a user change the intended purpose?") nor "the difference between X and Y". "Go up/down"
# only beside a version ("did the top fine go up in the final Regulation?"), not as what a server
# does ("the shop's servers went down"; it was a fate word, read with no version named).
CHANGED = re.compile(r"\b((did|has|have|had|was|were) (\S+ ){0,6}?chang(e|ed)\b|what(['’]s| has| have)? changed|"
                     r"chang(e|ed|es) (from|between|since)|any (changes?|differences?) (in|from|between|to)|"
                     r"(any|much|very|so|really) different|differ(s|ed)? (in|from|under)|different (in|from|under)|"
                     r"the same (as|in|under)|(go|goes|went|gone) (up|down))\b", re.IGNORECASE)
# Words that measure the final Act named alone against its ancestor ("did digital infrastructure
# get added in the final version?", "which criteria are new in the final AI Act?", "did the list get
# longer in the adopted text?", "is it faster for banned practices in the final act?", "did the final
# text add conditions?"). Not "higher"/"lower": "does the cap work as the higher or the lower of the
# amounts?" asks about the final Act alone. Tune: the comparatives and "did ... add" fire on 2
# questions, both proposal-vs-final that were not compared before.
GREW = re.compile(r"\b(added|removed|dropped|deleted|new (in|to|under|with)|(is|are|was|were) new|grow|grew|grown|shr[iau]nk|"
                  r"(longer|shorter|wider|broader|narrower|stricter|looser|softer|tougher|faster|slower|quicker|sooner|"
                  r"earlier)|(did|does|do) (the |it |they )?(\w+ ){0,3}add|"
                  r"soften(ed)?|tighten(ed)?|loosen(ed)?|widen(ed)?|expand(ed)?)\b", re.IGNORECASE)
# "draft vs final", "proposal and final": "final" alone names the final Act beside the proposal.
PAIRED_FINAL = re.compile(r"\b(draft|proposal|2021)\s*+(vs\.?|versus|v\.?|and|or|to|/|->|→)\s*+(the\s++)?final\b|"
                          r"\bfinal\s*+(vs\.?|versus|v\.?|and|or|/)\s*+(the\s++)?(draft|proposal|2021)\b", re.IGNORECASE)
# A case set against the answer before: "different if the offender is ...", "the same cap apply to us"
CASE_ASKED = re.compile(r"\b(any |much |very |really )?differ\w*\s+(if|for|when|where|in case|with)\b"
                        r"|\b(same|different) (\w+ )?(appl\w+|count\w*|work\w*) (to|for) (us|me|them|him|her|it|a|an|small\w*)\b",
                        re.IGNORECASE)
# A change asked of what the question said, with no version named ("... do they have to stop using it?
# did that change?"): in a question on the AI acts, a change between the versions.
CHANGED_SINCE = re.compile(r"\b(did|has|have) (that|this|it|anything|any of (that|this|it)|those|these) (really |actually )?"
                           r"chang(e|ed)\b"
                           # ... or of a rule the question names: "did the social scoring ban change?" (not
                           # "has the system been changed", a change the question describes)
                           r"|\b(did|has|have) (the|its|their) ((?!been\b)\S+ ){1,4}chang(e|ed)\?", re.IGNORECASE)
# "Still" or "now" asked of a rule, with no version named: whether the draft's rule is the Act's today.
STILL_OR_NOW = re.compile(r"\b(is|are|was) (that|this|it|they|there)? ?(\w+ ){0,3}still\b|\bstill (the|only|left|made|a|an|in|on)\b"
                          # "does the four-eyes rule ... still apply?", "does that still exist?"
                          r"|\b(does|do)\b[^?.!]*?\bstill (apply|exist)\b"
                          r"|\b(now|these days|nowadays)\s*+\?", re.IGNORECASE)
# Words that set the present against one version named alone: asked of the draft ("is there still
# a duty to ..., like in the 2021 draft?") they ask about the Act as adopted; asked of the final Act
# ("does the final act still treat ... as high-risk?"), whether the draft's rule survived.
NOW = re.compile(r"\b(still|now|nowadays|anymore|no longer)\b", re.IGNORECASE)
# The draft's content told in the past tense ("the draft's user duties only said ...", "the proposal
# just put that on the list") sets it against the Act that followed.
DRAFT_PAST = re.compile(r"\b(draft|proposal)(['’]s( \w+){1,2})? (only |just |merely |originally )?"
                        r"(said|had|wanted|required|talked|put|allowed|gave|listed|covered|banned|called|set|asked)\b",
                        re.IGNORECASE)
# The draft referred to without its name, in a question naming the final Act ("was that filter
# there from the start?", "was the delegation framed the same way originally?"), or the draft named
# with words that set it against what followed ("has anything been added since the Commission's
# proposal?", "was that already in the Commission's original Annex III?"): the two versions are
# compared. Tune: 2 questions each.
ORIGINALLY = re.compile(r"\b(original(ly)?|initially|at first|from the (start|outset|beginning)|to begin with)\b", re.IGNORECASE)
_SINCE = r"since (the |that |then|20\d\d)|back then|at the time"
SINCE = re.compile(rf"\b({_SINCE})\b", re.IGNORECASE)
SINCE_OR_ALREADY = re.compile(rf"\b({_SINCE}|already (in|part of|on|listed in|covered by) (the|its|that))\b", re.IGNORECASE)
# A question asked in the present ("from when do the bans apply?", "do authorities have to report
# ...?") beside a sentence naming the draft in the past or in no tense of its own ("in the 2021 draft
# the regulation applied 24 months after ...", "how did the 2021 text word it?", "same in the
# proposal?") asks about the Act now, against the draft.
# The tense is read from the finite verbs: "prohibited" or "required" is an adjective as often as a
# past tense in a question about the present, so only did/was/were/had/would count there; in the
# draft's sentence a past participle after no form of "be" counts too ("the proposal said", "applied").
# Tune: fires on 15 questions, all proposal-vs-final (3 of them compared by no other rule).
PRESENT = re.compile(r"\b(do|does|is|are|can|must|may|has|have|will|shall|needs?)\b", re.IGNORECASE)
FINITE_PAST = re.compile(r"\b(did|was|were|had|would)\b", re.IGNORECASE)
TOLD_IN_PAST = re.compile(r"\b(did|was|were|had|used to)\b|(?<!\bis )(?<!\bare )(?<!\bbe )(?<!\bbeen )(?<!\bbeing )"
                          r"\b[a-z]{3,}ed\b|\b(said|put|set|gave|wrote|meant)\b", re.IGNORECASE)


# Where a sentence turns from one version to the other: "..., or was it ...", "..., compared to ...",
# "X - what ...", "...; ...". Not "..., or can they ...?", the other half of one question (tune: "under
# the draft, does it need a notified body, or can they self-assess?" asks of the draft alone).
_CLAUSE_END = re.compile(r",\s*+(?=(?:or (?:was|were|did|had|would)|compared (?:to|with)|unlike|whereas|while)\b)"
                         r"|\s++[-–—]\s++|;\s*+")


def draft_set_against_now(question: str, ignoring: tuple[str, ...] = (), finite: bool = False) -> bool:
    """Whether the question names the proposal only in clauses told in the past (or with no verb of
    their own; with ``finite``, only in clauses with a finite past: "had", "did") while another of its
    clauses, naming no document, asks in the present; the documents ``ignoring`` names do not count
    as named."""
    def named(sentence: str) -> list[str]:
        return [d for d in mentioned_documents(sentence) if d not in ignoring]

    clauses = _clauses(question)
    draft = [c for c, _ in clauses if named(c) == [PROPOSAL]]
    now = [c for c, asked in clauses if asked and not named(c) and _in_present(c)]
    def told(sentence: str) -> bool:
        if finite:
            return bool(FINITE_PAST.search(sentence))
        return bool(TOLD_IN_PAST.search(sentence) or not PRESENT.search(sentence))

    return bool(draft and now) and all(told(s) for s in draft)


def _clauses(question: str) -> list[tuple[str, bool]]:
    """(clause, whether its sentence asks), clause by clause: "do they have to register too, or was it
    only providers in the draft?", "what must they check, compared to what the 2021 text required?")."""
    return [(c, s.rstrip().endswith("?")) for s in sentences(question) if s.strip()
            for c in _CLAUSE_END.split(s) if c.strip()]


def _in_present(clause: str) -> bool:
    return bool(PRESENT.search(clause) and not FINITE_PAST.search(clause))


# The draft told by its version words rather than its name ("the commission proposed", "the version i
# read in 2021"): what sets it against "the AI act" asked in the present.
DRAFT_SIDE = re.compile(r"\b(draft|proposal|proposed|2021)\b", re.IGNORECASE)


def generic_act_against_draft(question: str) -> bool:
    """Whether "the AI act", named in a clause asked in the present with no version word, is set
    against the draft told in the past by its version words in another ("the commission proposed that
    the regulation would apply 24 months after entry into force. when does the ai act actually apply?",
    "... the version i read in 2021 just said a number of months ..."): the Act now, against the draft."""
    clauses = _clauses(question)
    draft = [c for c, _ in clauses if DRAFT_SIDE.search(c) and not GENERIC_AI_ACT.search(c)]
    now = [c for c, asked in clauses if asked and GENERIC_AI_ACT.search(c) and not VERSION_WORDS.search(c)
           and _in_present(c)]
    return bool(draft and now) and all(TOLD_IN_PAST.search(c) for c in draft)


# Asking whether a use is high-risk or banned: the answer is a point of the list that says what is
# (a yes/no question, or "does that count as high risk"), whatever words the question has for the use.
# Not for a comparison of the versions: the aligned pair answers it (tune: 4 comparisons more with all
# key facts, none fewer, than with each version's nearest point added).
# The class word as a predicate, not inside a noun phrase ("the fines for prohibited practices",
# "providers of high-risk systems" ask about the class, not whether a use is in it).
_NOT_A_PREDICATE = "".join(rf"(?<!\b{w} )" for w in ("of", "for", "on", "to", "the", "with", "by", "from", "about"))
# Each class's own words: what a question asks a use to be.
_BANNED = r"ban(ned|s)?|prohibit\w*|forbid\w*|outlaw\w*|illegal"
_RISKY = r"high[- ]?risk|risky"
_DANGEROUS = r"dangerous|high[- ]stakes"
CLASSIFIES: list[tuple[Classification, re.Pattern]] = [
    # ... and asked in everyday words whether it may be done at all ("is that allowed?", "is it even legal?")
    ("prohibited", re.compile(_NOT_A_PREDICATE + rf"\b({_BANNED}|allowed|permitted|"
                              r"legal(?!\s+(basis|bases|obligations?|claims?|advice|persons?|entit\w*|requirements?|acts?|"
                              r"framework|grounds?|effects?|remed\w*|proceedings?)))\b"
                              # ... or whether someone else may put a system to a use ("can the police run
                              # live face recognition on ...?"), not what I, we or you may do
                              r"|\b(can|could|may)\s+(?!(i|we|you)\b)(\w+\s+){1,3}?(just\s+|legally\s+|actually\s+|even\s+)?"
                              r"(use|run|point|put|install|scan|track|monitor|film|record|watch|deploy|switch|turn)\b", re.IGNORECASE)),
    # "a high-risk system" names the class ("we use a high-risk AI system ..."), "is it a high-risk use?" asks it
    # ... or in everyday words ("does the eu treat that kind of program as dangerous?"), not the
    # dangerous stunts a toy eggs kids on to
    ("high-risk", re.compile(_NOT_A_PREDICATE + rf"(?<!\ba )(?<!\ban )\b({_RISKY})\b"
                             rf"|\b(is|are|be)\b(\s+\w+){{0,2}}\s+an?\s+({_RISKY})\b"
                             rf"|\bas\s+(\w+\s+)?({_DANGEROUS})\b", re.IGNORECASE)),
]
# The class named as what is asked ("is it banned?", "is that high-risk?"), not whether a use is
# allowed ("is it allowed?", "can the police use ...?"): only then does "Yes." say the use is in the
# list; to the others the same list item means no, or only by way of its exceptions.
NAMES_CLASS = re.compile(rf"\b({_BANNED}|{_RISKY}|{_DANGEROUS})\b", re.IGNORECASE)
# The list that says what falls under each class, at the same reference in both versions of the
# AI Act: the high-risk uses (Annex III, to which Art. 6(2) refers), the prohibited practices (Art. 5(1)).
CLASS_LISTS: dict[Classification, str] = {"high-risk": "Annex III", "prohibited": "Art. 5(1)"}
CLASSIFIED_DOCUMENTS = (PROPOSAL, FINAL_ACT)
CLASSED_AS = re.compile(r"\b(count(s|ed)?( it| that| this| them)?|considered|treated|seen|classed|classified|qualif\w*|regarded|deemed) as\b",
                        re.IGNORECASE)
# The AI Act named without saying which version ("does the eu ai act cover that?").
GENERIC_AI_ACT = re.compile(r"\b(?:eu |eu's |european |the )?(?:ai|artificial intelligence) (?:act|law|regulation)\b",
                            re.IGNORECASE)
# What the AI acts regulate and the GDPR does not name: beside the GDPR named alone, a question on
# them asks about the draft too ("can an AI provider use ethnicity data to test its model for bias,
# given that GDPR generally prohibits ...?", "... train a public-health AI inside an AI regulatory
# sandbox, given the GDPR's purpose limitation principle?"). Not the words the GDPR shares
# ("automated", "algorithm", "system", "high risk"): tune, of the 27 single questions naming the
# GDPR alone with a word of AI_TERMS, the 8 with one of these expect an AI act as well, the 17
# with none of them the GDPR alone. 3 plans changed (the others say "the AI act"): 2 answers now
# quote both acts (citation recall 0.5 -> 1.0), one of them with all its key facts (+1 -0).
AI_NOTIONS = re.compile(r"\b(?:AI|A\.I\.|artificial intelligence|GPAI|sandbox(?:es)?|deep ?fakes?|notified bod(?:y|ies)|"
                        r"CE marking|conformity assessments?)\b", re.IGNORECASE)
# Questions about an act as a whole: its subject matter and scope answer them. A summary of the act,
# not any summary ("a copy of my data or just a summary?"); the act's purpose, not any ("the purpose
# limitation principle", "a new purpose", "the intended purpose", "general purpose AI").
_AN_ACT = r"the ([\w'’]+ ){0,3}(act|regulation|gdpr|proposal|draft|law|rules)"
GENERAL = re.compile(r"\b(what is (it|the (regulation|proposal|act|gdpr|draft)) about|what does (it|the \w+( \w+)?) "
                     r"(cover|regulate|apply to|do)|(its|their|the (\w+ ){0,3}(act|regulation|gdpr|proposal|draft|law)['’]s) purpose(?! limitation)|"
                     r"purpose of (it|this|that|the (\w+ ){0,3}(act|regulation|gdpr|proposal|draft|law))\b|"
                     r"what is the purpose\s*+\?|aims?|objectives?|scope|who does (it|the \w+) apply to|"
                     r"overview|lays? down|summar(ise|ize)|summary of (it|the \w+)|who (has|have|needs?|must) to (follow|comply|obey)|"
                     r"(gdpr|regulation|act|proposal|draft|law) (also |even |really |actually )?(does not |doesn't |not )?"
                     r"(apply|applies|cover|covers|protect|protects)|"
                     r"(gdpr|regulation|act|proposal|draft|it) (actually |really )?(there|meant|supposed|intended|designed) to|"
                     # what an act is for and whom it covers, in everyday words ("whats the point of the
                     # proposal", "what is the gdpr actually for?", "who exactly is covered by the 2024 AI
                     # Act?"). Tune: fires on 4 questions, all general; all key facts +3 -0
                     rf"point of {_AN_ACT}|what is {_AN_ACT} (actually |really )?(good )?for|"
                     # "in a nutshell, what does the Commission's AI act proposal actually regulate?" (tune:
                     # 2 questions of 2 batches)
                     rf"what does {_AN_ACT} (actually |really )?(cover|regulate)|"
                     rf"(who|what)( \w+)? (is|are|gets?) (exactly |actually |really )?covered by {_AN_ACT})\b",
                     re.IGNORECASE)


# What an act is for, of a question on the act as a whole (``general``): its stated purpose answers it
# (Retriever.purpose_statements: the draft's Recital 1, whose Art. 1 lists what it lays down). Tune (the
# 90 general questions): all key facts +2 -0 (tune50's and the blind tune68's purpose of the proposal),
# no other answer changed; read on every general question it also cited Recital 1 for 32 scope questions.
PURPOSE_TERMS = re.compile(r"\b(purpose|aims?|objectives?|goals?|point of|(meant|supposed|intended|designed) to|"
                           r"what is (\w+ ){0,5}(good )?for)\b", re.IGNORECASE)


def cue(name: str, english: re.Pattern | None, text: str, language: str = "en") -> bool:
    """Whether ``text`` has the cue ``name``: its English pattern (the rules above, which also read
    the references and document names of another language's question, rewritten into English),
    or, for a question in another language, the words its locale authors for the cue (``plan`` in
    ``assistant/locales/<lang>.json``: "est-ce que", "gilt als", "entrada en vigor", ...)."""
    if english is not None and english.search(text):
        return True
    own = words(language, "plan", name) if language != "en" else None
    return bool(own and own.search(text))


# Split after each sentence end; not findall(r"[^.?!]*\?"), which rescans the rest of a text without "?"
# from every position (0.13 s on 2,000 spaces: tests/test_hardening.py).
_SENTENCE_END = re.compile(r"(?<=[.?!])")


def asks_yes_or_no(text: str, language: str) -> bool:
    """A yes/no question in another language: a cue of its locale ("est-ce que", Polish "czy"), or
    a sentence asked ("...?") with none of the language's question words: German and Dutch put the
    verb first, French, Spanish, Italian and Portuguese often keep the word order of a statement
    ("la calificación crediticia es de alto riesgo?"), and none of them has English's auxiliaries."""
    if cue("yes_no", None, text, language):
        return True
    asking = words(language, "plan", "question_words")
    return bool(asking) and any(not asking.search(s) for s in sentences(text) if s.endswith("?"))


def answered_from(history) -> str | None:
    """The document the conversation's last answer quoted first (None for no answer or one without
    citations, as a chat UI's plain-text history)."""
    cited = getattr(history[-1][1], "citations", None) if history else None
    return cited[0].doc if cited else None


def conversation_context(question: str, history) -> tuple[bool, str]:
    """(is a follow-up, what it leans on): the earlier questions and the provisions their
    answers cited ("and what are the fines for that?" after a question answered by Art. 5)."""
    if not history:
        return False, ""
    self_contained = find_references(question) or (mentioned_documents(question) and len(question.split()) > 8)
    if self_contained and not FOLLOW_UP.search(question):
        return False, ""
    parts = []
    for earlier, answer in history[-2:]:
        parts.append(earlier)
        cited = getattr(answer, "citations", None) or []
        for citation in cited[:2]:
            parts.append(human_ref(top_level(citation.ref)))
    return True, " ".join(parts)


def in_gdpr_words(question: str, language: str = "en") -> bool:
    """Whether the question uses the GDPR's vocabulary, in English or, for a question in another
    language, in that language too (``gdpr_terms`` of its locale)."""
    own = words(language, "gdpr_terms") if language != "en" else None
    return bool(GDPR_TERMS.search(question) or (own and own.search(question)))


@lru_cache(maxsize=4)
def document_parts(library) -> dict[str, tuple[str, ...]]:
    """The other parts of each document published in parts (one official document number), read
    once per library."""
    number = {d.id: (d.source.official_identifier or {}).get("document") for d in library}
    parts = {doc: tuple(other for other, n in number.items() if other != doc and n == own)
             for doc, own in number.items() if own}
    return {doc: others for doc, others in parts.items() if others}


def document_weights(question: str, kinds: dict[str, str], documents: list[str] | None,
                     tuning: Tuning = DEFAULT, language: str = "en") -> dict[str, float]:
    """Which documents to search and how much each counts. A question that names no version
    means the proposal: the final act, whose clauses are near-verbatim twins of the proposal's,
    is searched only when named. The GDPR's vocabulary is read in English and, for a question
    in another language, in that language (``gdpr_terms`` of its locale); an English question
    without the AI acts' words is about the GDPR too."""
    if documents:
        return {d: 1.0 for d in documents}
    opinion = cue("opinion", OPINION_TERMS, question, language)
    named = mentioned_documents(question)
    if MEMORANDUM.search(question) and PROPOSAL not in named:
        named.append(PROPOSAL)
    if named:
        weights = {d: 1.0 for d in named}
        if all(kinds.get(d) == "commentary" for d in named):
            weights[PROPOSAL] = tuning.commentary_named_proposal
        elif opinion:
            for d, kind in kinds.items():
                if kind == "commentary":
                    weights.setdefault(d, tuning.opinion_weight)
        if FINAL_ACT in named and PROPOSAL not in named:
            weights[PROPOSAL] = tuning.final_with_proposal
        return weights
    commentary = tuning.opinion_weight if opinion else tuning.commentary_weight
    weights = {d: (commentary if kind == "commentary" else 1.0) for d, kind in kinds.items()}
    gdpr = in_gdpr_words(question, language)
    # ... in another language, the same rule with its locale's words for the AI acts' notions
    # ("ai_terms" of ``plan``); translated tune questions: bench/multilingual.md, issue 15.
    gdpr = gdpr or not (AI_TERMS.search(question) if language == "en"
                        else cue("ai_terms", None, question, language) or NAMED_ANNEX.search(question))
    weights["gdpr"] = 1.0 if gdpr else tuning.off_topic_act
    weights[PROPOSAL] = tuning.off_topic_act if gdpr else 1.0
    weights.pop(FINAL_ACT, None)
    return weights


def compared_documents(text: str, weights: dict[str, float], documents: list[str] | None,
                       language: str = "en") -> list[str]:
    """Two or more documents the text names (within the filter), or the final act named alone in
    words that compare (compared with the proposal it grew from). A question only about the final
    act ("what must GPAI providers do under the final act?") is not a comparison: the proposal
    has nothing on it, and its side would crowd the answer."""
    named = [d for d in mentioned_documents(text) if not documents or d in documents]
    if named == [FINAL_ACT] and PROPOSAL in weights and (
            cue("compares", COMPARES, text, language) or cue("fate", FATE, text, language) or cue("now", NOW, text, language)
            or CHANGED.search(text) or GREW.search(text) or ORIGINALLY.search(text)):
        return [FINAL_ACT, PROPOSAL]
    return named if len(named) > 1 else []


def nearer_in_words(asked: set[str], ref: str, library, candidates: list[str], margin: int,
                    words_of: dict) -> list[str]:
    """The candidates with the act whose clause of that number shares clearly more of the question's
    words (``asked``, its tokens) first: a bare "Art 22" in "can an automated decision be based on
    health data under Art 22?" is the GDPR's (automated individual decision-making), not the draft's
    (duty of information), though the question has none of the GDPR's own terms (``margin``:
    tuning.other_act_margin). Only the draft and the GDPR are weighed: the adopted Act is read only
    where named. ``words_of`` keeps each clause's tokens for the question's other references."""
    def shared(doc: str) -> int:
        if (doc, ref) not in words_of:
            clause = library.find(doc, ref)
            words_of[doc, ref] = None if clause is None else set(tokenize(" ".join([clause.heading_path[-1], clause.text])))
        own = words_of[doc, ref]
        return -1 if own is None else len((asked - set(tokenize(ref))) & own)

    first = candidates[0]
    other = next((d for d in (PROPOSAL, "gdpr") if d != first), None)
    own = shared(first) if first in (PROPOSAL, "gdpr") else -1
    if own >= 0 and other and shared(other) >= own + margin:  # both acts have it: "no Article 86" stays the draft's
        return [other, *(d for d in candidates if d != other)]
    return candidates


def named_clauses(question: str, library, documents: list[str] | None,
                  max_messages: int, language: str = "en", unnamed: str = PROPOSAL, margin: int = DEFAULT.other_act_margin,
                  ) -> tuple[list[NamedClause], list[str], list[str]]:
    """(clauses the question names that exist, messages in ``language`` for those that do not,
    whether it names an article of an instrument outside the corpus). A reference that names no document
    belongs to the document the question names otherwise (or the filter's first); when that
    name already belongs to another reference ("Recital 72 ... Article 6(4) GDPR"), to the proposal;
    in a question that names none, to ``unnamed``, the act its words are about."""
    named_docs = mentioned_documents(question)
    references = find_references(question)
    external = list(dict.fromkeys(f"{r.ref} {r.external}" for r in references if r.external))
    references = [r for r in references if not r.external]
    claimed = {r.doc for r in references if r.doc}
    unclaimed = [d for d in named_docs if d not in claimed]
    default = (documents or unclaimed or ([] if claimed else named_docs) or [PROPOSAL if named_docs else unnamed])[0]
    found: list[NamedClause] = []
    missing: list[str] = []
    mentions = document_mentions(question)
    asked, words_of = None, {}  # the question's tokens and each clause's, read once (nearer_in_words)
    for reference in references:
        if described_by(question, reference):
            continue
        # A bare reference belongs to the document its own sentence named last before it ("... under
        # the final act? the draft had this in art 52": the draft's Art. 52), else to the default.
        sentence = max(question.rfind(mark, 0, reference.start) for mark in ".?!;") + 1
        near = [doc for start, _, doc in mentions if sentence <= start < reference.start]
        candidates = [reference.doc] if reference.doc else (near[-1:] + [default, PROPOSAL] + named_docs)
        if not (reference.doc or near or named_docs or documents):
            asked = set(tokenize(question)) if asked is None else asked
            candidates = nearer_in_words(asked, reference.ref, library, candidates, margin, words_of)
        candidates = [d for d in dict.fromkeys(candidates) if not documents or d in documents] or [default]
        clause = next((c for d in candidates if (c := library.find(d, reference.ref))), None)
        if clause is not None:
            key = NamedClause(clause.doc, clause.ref)
            if key not in found:
                found.append(key)
            continue
        document = library.documents.get(candidates[0])
        if document is not None:
            message = missing_message(document, reference.ref, language)
            if message not in missing:
                missing.append(message)
    if len(missing) > max_messages:
        extra = len(missing) - max_messages
        missing = missing[:max_messages] + [t("nonexistent_more", language, count=extra)]
    return found, missing, external


# An annex named to say what kind of system is meant ("a system listed in annex III", "an annex iii
# system", "every Annex III use case", "falls in an Annex III area", "the techniques in Annex I"): the
# question asks about a rule for those systems, not for the list. Tune: 5 questions name one so,
# none of them expects the annex (use cases and areas: 2 more, in other batches, facts +2 -0).
_KIND_BEFORE = re.compile(r"\b(systems?|techniques?|approaches?|products?)"
                          r"\s+((listed|referred to|set out|mentioned|named|included)\s+)?(in|under|on)\s+(the\s+)?$"
                          r"|\bfalls?\s+(in|into|under|within)\s+(an?\s+)?$", re.IGNORECASE)
# ... before "systems", "use cases" or "areas": a determiner ("an annex iii system") or a preposition
# ("which route applies to Annex III high-risk systems?", "is there a derogation for Annex III
# systems?"; tune: 2 questions, neither expects the annex), not "the" ("what are the annex iii areas?")
_DESCRIBING_BEFORE = re.compile(r"\b(an?|every|each|any|to|for|on|by|with|about|under|from)\s+$", re.IGNORECASE)
_KIND_AFTER = re.compile(r"^\s+((high[- ]risk\s+)?(ai\s+)?systems?|use[- ]?cases?|areas?)\b", re.IGNORECASE)


def described_by(question: str, reference) -> bool:
    """Whether the question names this annex only to describe the systems it asks about."""
    if not reference.ref.startswith("Annex") or "(" in reference.ref:
        return False
    before, after = question[:reference.start], question[reference.end:]
    return bool(_KIND_BEFORE.search(before) or (_DESCRIBING_BEFORE.search(before) and _KIND_AFTER.match(after)))


def missing_message(document, ref: str, language: str = "en") -> str:
    """Why a reference names nothing in ``document``, and what exists near it, in ``language``."""
    from .clauses import nearby_message

    shown = ref if len(ref) <= 40 else ref[:40] + "…"
    top = top_level(ref)
    if top in document.clauses and not is_within(ref, top):  # "Art. 52a", "Art. 5 bis"
        return t("nonexistent_lettered", language, name=document.source.short_name, ref=human_ref(shown),
                 article=human_ref(top))
    return nearby_message(document, shown, language)


# A reference's or an abbreviation's full stop ends no statement ("What does Art. 5 say?"), in the
# locales' reference words too ("art. 5 ust. 2", "Art. 5 Abs. 1 Buchst. b", "lit. b", "al. 2"), and
# neither does one followed by a number ("Nr. 44", "ust. 2"): a question on "art. 5 ust. 2" had been
# read from "2 trzeba ..." on.
_ABBREVIATED = re.compile(r"\b(Art|Arts|No|Nr|para|par|p|cf|vs|e\.g|i\.e|etc|Abs|Buchst|ust|pkt|lit|lett|al|apdo)\.$",
                          re.IGNORECASE)
_WORD = re.compile(r"\w+")


def sentences(text: str) -> list[str]:
    """The text's sentences: split after each ".", "?" or "!" that is followed by a space (or ends
    the text) and is not an abbreviation's or followed by a number ("Art. 5", "ust. 2", "source
    code etc. bind ...")."""
    out: list[list[str]] = []  # each sentence's pieces, joined once (no quadratic "+=")
    for piece in _SENTENCE_END.split(text):
        if out and piece and (not piece[:1].isspace() or piece.lstrip()[:1].isdigit()
                              or _ABBREVIATED.search("".join(out[-1][-2:])[-8:])):
            out[-1].append(piece)
        else:
            out.append([piece])
    return ["".join(p) for p in out]


# Where a question turns to another text: a new sentence, or ", and what/how/..." ("how is the authority
# chosen under the draft, and what did the EDPB and EDPS recommend?").
_NEXT_QUESTION = re.compile(r",\s*+(?:and|but)\s++(?=(?:what|how|why|which|who|whom|when|where|did|does|do|is|are|was|were|"
                            r"has|have|can)\b)", re.IGNORECASE)


def sides_apart(question: str, compared: list[str] | tuple[str, ...]) -> bool:
    """Whether each of two or more compared texts is named alone in a part of the question of its own
    ("the proposal still lets police use live facial recognition. what did the EDPB and EDPS say?"), not
    one of them asked about the other ("what criticism of the final act does the EPRS briefing report?")."""
    if len(compared) < 2:
        return False
    parts = [part for sentence in sentences(question) for part in _NEXT_QUESTION.split(sentence)]
    alone = {named[0] for part in parts if len(named := [d for d in mentioned_documents(part) if d in compared]) == 1}
    return alone >= set(compared)


def asked_part(question: str) -> str:
    """The question without the statements that open it, each of which describes the situation asked
    about ("a lending app works out with ai how much money i can borrow. is that one of the risky
    uses?"): sentences of four words or more ended by a full stop or "!" and followed by more; the
    whole question when nothing else is left. Sentence by sentence, not one pattern over the text:
    a lazy pattern searched from every position took 0.5 s on "(1) (1) (1) ..." (tests/test_hardening.py)."""
    pieces = sentences(question)
    start = 0
    for piece, after in zip(pieces, pieces[1:]):
        if not piece.endswith((".", "!")) or not after.strip() or len(_WORD.findall(piece)) < 4:
            break
        start += len(piece)
    return question[start:].lstrip() if start else question


# The AI rules asked about what a stated situation does ("... would the eu ai rules stop that", "is that
# something the eu ai proposal worries about", "what does the eu ai plan say about that").
_AI = re.compile(r"\bai\b", re.IGNORECASE)
_BACK_TO_IT = re.compile(r"\b(that|this|it|them)\b", re.IGNORECASE)
# ... or a machine that decides about people named only in the situation ("the council wants a
# computer to decide who keeps their benefits. are there extra rules on that", "i think a computer is
# sorting the applications. is that kind of tool regulated?"), the rules asked about in words of their
# own. Not what a system does of itself ("an ai that keeps learning from its own answers ... does the
# proposal say anything about that") nor a rule the situation states ("... has to get ai training. is
# that actually a rule?").
_MACHINE = re.compile(r"\b(ai|computers?|software|algorithms?|programs?|machines?)\b", re.IGNORECASE)
_DECIDES = re.compile(r"\b(decid\w*|sort\w*|rank\w*|screen\w*|track\w*|scor\w*|mark\w*|grad\w*|select\w*|"
                      r"judg\w*|assess\w*|flag\w*|monitor\w*|recogni[sz]\w*|pick\w*)\b", re.IGNORECASE)
_RULES = re.compile(r"\b(rules (on|for|about)|regulated|oversight|say anything)\b", re.IGNORECASE)


# ... unless what is asked is a duty ("... do i have to label them as ai?", "do they have to tell us before
# they switch it on?"): then whether the use is listed is not the question. Tune: 10 such questions of 8
# batches had been read as asking whether the use is banned or high-risk.
_DUTY = re.compile(r"\b(have|has|need|needs) to\b|\bmust\b|\b(required|obliged|supposed) to\b", re.IGNORECASE)


def described_use(question: str, asking: str) -> bool:
    """A situation stated, then the AI rules asked about it (``asking``: the question's
    ``asked_part``): whether it is one of the uses they ban or list as high-risk is the question,
    though it names neither class."""
    return (asking != question and bool(_BACK_TO_IT.search(asking)) and not _DUTY.search(asking)
            and bool(_AI.search(asking) or (_MACHINE.search(question) and _DECIDES.search(question)
                                            and _RULES.search(asking))))


# A follow-up with a question word and a verb of its own ("and what do the providers of those models have
# to do?") asks its own shape; one without ("and for the final act?", "what about an importer?") asks
# the conversation's. Tune (the 73 follow-ups that took the conversation's shape): all key facts +2 -0,
# leads +1 -0 (a definition had been asked of the obligations of providers of general-purpose models).
OWN_QUESTION = re.compile(r"\b(what|how|who|whom|which|when|where|why)\b(?! about\b)( [\w'’]+){0,3}? "
                          r"(do|does|did|must|should|have|has|need|needs|can|could|is|are|was|were|will|would)\b",
                          re.IGNORECASE)


def asks_of(question: str, compared: list[str], references: list[NamedClause], defined: list,
            language: str = "en", comparing: bool = True) -> Ask:
    """The shape of answer the question wants: the first of ``ASKS`` that fits (in another
    language, by its English pattern or its locale's cue words; with ``comparing`` off, what a
    comparison compares: "is the deadline shorter now?" compares deadlines)."""
    for name, pattern in ASKS:
        if name == "comparison":
            if comparing and (compared or (cue("compares", pattern, question, language) and VERSION_WORDS.search(question))):
                return "comparison"
        elif name == "definition":
            if defined or cue(name, pattern, question, language):
                return "definition"
        elif name == "provision":
            if references and pattern.search(question):
                return "provision"
        elif name == "yes_no":
            if pattern.search(question) or (language != "en" and asks_yes_or_no(question, language)):
                return "yes_no"
        elif cue(name, pattern, question, language):
            return name  # type: ignore[return-value]
    return "explanation"


def build(question: str, library, history=None, documents: list[str] | None = None,
          tuning: Tuning = DEFAULT, language: str | None = None) -> QueryPlan:
    """The plan for ``question`` (already normalised) in a conversation ``history`` of
    (question, Answer) pairs, within the ``documents`` filter (ids, or None). The language is
    detected unless given; a question in another language is read with its references and
    document names in English ("article 22 du RGPD" -> "Article 22 GDPR")."""
    from .answering.disclosure import asks_to_hide
    from .definitions import defining_clauses
    from .language import detect, english_references
    from .legal_terms import english_terms, quoted_terms

    language = language or detect(question)
    typed = question
    if language != "en":
        question = english_references(question, language)
    history = list(history or [])
    follow_up, context = conversation_context(question, history)
    whole = f"{context} {question}".strip()
    # The documents a follow-up names are the ones it asks about ("... and what did the EDPB think?").
    routing = question if mentioned_documents(question) else whole
    kinds = {d.id: d.source.kind for d in library}
    weights = document_weights(routing, kinds, documents, tuning, language)
    if not documents:
        # a document published in parts (the impact assessment's report and its annexes, where the
        # consultation's results are) is named whole
        parts = document_parts(library)
        for doc, weight in list(weights.items()):
            for part in parts.get(doc, ()):
                weights[part] = max(weights.get(part, 0.0), weight)
    compared = compared_documents(routing, weights, documents, language)
    named = mentioned_documents(question)
    # A follow-up asking whether it differs in a case it states ("is it any different if the offender
    # is an SME?", "does the same cap apply to us or is it different?") compares that case with the
    # answer before, in the act the conversation named, not that act with its other version
    # (tune39's and tune47's SME fine cap, final Art. 99(6), had been answered with both versions' ceilings)
    case_asked = follow_up and not named and bool(CASE_ASKED.search(question))
    if case_asked and compared == [FINAL_ACT, PROPOSAL] and PROPOSAL not in mentioned_documents(context):
        compared = []
    # The versions the conversation named: a follow-up naming one of them after a turn on the other
    # ("and is it the same in the final act?", "was it in the draft too?") compares them.
    versions = [d for d in mentioned_documents(whole) if d in (PROPOSAL, FINAL_ACT)]
    # ... and so does one naming a version after a conversation that named none and was answered from
    # the draft, the AI act unnamed ("how is the CE marking affixed?" then "did the final AI Act keep
    # this?", "did the 2024 version make this any easier?")
    answered = answered_from(history) if follow_up else None
    if answered == PROPOSAL and not mentioned_documents(context):
        versions = list(dict.fromkeys([PROPOSAL, *versions]))
    # The GDPR named as what a draft rule is about, in a question that sets the draft against the Act
    # now ("does the declaration now have to state that the system complies with the GDPR? what did
    # annex V of the proposal require?", "... in the draft users only had to do a GDPR DPIA"): the
    # versions are compared, not the draft with the GDPR. Only when a sentence of its own asks about
    # now: "do users still need a GDPR DPIA, and how does the AI proposal help?" compares the two it
    # names. The draft's sentence told with a finite past ("had", "did"): read from any verb in the past
    # or none, "... the controller under gdpr. how does the provider's information feed into our dpia?"
    # and "... my GDPR right not to face purely automated decisions" were read so too. Tune: 2
    # questions, both proposal-vs-final (4 cross-document ones no longer).
    if set(named) == set(compared) == {PROPOSAL, "gdpr"} and not documents and \
            draft_set_against_now(question, ("gdpr",), finite=True):
        compared, read_as_named = [], [PROPOSAL]
    else:
        read_as_named = named
    # "The AI Act" with no version named: the draft, with the adopted Act's clauses beside it (not
    # for a question on the act as a whole, which its subject-matter and scope articles answer)
    # (a question on the act as a whole: "does the ai act apply to me?", not "when does it apply?", a date)
    general = cue("general", GENERAL, question, language)
    gdpr_words = in_gdpr_words(question, language)
    # ... or, for a follow-up, what it leans on ("when can i have the processing of my personal data
    # restricted?" then "once it's restricted, what are they still allowed to do with it?")
    gdpr_conversation = gdpr_words or (follow_up and in_gdpr_words(context, language))
    whole_act = general and not cue("application", APPLICATION_TERMS, question, language)
    generic_act = bool(not named and GENERIC_AI_ACT.search(question)
                       and (not VERSION_WORDS.search(question) or generic_act_against_draft(question))
                       and not whole_act)
    if not compared and not documents and not case_asked and (
            (FINAL_ACT not in read_as_named and (
                # not of a GDPR rule: "is a solely automated decision still allowed under GDPR Art. 22?",
                # "once I object to direct marketing, is the company still allowed to use my data?" (in
                # the GDPR's words, not only in no AI words: "where did article 62 end up?"), unless it
                # speaks of versions
                (cue("fate", FATE, question, language) and "gdpr" not in read_as_named
                 and (not gdpr_conversation or VERSION_WORDS.search(question)))
                or (read_as_named == [PROPOSAL] and (
                    cue("now", NOW, question, language) or DRAFT_PAST.search(question)
                    or SINCE_OR_ALREADY.search(question)
                    or draft_set_against_now(question, ("gdpr",))))))
            # (of the versions, not of another text the follow-up names: "is that the same under the GDPR?")
            or (CHANGED.search(question) and ((versions and not set(named) - {PROPOSAL, FINAL_ACT}) or (
                not named and (VERSION_WORDS.search(question) or CHANGED_SINCE.search(question))
                and weights.get("gdpr", 0.0) < 1.0)))
            # "is that still the ceiling?", "who sits on it now?": a rule of the AI acts asked of today
            # "i thought back then only the providers did that", "since 2021, has a deadline been
            # added?": the same, set against the past (tune: 2 questions, +1 answer with all key facts;
            # "originally" was tried too: "data originally collected for something else" is no version)
            or (not named and language == "en" and (STILL_OR_NOW.search(question) or SINCE.search(question))
                and weights.get(PROPOSAL) == 1.0 and weights.get("gdpr", 0.0) < 1.0)
            or (named == [PROPOSAL] and PAIRED_FINAL.search(question))
            or (follow_up and len(versions) == 2 and len(set(named) & {PROPOSAL, FINAL_ACT}) == 1)
            or generic_act):
        # "where did the chatbot rule end up?", "still ... like in the draft?": both versions
        compared = [PROPOSAL, FINAL_ACT]
        weights = {**weights, FINAL_ACT: 1.0}
    # A rule of the AI acts asked with no act or version named ("do customers have to be told it's a
    # bot?", "is that allowed in the eu?"): answered from the draft as asked, and the adopted Act's
    # counterpart of the draft clause quoted is shown after it, which binds a reader today. Only added:
    # searching both versions as a comparison crowded out the draft's own clauses (9f116ef). Tune:
    # 86 of the 156 single questions of this kind expect the adopted Act too.
    # A question in neither act's words ("are the police allowed to scan faces live with cameras in the
    # street?") searches the GDPR first, but an answer from the draft still gets the Act beside it (the
    # composer adds it only then). Tune: both versions cited +5 -0, all key facts +1 -0. So does a clause
    # named with no version ("does the yearly review of annex iii now cover the bans too?"): of the 17
    # tune questions of that kind, all key facts +3 -0, both versions cited +3 -0.
    adopted_beside = not compared and not documents and not named and not follow_up and \
        weights.get(PROPOSAL, 0.0) > 0 and not gdpr_words and not MEMORANDUM.search(question) and \
        not VERSION_WORDS.search(question) and not whole_act
    # Two acts asked together, one of them named and the other by its words or its bare name: an AI
    # act's question in the GDPR's words ("is that banned by the proposal, and do they need a DPIA?",
    # "... is it the same place i'd go with a complaint about my personal data?"), or the GDPR's beside
    # "the AI act" with no version, the draft ("does the ai act have its own definition of personal
    # data or does it just use the gdpr one?"), which naming the GDPR alone had left unsearched. The
    # GDPR's words rather than its notions alone: tune 4 questions, facts +2 -1 (cross-document 0.60
    # -> 0.67); translated tune questions fr and pt +1 each, the others unchanged.
    other = None
    if not compared and not documents and len(named) == 1:
        if named[0] in (PROPOSAL, FINAL_ACT) and gdpr_words:
            other = "gdpr"
        elif named[0] == "gdpr" and (GENERIC_AI_ACT.search(question) or AI_NOTIONS.search(question)):
            other = PROPOSAL
        elif answered in (PROPOSAL, FINAL_ACT) and named[0] not in (PROPOSAL, FINAL_ACT) and CHANGED.search(question):
            # "is that the same under the GDPR?" after an answer from an AI act: that act against the text named
            other = answered
    crossed = other is not None
    if crossed:
        compared = [named[0], other]
        weights = {**weights, other: 1.0}
        # "the AI act" read as the draft is, as above, with the adopted Act's counterpart beside it
        adopted_beside = other == PROPOSAL and not follow_up and all(
            m.group(0).lower() == "gdpr" for m in VERSION_WORDS.finditer(question))
    # An article named with no act, in a question in the GDPR's words ("what does article 28 say the
    # data processing agreement has to contain?"), is the GDPR's, not the draft's
    unnamed = "gdpr" if gdpr_words and weights.get("gdpr", 0.0) > weights.get(PROPOSAL, 0.0) else PROPOSAL
    references, missing, external = named_clauses(question, library, documents, tuning.max_messages, language,
                                                  unnamed, tuning.other_act_margin)
    if follow_up and not references and set(compared) == {PROPOSAL, FINAL_ACT}:
        # "is it the same in the final act?", "was anything added to that?": what is compared is what
        # the last answer quoted first (its first clauses of the version the follow-up does not name:
        # each is compared with its counterpart), not whatever the follow-up's few words find
        asked_of = [d for d in (PROPOSAL, FINAL_ACT) if d not in named] if len(set(named) & {PROPOSAL, FINAL_ACT}) == 1 \
            else [PROPOSAL, FINAL_ACT]
        quoted = [c for c in getattr(history[-1][1], "citations", None) or [] if c.doc in asked_of]
        references = list(dict.fromkeys(NamedClause(c.doc, c.ref) for c in quoted[:tuning.follow_up_clauses]))
    searched = sorted(d for d, w in weights.items() if w > 0)
    defined = []
    # Another language's quoted term (« utilisateur », „Nutzer“) asks the meaning of its English term,
    # and so do the acts' terms of a question its locale's words say asks a meaning ("was bedeutet").
    asked = quoted_terms(typed, language)
    if language != "en" and cue("definition", None, question, language):
        asked += [term for term in english_terms(typed, language) if term not in asked]
    quoted = " ".join(f"'{term}'" for term in asked)
    for clause in defining_clauses(question, library, searched) + (
            defining_clauses(quoted, library, searched) if quoted else []):
        key = NamedClause(clause.doc, clause.ref)
        if key not in references and key not in defined:
            defined.append(key)
    # What is asked is read from the asking sentences: a situation stated first ("... how much money i
    # can borrow.") is not asked about, unless the asking sentences alone say nothing of the shape
    # ("Fines under the GDPR reach 4 %. What about the AI Act?") or only look like a definition by
    # their shape ("We're a bank ... What are our obligations as a user?" asks for a list). Tune: 118
    # questions open with a statement, 5 are read otherwise, all now yes/no (facts +0 -0: the kind
    # read, not the answers, is what changes).
    asking = asked_part(question)
    asks = asks_of(asking, compared, references, defined, language)
    if asks in ("explanation", "definition"):
        of_all = asks_of(question, compared, references, defined, language)
        asks = of_all if of_all != "explanation" else asks
    if asks == "explanation" and follow_up and not OWN_QUESTION.search(asking):
        asks = asks_of(whole, compared, [], defined, language)
    compares = asks_of(question, compared, references, defined, language, comparing=False) if asks == "comparison" else None
    classifies = tuple(name for name, pattern in CLASSIFIES if cue(name.replace("-", "_"), pattern, question, language)
                       ) if not references and (
        asks == "yes_no" or ((crossed or generic_act) and compares == "yes_no")  # "is that banned by the proposal, and ...?"
        or cue("classed_as", CLASSED_AS, question, language)) else ()
    if not classifies and not references and not compared and language == "en" and asks in ("yes_no", "explanation") \
            and described_use(question, asking):
        classifies = ("prohibited", "high-risk")
    application = cue("application", APPLICATION_TERMS, whole, language)
    asks_application = application and (compares or asks) == "deadline"
    # "when does the GDPR apply?" asks a date, not the act's scope
    of_the_act = general and not references and asks != "comparison" and not asks_application
    # What critics said, asked beside two acts compared ("academics said the draft gave people no way to
    # complain. did the final act fix that?"): the commentaries are a side of their own.
    critics = bool(CRITICS.search(whole))
    wants_commentary = critics or cue("opinion", OPINION_TERMS, whole, language)
    commentary_beside = tuple(sorted(d for d, kind in kinds.items() if kind == "commentary" and (
        documents is None or d in documents))) if (
        critics and len(compared) > 1
        and not any(kinds.get(d) == "commentary" for d in (*compared, *named))) else ()
    return QueryPlan(
        question=typed, reading=question if question != typed else "", asks=asks, compares=compares, language=language, follow_up=follow_up, context=context,
        history=tuple((q, getattr(a, "text", str(a))) for q, a in history),
        documents_named=tuple(named), documents_compared=tuple(compared),
        weights=weights, filtered=bool(documents), references=tuple(references), missing=tuple(missing),
        external=tuple(external), defined=tuple(defined), classifies=classifies,
        wants_recitals=cue("recitals", RECITAL_TERMS, whole, language),
        wants_memorandum=bool(MEMORANDUM.search(whole) or MEMORANDUM_TERMS.search(whole)),
        wants_commentary=wants_commentary, commentary_beside=commentary_beside,
        sides_apart=sides_apart(question, compared),
        wants_final_provisions=application or cue("final_provisions", FINAL_PROVISION_TERMS, whole, language),
        asks_application=asks_application,
        general=of_the_act,
        asks_purpose=of_the_act and cue("purpose", PURPOSE_TERMS, question, language),
        asks_to_hide=asks_to_hide(typed, language),
        asks_penalty=cue("penalty", PENALTY_TERMS, question, language) and not PENALTY_RULES.search(question),
        adopted_beside=adopted_beside,
    )


def kind_weights(plan: QueryPlan, tuning: Tuning = DEFAULT) -> dict[str, float]:
    """How much each kind of clause counts for this question (recitals, memorandum and
    commentary less than enacting terms, unless the question asks for them)."""
    weights = dict(tuning.kind_weights)
    if plan.wants_recitals:
        weights["recital"] = 1.0
    if plan.wants_commentary:
        weights["commentary_paragraph"] = 1.0
    if plan.wants_memorandum:
        weights["em_section"] = weights["em_paragraph"] = 1.0
    # asked for by name ("exposé des motifs" read as "explanatory memorandum"): before the articles
    if MEMORANDUM.search(f"{plan.context} {plan.reading or plan.question}"):
        weights.update({"article": 0.5, "paragraph": 0.5, "point": 0.5, "subparagraph": 0.5, "recital": 0.5})
    return weights


def within(plan: QueryPlan, doc: str, ref: str) -> bool:
    """Whether a clause is, or lies inside, one the question names."""
    return any(r.doc == doc and is_within(ref, r.ref) for r in plan.references)
