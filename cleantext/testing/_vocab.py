"""Words and sentence templates for generated articles, one table per language.

Everything here is data. The templates are written so that the text they produce is already
clean under the default pipeline (no residue-like lines, no " .", no "word.word", no broken
possessives); ``tests/test_testing_strategies.py`` checks that every generated article is a fixed
point of :func:`cleantext.clean`.

Template slots: ``{A}`` / ``{B}`` full names of the article's two people, ``{a}`` / ``{b}`` their
surnames, ``{a_poss}`` / ``{b_poss}`` the possessive of a surname (English only), ``{role_a}``,
``{place}``, ``{place2}``, ``{org}``, ``{num}``, ``{big}``, ``{pct}``, ``{money}``, ``{year}``,
``{day}``, ``{date}``, ``{month}``, ``{domain}``, ``{q}`` (a quoted phrase ending in a period),
``{qc}`` (a quoted clause ending in a comma) and ``{abbr}`` (a phrase with an abbreviation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["EN", "LANGUAGES", "Vocabulary", "choose"]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The words and templates of one language."""

    firsts: tuple[str, ...]
    lasts: tuple[str, ...]
    roles: tuple[str, ...]
    places: tuple[str, ...]
    orgs: tuple[str, ...]
    days: tuple[str, ...]
    months: tuple[str, ...]
    date_format: str  # with {d}, {month}, {y}
    phrases: tuple[str, ...]  # quoted material, lower-case start, no end punctuation
    clauses: tuple[str, ...]  # quoted material that opens a sentence, capitalized
    abbrs: tuple[str, ...]
    quotes: tuple[tuple[str, str], ...]  # (open, close) pairs
    quote_end: str  # "{open}{phrase}.{close}" (English) or "{open}{phrase}{close}." (others)
    clause_end: str  # "{open}{phrase},{close}" (English) or "{open}{phrase}{close}," (others)
    thousands: str  # the thousands separator
    decimal: str
    headlines: tuple[str, ...]
    sentences: tuple[str, ...]


DOMAINS = (
    "example.com",
    "data.gov",
    "who.int",
    "europa.eu",
    "bund.de",
    "gouv.fr",
    "gob.es",
    "news.example.org",
    "stats.example.net",
    "www.example.co.uk",
)

EN = Vocabulary(
    firsts=(
        "Antony",
        "Maria",
        "Wei",
        "Sarah",
        "James",
        "Fatima",
        "Olga",
        "Kenji",
        "Amara",
        "Daniel",
        "Priya",
        "Lucas",
        "Elena",
        "Omar",
        "Hannah",
        "Tunde",
    ),
    # Surnames: capitalized, lower-case after the first letter, not ending in "s" and none the
    # plural of another, none a group noun ("King", "Green") or ending like one ("-ian", "-ist").
    lasts=(
        "Blinken",
        "Okafor",
        "Moreau",
        "Tanaka",
        "Novak",
        "Haddad",
        "Kowalski",
        "Brennan",
        "Castillo",
        "Whitfield",
        "Osei",
        "Petrov",
        "Larsen",
        "Mbeki",
        "Albrecht",
        "Delgado",
        "Fischer",
        "Nakamura",
        "Romero",
        "Yilmaz",
        "Chen",
        "Zhou",
        "Adeyemi",
        "Lindgren",
    ),
    roles=(
        "the foreign minister",
        "a senior economist",
        "the mayor",
        "a spokeswoman for the agency",
        "the trade envoy",
        "an adviser to the president",
        "the chief executive",
    ),
    places=(
        "Beijing",
        "Washington",
        "Lagos",
        "Jakarta",
        "Nairobi",
        "Lima",
        "Warsaw",
        "Seoul",
        "Ottawa",
        "Canberra",
        "Brussels",
        "Geneva",
        "Manila",
        "Accra",
    ),
    orgs=(
        "the World Health Organization",
        "the European Commission",
        "the U.N. Security Council",
        "the U.S. Treasury",
        "NATO",
        "the central bank",
        "the statistics office",
    ),
    days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    date_format="{month} {d}, {y}",
    phrases=(
        "very productive",
        "a step in the right direction",
        "not acceptable",
        "candid and constructive",
        "long overdue",
        "a turning point for the region",
        "frank, at times difficult",
        "the only way forward",
    ),
    clauses=(
        "We will keep talking",
        "Nothing has been agreed yet",
        "This is a good start",
        "The numbers speak for themselves",
        "We expected more",
    ),
    abbrs=(
        "the U.S. and its allies",
        "several partners, e.g. Japan",
        "smaller economies, i.e. those outside the G20",
        "U.S.-China relations",
        "Node.js developers",
        "about 3.5 million people",
        "the 2 p.m. briefing",
    ),
    quotes=(("“", "”"), ('"', '"')),
    quote_end="{open}{phrase}.{close}",
    clause_end="{open}{phrase},{close}",
    thousands=",",
    decimal=".",
    headlines=(
        "{a} Meets {b} in {place} as Talks Resume",
        "{place} Warns of Slower Growth",
        "Inside {a_poss} Plan for {place}",
        "{place} Braces for a Long Winter",
        "{a} and {b} Agree to Keep Talking",
        "Why {place} Matters to {b}",
    ),
    sentences=(
        "{A}, {role_a}, met {B} in {place} on {day}.",
        "{a} said the talks were {q}",
        "According to {org}, the figure rose {pct} percent in {year}.",
        "{a_poss} visit to {place} was the first in {num} years.",
        "The report, published on {domain}, covers {abbr}.",
        "Officials in {place} said about {big} people had been affected.",
        "{qc} {a} told reporters in {place}.",
        "{b} declined to comment on {a_poss} remarks.",
        "Dr. {b} of {org} called the plan {q}",
        "The meeting lasted {num} hours, {b_poss} office said on {day}.",
        "{a} spoke to {b} by phone on {date}.",
        "Prices rose {pct} percent, to ${money} billion, the fastest pace since {year}.",
        "Asked about {abbr}, {b} said the answer was {q}",
        "Mr. {a} and Ms. {b} are expected to meet again in {month}.",
        "It was {a_poss} second trip abroad this year, and talks with {b} ran late.",
        "Will the deal hold? {b} said it was too early to tell.",
        "Turnout reached {pct} percent in {place2}, up from {year}.",
        "{b} has led {org} since {year}!",
    ),
)

