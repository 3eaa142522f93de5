"""The acts' own terms in the other languages (assistant/locales/terms/*.json), mapped to the English
terms of the corpus, and what they do for retrieval on the real corpus and models."""
import json
import re

import pytest

from assistant import plan as planning
from assistant.clauses import top_level
from assistant.legal_terms import TERMS_DIR, english_terms, quoted_terms, table
from evals.questions_i18n import LANGUAGES


def terms(lang: str, section: str = "terms") -> dict[str, list[str]]:
    return json.loads((TERMS_DIR / f"{lang}.json").read_text(encoding="utf-8"))[section]


def test_every_language_has_a_table_of_the_same_english_terms():
    english = list(terms("fr"))
    assert len(english) > 100
    for lang in LANGUAGES:
        assert list(terms(lang)) == english, lang  # one row per term, in every language
        assert all(terms(lang).values()), lang  # no term left without its wording
        assert len(table(lang)) == len(english)
        assert list(terms(lang, "notions")) == list(terms("fr", "notions")), lang
        assert all(terms(lang, "notions").values()) and not set(terms(lang)) & set(terms(lang, "notions")), lang
    assert table("en") == () and english_terms("Who is the controller?", "en") == []


def test_every_english_term_is_wording_of_the_corpus(library):
    """What is added to the English search must be words the English texts use."""
    def flat(text: str) -> str:
        return re.sub(r"[\s-]+", " ", text.lower())

    corpus = flat(" ".join(c.text + " " + " ".join(c.heading_path) for d in library for c in d.clauses.values()))
    assert [t for t in [*terms("de"), *terms("de", "notions")] if flat(t) not in corpus] == []


@pytest.mark.parametrize("lang, text, expected", [
    ("de", "Wer ist Verantwortlicher, wer Auftragsverarbeiter?", ["controller", "processor"]),
    ("de", "Muss ein Vorfall mit einem Hochrisiko-KI-System gemeldet werden?", ["AI system", "high-risk", "notification"]),
    ("fr", "Le responsable du traitement doit-il désigner un délégué à la protection des données ?",
     ["controller", "data protection officer"]),
    ("pl", "Czy administrator musi zgłosić naruszenie ochrony danych osobowych?",
     ["controller", "personal data", "personal data breach", "notification"]),
    ("nl", "Geldt dit voor de verwerkingsverantwoordelijke of de verwerker?", ["controller", "processor"]),
    ("es", "¿Quién es el responsable del tratamiento?", ["processing", "controller"]),
    ("it", "Il titolare del trattamento", ["processing", "controller"]),
    ("pt", "O subcontratante e o responsável pelo tratamento", ["processing", "controller", "processor"]),
    ("de", "Gilt das für Organe, Einrichtungen und sonstige Stellen der Union?", ["Union institutions"]),
    ("pl", "Czy dotyczy to instytucji, organów i jednostek organizacyjnych Unii?", ["Union institutions"]),
])
def test_the_acts_terms_are_read_in_their_official_wording(lang, text, expected):
    assert set(expected) <= set(english_terms(text, lang))


def test_a_quoted_term_is_one_set_in_the_languages_quotation_marks():
    assert quoted_terms("Bin ich ein „Nutzer“ nach dem Entwurf?", "de") == ["user"]
    assert quoted_terms("Suis-je un « utilisateur » ?", "fr") == ["user"]
    assert quoted_terms("¿Soy un «usuario»?", "es") == ["user"]
    assert quoted_terms("Bin ich ein Nutzer nach dem Entwurf?", "de") == []  # not quoted: not asked as a term


def test_a_quoted_term_in_another_language_brings_its_definition_into_the_plan(library):
    plan = planning.build("Was ist ein „Anbieter“ im Kommissionsvorschlag?", library)
    assert plan.language == "de"
    assert ("ai-act-proposal-2021", "Art. 3(2)") in [(d.doc, d.ref) for d in plan.defined]


