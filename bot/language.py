"""Written-standard detection (Nynorsk, Bokmål, English) and text normalisation.

Nynorsk is Alver's official written standard and the default: a message that
gives no clear signal keeps the language of the conversation so far.
"""

from __future__ import annotations

import re
import unicodedata

NYNORSK = "nn"
BOKMAL = "nb"
ENGLISH = "en"
DEFAULT_LANGUAGE = NYNORSK

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "è": "e", "ò": "o", "ô": "o"})
_WORD = re.compile(r"[a-z0-9æøåéèòô]+")

# Words that tell the two written standards (and Bergen-area dialect, answered in
# Nynorsk) apart. Compared after folding æ/ø/å, since many citizens type without them.
_NYNORSK_WORDS = frozenset(
    """
    eg ikkje kva korleis kvar kven kvifor kor dykk dykkar dokke dokker dakke dakker
    me opningstid opningstider opningstida opningstidene opne ope opnar veke veka heime
    berre noko nokon mykje ein eit fra frå vere kome kjem sokje sokjer stengjer stengd
    treng ynskjer onskjer sjolv ka ke kordan kossen stenge morgon laurdag sundag
    tysdag innbyggjar innbyggjarar innbyggjarservice saksbehandlar sakshandsamar
    hjelpa dei deira snakkar seier gjer gjere ringje skrive kvardagar heilt
    """.split()
)
_BOKMAL_WORDS = frozenset(
    """
    jeg ikke hva hvordan hvor hvem hvorfor hvilke hvilken hvilket dere deres apningstid
    apningstider apningstiden apningstidene apen apent apne apner uke uka uken hjemme bare
    noe noen mye en et fra vaere komme kommer soke soker stenger stengt trenger onsker selv
    morgen lordag sondag tirsdag innbygger innbyggere innbyggerservice saksbehandler
    hjelpen de snakker sier gjor gjore ringe skrive hverdager helt na
    """.split()
)
_ENGLISH_WORDS = frozenset(
    """
    what when where how is are the do does you your can opening hours phone number contact
    hello hi thanks thank please office human talk person today want need speak to of and
    it there who help my with yes email address open closed call reach someone real agent
    tomorrow town hall english
    """.split()
)
# Words that are also ordinary Norwegian and must not count as English on their own.
_SHARED_WITH_ENGLISH = frozenset({"open", "me", "no", "i", "hei", "ok", "to", "de", "can", "hi"})
_WEIGHTS = {"fra": 0.0, "de": 0.3, "en": 0.5, "et": 0.5, "na": 0.5}


def fold(text: str) -> str:
    """Lower-cases and replaces æ, ø, å and accents, so ``Åpent`` matches ``apent``."""
    text = unicodedata.normalize("NFC", text.lower()).translate(_FOLD)
    return text


def words(text: str) -> list[str]:
    """Splits a message into folded words."""
    return _WORD.findall(fold(text))


def detect_language(text: str) -> str | None:
    """Returns ``nn``, ``nb`` or ``en`` for a message, or None when it gives no clear signal.

    Args:
        text: The citizen's message as typed.
    """
    tokens = words(text)
    if not tokens:
        return None
    nn = sum(_WEIGHTS.get(t, 1.0) for t in tokens if t in _NYNORSK_WORDS)
    nb = sum(_WEIGHTS.get(t, 1.0) for t in tokens if t in _BOKMAL_WORDS)
    en = sum(1.0 for t in tokens if t in _ENGLISH_WORDS and t not in _SHARED_WITH_ENGLISH)
    en_shared = sum(1.0 for t in tokens if t in _SHARED_WITH_ENGLISH and t in _ENGLISH_WORDS)
    if en >= 1 and en + 0.5 * en_shared > nn + nb and (en >= 2 or len(tokens) <= 2):
        return ENGLISH
    if nn > nb:
        return NYNORSK
    if nb > nn:
        return BOKMAL
    return None