ES = Vocabulary(
    firsts=("María", "José", "Lucía", "Javier", "Carmen", "Diego", "Sofía", "Andrés", "Inés"),
    lasts=("García", "Fernández", "Rodríguez", "Martínez", "Gómez", "Ortega", "Navarro", "Peña"),
    roles=(
        "ministra de Economía",
        "portavoz del Gobierno",
        "alcalde de la ciudad",
        "economista jefe del banco",
    ),
    places=("Madrid", "Bogotá", "Lima", "Buenos Aires", "Sevilla", "Quito", "Valparaíso"),
    orgs=(
        "el Banco Central",
        "la Comisión Europea",
        "la ONU",
        "el Gobierno de EE. UU.",
        "el instituto de estadística",
    ),
    days=("el lunes", "el martes", "el miércoles", "el jueves", "el viernes"),
    months=(
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    date_format="el {d} de {month} de {y}",
    phrases=(
        "muy productivas",
        "un paso en la dirección correcta",
        "inaceptables",
        "francas y constructivas",
    ),
    clauses=("Seguiremos hablando", "Todavía no hay acuerdo", "Es un buen comienzo"),
    abbrs=("la relación con EE. UU.", "varios socios, p. ej. Chile", "unas 3.500 familias"),
    quotes=(("«", "»"), ("“", "”")),
    quote_end="{open}{phrase}{close}.",
    clause_end="{open}{phrase}{close},",
    thousands=".",
    decimal=",",
    headlines=(
        "{a} se reúne con {b} en {place}",
        "{place} se prepara para un invierno largo",
        "Las claves del plan de {a}",
    ),
    sentences=(
        "{A}, {role_a}, se reunió con {B} en {place} {day}.",
        "{a} dijo que las conversaciones fueron {q}",
        "Según {org}, la cifra aumentó un {pct} % en {year}.",
        "El informe, publicado en {domain}, analiza {abbr}.",
        "{qc} declaró {a} a la prensa en {place}.",
        "¿Qué pasará ahora? {b} dijo que es pronto para saberlo.",
        "La reunión duró {num} horas, según la oficina de {b}.",
        "{a} habló por teléfono con {b} {date}.",
        "Unas {big} personas se vieron afectadas en {place2}.",
        "¡La inflación bajó al {pct} % en {month}!",
    ),
)

FR = Vocabulary(
    firsts=("Camille", "Julien", "Élodie", "Mathieu", "Inès", "Thomas", "Chloé", "Amadou"),
    lasts=("Dubois", "Lefèvre", "Girard", "Rousseau", "Lambert", "Fontaine", "Mercier", "Diallo"),
    roles=(
        "ministre des Finances",
        "porte-parole du gouvernement",
        "maire de la ville",
        "économiste en chef",
    ),
    places=("Paris", "Lyon", "Marseille", "Bruxelles", "Genève", "Montréal", "Dakar"),
    orgs=(
        "la Banque de France",
        "la Commission européenne",
        "l’ONU",
        "le gouvernement",
        "l’institut de statistique",
    ),
    days=("lundi", "mardi", "mercredi", "jeudi", "vendredi"),
    months=(
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    date_format="le {d} {month} {y}",
    phrases=(
        "très productives",
        "un pas dans la bonne direction",
        "inacceptables",
        "franches et constructives",
        "au cœur du problème",
    ),
    clauses=("Nous allons continuer à discuter", "Rien n’est encore décidé", "C’est un bon début"),
    abbrs=(
        "les relations avec les États-Unis",
        "plusieurs partenaires, p. ex. le Japon",
        "environ 3,5 millions de personnes",
        "une œuvre collective",
    ),
    quotes=(("« ", " »"), ("“", "”")),
    quote_end="{open}{phrase}{close}.",
    clause_end="{open}{phrase}{close},",
    thousands=" ",
    decimal=",",
    headlines=(
        "{a} rencontre {b} à {place}",
        "{place} se prépare à un long hiver",
        "Les grandes lignes du plan de {a}",
    ),
    sentences=(
        "{A}, {role_a}, a rencontré {B} à {place} {day}.",
        "{a} a jugé les discussions {q}",
        "Selon {org}, le chiffre a augmenté de {pct} % en {year}.",
        "Le rapport, publié sur {domain}, porte sur {abbr}.",
        "{qc} a déclaré {a} à la presse à {place}.",
        "Et maintenant ? {b} estime qu’il est trop tôt pour le dire.",
        "La réunion a duré {num} heures, selon le bureau de {b}.",
        "{a} s’est entretenu avec {b} par téléphone {date}.",
        "Quelque {big} personnes ont été touchées à {place2}.",
    ),
)

DE = Vocabulary(
    firsts=("Anna", "Lukas", "Jürgen", "Sabine", "Katrin", "Matthias", "Özlem", "Jonas"),
    lasts=("Müller", "Schneider", "Becker", "Wagner", "Hoffmann", "Schröder", "Krüger", "Weber"),
    roles=(
        "die Finanzministerin",
        "ein Regierungssprecher",
        "der Bürgermeister",
        "die Chefvolkswirtin der Bank",
    ),
    places=("Berlin", "München", "Köln", "Hamburg", "Wien", "Zürich", "Düsseldorf"),
    orgs=(
        "die Bundesregierung",
        "die Europäische Zentralbank",
        "das Statistische Bundesamt",
        "die Stadtverwaltung",
    ),
    days=("am Montag", "am Dienstag", "am Mittwoch", "am Donnerstag", "am Freitag"),
    months=(
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    date_format="am {d}. {month} {y}",
    phrases=(
        "sehr konstruktiv",
        "ein Schritt in die richtige Richtung",
        "nicht akzeptabel",
        "offen und sachlich",
    ),
    clauses=("Wir reden weiter", "Noch ist nichts entschieden", "Das ist ein guter Anfang"),
    abbrs=(
        "die Beziehungen zu den USA",
        "mehrere Partner, z. B. Japan",
        "rund 3,5 Millionen Menschen",
        "die Straßenbahn Nr. 4",
    ),
    quotes=(("„", "“"), ("»", "«")),
    quote_end="{open}{phrase}{close}.",
    clause_end="{open}{phrase}{close},",
    thousands=".",
    decimal=",",
    headlines=(
        "{a} trifft {b} in {place}",
        "{place} rüstet sich für einen langen Winter",
        "Was hinter dem Plan von {a} steckt",
    ),
    sentences=(
        "{A}, {role_a}, traf {B} {day} in {place}.",
        "{a} nannte die Gespräche {q}",
        "Nach Angaben der Behörden stieg die Zahl {year} um {pct} Prozent.",
        "Der Bericht, veröffentlicht auf {domain}, behandelt {abbr}.",
        "{qc} sagte {a} vor Journalisten in {place}.",
        "Wie geht es weiter? {b} sagte, dafür sei es zu früh.",
        "Das Treffen dauerte {num} Stunden, teilte das Büro von {b} mit.",
        "{a} telefonierte {date} mit {b}.",
        "Rund {big} Menschen in {place2} waren betroffen.",
    ),
)

LANGUAGES: dict[str, Vocabulary] = {"en": EN, "es": ES, "fr": FR, "de": DE}


def choose(values: Sequence[str] | str, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    """Validate a strategy's ``values`` argument (one name or several) against ``allowed``.

    >>> choose("en", ("en", "de"), "article languages")
    ('en',)
    """
    chosen = (values,) if isinstance(values, str) else tuple(values)
    unknown = [v for v in chosen if v not in allowed]
    if unknown or not chosen:
        raise ValueError(
            f"unsupported {what} {unknown or chosen!r}; choose from {', '.join(allowed)}"
        )
    return chosen