# Questions written for this test (not in the eval sets) that the retriever missed before the term
# tables (checked with english_terms and quoted_terms emptied): the defining clause first for a
# quoted term, the article in the first five for the others.
@pytest.mark.slow
@pytest.mark.parametrize("question, expected, first", [
    ("Was ist ein „Anbieter“ im Kommissionsvorschlag?", ("ai-act-proposal-2021", "Art. 3(2)"), True),
    ("Muss der Verantwortliche eine Datenschutz-Folgenabschätzung durchführen, bevor er Gesundheitsdaten "
     "in großem Umfang verarbeitet?", ("gdpr", "Art. 35"), False),
    ("Qu'est-ce qu'un « distributeur » selon la proposition ?", ("ai-act-proposal-2021", "Art. 3(7)"), True),
    ("¿Qué es el «responsable del despliegue» en el Reglamento de IA definitivo?", ("ai-act-final-2024", "Art. 3(4)"), True),
    ("¿Qué obligaciones tiene el encargado del tratamiento según el RGPD?", ("gdpr", "Art. 28"), False),
    ("Che cos'è il «titolare del trattamento» secondo il GDPR?", ("gdpr", "Art. 4(7)"), True),
    ("Cosa dice la proposta sulle norme armonizzate?", ("ai-act-proposal-2021", "Art. 40"), False),
    ("Jakie obowiązki ma podmiot przetwarzający według RODO?", ("gdpr", "Art. 28"), False),
    ("Kiedy administrator musi zgłosić naruszenie ochrony danych osobowych organowi nadzorczemu?", ("gdpr", "Art. 33"), False),
    ("Co wniosek mówi o nadzorze ze strony człowieka nad systemami wysokiego ryzyka?", ("ai-act-proposal-2021", "Art. 14"), False),
    ("Wat is een 'gemachtigde' volgens het voorstel?", ("ai-act-proposal-2021", "Art. 3(5)"), True),
    ("Wat zegt de AVG over doorgifte van persoonsgegevens naar derde landen zonder adequaatheidsbesluit?",
     ("gdpr", "Art. 46"), False),
    ("O que é um «mandatário» segundo a proposta?", ("ai-act-proposal-2021", "Art. 3(5)"), True),
    ("Que regras se aplicam ao subcontratante segundo o RGPD?", ("gdpr", "Art. 28"), False),
])
def test_questions_using_the_acts_terms_reach_their_clauses(assistant, question, expected, first):
    hits = assistant.retriever.search(question, 10)
    if first:
        assert (hits[0].doc, hits[0].ref) == expected
    else:
        assert expected in [(h.doc, top_level(h.ref)) for h in hits[:5]]


# The key notions of the acts' article headings (transfers, safeguards, derogations, powers, mutual
# assistance, employment, criminal convictions, formal non-compliance, ...): questions written for this
# test, not in the eval sets, whose article was 2nd to 6th with the tables of the defined terms alone
# and is first with the heading notions.
@pytest.mark.slow
@pytest.mark.parametrize("question, expected", [
    ("Quali garanzie adeguate permettono il trasferimento di dati personali verso un paese terzo?", ("gdpr", "Art. 46")),
    ("Welche Befugnisse hat die Aufsichtsbehörde nach der DSGVO?", ("gdpr", "Art. 58")),
    ("Wie funktioniert die Amtshilfe zwischen den Aufsichtsbehörden nach der DSGVO?", ("gdpr", "Art. 61")),
    ("Jakie są zasady przetwarzania danych w kontekście zatrudnienia według RODO?", ("gdpr", "Art. 88")),
    ("Czy RODO pozwala na przetwarzanie danych dotyczących wyroków skazujących?", ("gdpr", "Art. 10")),
    ("O que acontece em caso de não conformidade formal com a marcação CE segundo a proposta?",
     ("ai-act-proposal-2021", "Art. 68")),
])
def test_the_notions_of_the_acts_headings_lead_to_their_articles(assistant, question, expected):
    hits = assistant.retriever.search(question, 10)
    assert (hits[0].doc, top_level(hits[0].ref)) == expected


def test_the_derogations_for_transfers_without_safeguards_are_found_first_or_second(assistant):
    # Art. 49 was first; with the corpus words nearest the question's own (word_map: "sin garantías
    # adecuadas" read as "guarantees", "suitable") Art. 46 on appropriate safeguards comes first, Art. 49 second
    hits = assistant.retriever.search("¿Qué excepciones permiten una transferencia internacional de datos sin "
                                      "garantías adecuadas?", 10)
    assert ("gdpr", "Art. 49") in [(h.doc, top_level(h.ref)) for h in hits[:2]]


@pytest.mark.parametrize("lang, text, expected", [
    ("de", "Dürfen wir Daten ohne Angemessenheitsbeschluss übermitteln?", ["adequacy decision", "transfer"]),
    ("nl", "Welke passende waarborgen zijn nodig voor de doorgifte?", ["appropriate safeguards", "safeguards", "transfer"]),
    ("fr", "Quelles dérogations pour la recherche ?", ["derogations", "research"]),
    ("pl", "Przetwarzanie danych pracowników w kontekście zatrudnienia", ["employment"]),
    ("es", "¿Qué poderes tiene la autoridad de control?", ["powers", "supervisory authority"]),
    ("it", "Il fabbricante di prodotti deve garantire la conformità?", ["product manufacturers", "compliance"]),
])
def test_the_notions_of_the_headings_are_read_in_their_official_wording(lang, text, expected):
    assert set(expected) <= set(english_terms(text, lang))


NOTION_ONLY = [("fr", "Quelle est la meilleure recherche récente sur le cancer du sein ?"),
               ("pl", "Jakie są ograniczenia prędkości na autostradzie w Niemczech?")]


@pytest.mark.parametrize("lang, question", NOTION_ONLY)
def test_a_notion_is_an_everyday_word_too_and_no_term_of_the_acts(lang, question):
    assert english_terms(question, lang) and not english_terms(question, lang, notions=False)


# Known misses of the topic margin (bench/multilingual.md): read with the English notion the
# retriever adds ("research", "restrictions"), both sit nearer the corpus's topics than everyday
# ones. The Polish one is answered; the French one is declined by the locale's cue words of a
# choice to make ("quelle est la meilleure", ``scope.outside``), not by its topic.
@pytest.mark.parametrize("lang, question", [
    NOTION_ONLY[0], pytest.param(*NOTION_ONLY[1], marks=pytest.mark.xfail(strict=True, reason="topic margin above 0: answered"))])
def test_a_question_off_the_field_with_only_a_notion_of_it_is_declined(lang, question):
    from assistant.answering.language_scope import out_of_scope
    from assistant.answering.topic import question_margin

    assert out_of_scope(question, lang, lambda: question_margin(question, lang))


@pytest.mark.parametrize("lang, text, practices", [
    ("it", "Ho preso una multa per divieto di sosta. Come faccio ricorso?", False),
    ("de", "Ist das Rauchen im Park verboten?", False),
    ("it", "Quali sono le pratiche vietate dalla proposta?", True),
    ("pl", "Jakie są zakazane praktyki w zakresie AI?", True),
])
def test_a_ban_word_alone_is_the_notion_not_the_acts_prohibited_practices(lang, text, practices):
    # "divieto (di sosta)" read as "prohibited artificial intelligence practices" put the Italian
    # parking ticket nearer the corpus's topics than everyday ones (margin +0.010; -0.016 now)
    terms = english_terms(text, lang)
    assert "prohibited" in terms and ("prohibited artificial intelligence practices" in terms) is practices


def test_the_italian_parking_ticket_is_declined():
    from assistant.answering.language_scope import out_of_scope
    from assistant.answering.topic import question_margin

    question = "Ho preso una multa per divieto di sosta anche se avevo pagato il parchimetro. Come faccio ricorso?"
    assert out_of_scope(question, "it", lambda: question_margin(question, "it"))


@pytest.mark.parametrize("lang, text, found, absent", [
    ("de", "Wie hoch ist das Höchstbußgeld für Dienstanbieter?", {"administrative fines", "provider"}, set()),
    ("nl", "Moet de softwareaanbieder een conformiteitsbeoordeling laten doen?", {"provider", "conformity assessment"}, set()),
    # a short term is never looked for inside a word
    ("de", "Gilt das auch beim Skifahren?", set(), {"AI system"}),
    # French does not write compounds: whole words only
    ("fr", "Le cofournisseur doit-il faire quelque chose ?", set(), {"provider"}),
])
def test_in_german_and_dutch_a_term_is_also_the_end_of_a_compound(lang, text, found, absent):
    terms = set(english_terms(text, lang))
    assert found <= terms and not absent & terms
