"""Text normalisation: Unicode folding, feed boilerplate, kickers, datelines, sentence ends."""

from __future__ import annotations

import re
import string
import unicodedata
from functools import cache, lru_cache

import numpy as np

from . import kernels

_FOLD_TABLE = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00a0": " ", "\u200b": "", "\ufeff": "",
}
_FOLD = str.maketrans(_FOLD_TABLE)
_NOT_ALNUM = re.compile(r"[\W_]+")
_ASCII_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())


def fold(text: str) -> str:
    """NFKC, straight quotes, plain dashes, `...` for the ellipsis sign.

    Example:
        >>> fold("\u201cHi\u201d \u2014 there\u2026")
        '"Hi" - there...'
    """
    if text.isascii():  # nothing to fold; most feed text is, and this is on every hot path
        return text
    text = unicodedata.normalize("NFKC", text)  # gives back a normalised text at the cost of a check
    # translate() costs ~50 ns a character; most texts hold none of the characters it folds.
    return text.translate(_FOLD) if any(c in text for c in _FOLD_TABLE) else text


def normalize(text: str) -> str:
    """Folded, lower-case text with runs of white space made one space.

    Example:
        >>> normalize("  The\\n\\nCAT  sat ")
        'the cat sat'
    """
    if text.isascii():  # compiled: a tenth of the time of split, join and lower
        return kernels.normalize_and_compact_ascii(codepoints(text))[0].tobytes().decode("ascii")
    return " ".join(fold(text).split()).lower()  # split() cuts on the same white space as \\s, in C


def compact(text: str) -> str:
    """Lower-case letters and digits only: what shingles are cut from.

    Dropping spaces and punctuation makes OCR line-break hyphenation ("inno- cent"),
    merged words and stray spaces cost nothing.

    Example:
        >>> compact("Inno- cent, it's 5%!")
        'innocentits5'
    """
    if text.isascii():  # bytes.translate deletes in C, several times faster than the regex
        return text.lower().encode("ascii").translate(None, _ASCII_NOT_ALNUM).decode("ascii")
    return _NOT_ALNUM.sub("", fold(text).lower())


def normalize_and_compact(text: str) -> tuple[str, str]:
    """(normalize(text), compact(text)), in one pass over an ASCII text (a third of the time of both).

    Example:
        >>> normalize_and_compact("  Inno- cent,\\n it's 5%!")
        ("inno- cent, it's 5%!", 'innocentits5')
    """
    if text.isascii():
        normal, compacted = kernels.normalize_and_compact_ascii(codepoints(text))
        return normal.tobytes().decode("ascii"), compacted.tobytes().decode("ascii")
    return normalize(text), compact(text)


# ---------------------------------------------------------------- boilerplate

# Link text and truncation marks that feeds append to a cut or complete item.
_TAIL_LINK = re.compile(
    r"""(?:\s*(?:
        \[\s*(?:\.\.\.|…)\s*\]                       # [...] / […]
      | (?:\.\.\.|…)?\s*(?:read\s+more|read\s+on|continue\s+reading|read\s+the\s+(?:full|rest)[^.]{0,40}|
           read\s+full\s+(?:article|story)[^.]{0,40}|full\s+story)\s*(?:\.\.\.|…|»|›|>>|→)?
      | (?:\.\.\.|…)?\s*(?:read|more)\s*(?:»|›|>>|→)      # bare "More »" only with its arrow
      | the\s+post\s+.{1,300}?\s+appeared\s+first\s+on\s+[^.]{1,100}\.?
    ))+\s*$""", re.IGNORECASE | re.VERBOSE | re.DOTALL)
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…|\.\s\.\s\.)\s*$")
# _TAIL_LINK's alternatives spelled backwards: matched at the start of the reversed text, it tells
# whether one of them ends the text (tests/test_kernels.py checks the two agree).
_TAIL_LINK_REVERSED = re.compile(
    r"""\s*(?:
        \]\s*(?:\.\.\.|…)\s*\[
      | (?:\.\.\.|…|»|›|>>|→)?\s*(?:erom\s+daer|no\s+daer|gnidaer\s+eunitnoc|[^.]{0,40}(?:lluf|tser)\s+eht\s+daer|
           [^.]{0,40}(?:elcitra|yrots)\s+lluf\s+daer|yrots\s+lluf)\s*(?:\.\.\.|…)?
      | (?:»|›|>>|→)\s*(?:daer|erom)\s*(?:\.\.\.|…)?
      | \.?[^.]{1,100}\s+no\s+tsrif\s+deraeppa\s+.{1,300}?\s+tsop\s+eht
    )""", re.IGNORECASE | re.VERBOSE | re.DOTALL)

# Whole lines that are feed furniture, not story text.
_BOILERPLATE_LINE = re.compile(
    r"""^\s*(?:
        (?:photos?|pictures?|images?|file\s+photo|photograph|video)(?:\s*(?:credit|:|/|by)[^\n]{0,80})?
      | printable\s+version | print\s+(?:this|version)[^\n]{0,30}
      | e-?mail\s+(?:this|to\s+a\s+friend)[^\n]{0,30} | (?:share|tweet|comment)s?(?:\s+on\s+\w+)?
      | (?:click|tap)\s+here[^\n]{0,80} | sign\s+up\s+(?:for|to|now)[^\n]{0,160} | subscribe[^\n]{0,80}
      | (?:updated|posted|published|last\s+updated)\b[^\n]{0,40}
      | share\s+this(?:\s+(?:story|article))?
      | related\s+(?:stories|articles|topics|content)
      | advertisement | sponsored(?:\s+content)?
      | copyright\b[^\n]{0,120} | ©[^\n]{0,120} | all\s+rights\s+reserved\.?
      | (?:additional\s+)?reporting\s+by\b[^\n]{0,160}
      | follow\s+(?:us|@)[^\n]{0,120}
      | this\s+(?:article|story)\s+(?:originally\s+)?appeared\s+(?:first\s+)?(?:on|in)\b[^\n]{0,160}
      | by\s+[A-Z][^\n]{0,60}
      | (?:read|continue\s+reading|read\s+more)[^\n]{0,40}
    )\s*$""", re.IGNORECASE | re.VERBOSE)

# "FREEDOM NO MORE: ..." or "EXCLUSIVE: ...": upper-case words and a colon.
_KICKER = re.compile(r"^\s*((?:[A-Z0-9][A-Z0-9'’&.\-]*\s+){0,5}[A-Z][A-Z0-9'’&.\-]+)\s*:\s+(?=\S)")
# Datelines: "LONDON (Reuters) - ", "LONDON, Aug 8 (AP) — ", "London: ".
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Za-z.\- ]{1,30}(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"(?:\s*\((?:[A-Za-z .&-]{2,30})\))?\s*(?:-|–|—|:)\s+(?=\S)")


def strip_link_tail(text: str) -> str:
    """Remove trailing link text and truncation marks such as `Read more` or `[…]`.

    Example:
        >>> strip_link_tail("It rained all day... Read more")
        'It rained all day'
    """
    return peel_link_tail(text)[0]


def peel_link_tail(text: str) -> tuple[str, bool]:
    """The text without trailing link text and truncation marks, and whether a mark was there.

    Example:
        >>> peel_link_tail("and then they … Read more"), peel_link_tail("Done. Read more")
        (('and then they', True), ('Done.', False))
    """
    # Only the tail can hold link text; searching it alone keeps long articles cheap.
    head, tail = _split_tail(text.rstrip())
    peeled, marked = _peeled_tail(tail)
    return head + peeled, marked


@lru_cache(maxsize=16)
def _peeled_tail(tail: str) -> tuple[str, bool]:
    # A record's ending is peeled two or three times (judged, then cut off its body) and its
    # tail is mostly the same each time: peeled once (~4 us a record).
    marked = False
    while True:
        # The search tries every start; the reversed test says first, at the cost of the match
        # alone, whether any link text ends the tail at all (most tails have none).
        m = _TAIL_LINK.search(tail) if _TAIL_LINK_REVERSED.match(tail[::-1]) else None
        if m and m.start() > 0:  # every alternative holds link words, "[…]" or an arrow
            marked |= any(mark in m.group(0) for mark in ("[", "...", "…"))
            tail = tail[: m.start()].rstrip()
            continue
        e = _ELLIPSIS_END.search(tail) if _ends_with_ellipsis(tail) else None
        if e and e.start() > 0:
            marked = True
            tail = tail[: e.start()].rstrip()
            continue
        return tail, marked


def _ends_with_ellipsis(tail: str) -> bool:
    # Whether _ELLIPSIS_END can match a tail that ends in no white space: only where the
    # ellipsis is its last characters. (Searched for, it is tried at every full stop.)
    return tail.endswith(("...", "…")) or (len(tail) >= 5 and tail[-1] == tail[-3] == tail[-5] == "."
                                           and tail[-2].isspace() and tail[-4].isspace())


def _split_tail(text: str, size: int = 500) -> tuple[str, str]:
    if len(text) <= size:
        return "", text
    cut = text.find(" ", len(text) - size)
    cut = len(text) - size if cut < 0 else cut
    return text[:cut], text[cut:]


def has_ellipsis_tail(text: str) -> bool:
    """True when the text ends in a truncation mark, after link text is removed.

    Example:
        >>> has_ellipsis_tail("and then they … Read more"), has_ellipsis_tail("Done. Read more")
        (True, False)
    """
    return peel_link_tail(text)[1]


def strip_furniture_tail(text: str, lines_joined: bool = False) -> str:
    """Drop trailing furniture lines and a furniture phrase after the last sentence.

    `lines_joined` says the text's lines all hold more than white space and are joined by
    "\\n" alone (as story lines are): the search for blank lines is then skipped.

    Example:
        >>> strip_furniture_tail("Prices rose. Photo: AP\\n\\nPrintable version")
        'Prices rose.'
    """
    body = text.rstrip() if lines_joined else _without_blank_lines(text.rstrip())
    while (cut := body.rfind("\n")) >= 0 and is_boilerplate_line(body[cut + 1:]):
        body = body[:cut]
    body = body.rstrip()
    end = last_sentence_end(body)
    if end is not None and end < len(body) and is_boilerplate_line(body[end:]):
        body = body[:end].rstrip()
    return body


_ODD_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what splitlines() cuts on besides \n
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def _without_blank_lines(text: str) -> str:
    """`text`'s lines that hold more than white space, joined by newlines."""
    # Most texts reaching here are such lines already (story lines, or what a pass of
    # the ending peel left): a few searches at C speed say so without a split and a join
    # (one `in` a character is a memchr; a regex class is tried character by character).
    blank_first_line = "\n" in text and not text.partition("\n")[0].strip()
    if not blank_first_line and not _BLANK_LINE.search(text) and not any(c in text for c in _ODD_LINE_BREAKS):
        return text
    return "\n".join(ln for ln in text.splitlines() if ln.strip())


FURNITURE_MAX_CHARS = 200  # a longer line is never furniture
_FURNITURE_STARTS = ("photo", "picture", "image", "file", "video", "print", "e-mail", "email", "share", "tweet",
                     "comment", "click", "tap", "sign", "subscribe", "updated", "posted", "published", "last",
                     "related", "advertisement", "sponsored", "copyright", "all", "additional", "reporting",
                     "follow", "this", "by", "read", "continue")  # _BOILERPLATE_LINE's first words
_FURNITURE_HEAD = max(map(len, _FURNITURE_STARTS))  # how much of a line the first-word test reads


def is_boilerplate_line(line: str) -> bool:
    """True for a feed furniture line: photo credit, byline, "Read more", copyright.

    Example:
        >>> is_boilerplate_line("Photo: Reuters"), is_boilerplate_line("Prices rose.")
        (True, False)
    """
    line = line.strip()
    if not line or len(line) > FURNITURE_MAX_CHARS:
        return False
    # Each alternative starts with one of these words; most lines start otherwise, and the
    # test (ASCII lines only: there case folding is plain) is a tenth of the match's cost.
    if line.isascii() and not line[:_FURNITURE_HEAD].lower().startswith(_FURNITURE_STARTS):
        return False
    return bool(_BOILERPLATE_LINE.match(line))


def split_kicker(text: str) -> tuple[str | None, str]:
    """Split an ALL-CAPS kicker ("ROYAL TARGET: ...") off the front of a text.

    Example:
        >>> split_kicker("ROYAL TARGET: After Prince Andrew lost")
        ('ROYAL TARGET', 'After Prince Andrew lost')
    """
    m = _KICKER.match(text)
    if not m:
        return None, text
    kicker = m.group(1)
    letters = [c for c in kicker if c.isalpha()]
    if len(letters) < 3 or not all(c.isupper() for c in letters):
        return None, text
    return kicker, text[m.end():]


def strip_dateline(text: str) -> str:
    """Remove a leading wire dateline such as `LONDON (Reuters) - `.

    Example:
        >>> strip_dateline("LONDON, Aug 8 (AP) — Shares fell.")
        'Shares fell.'
    """
    m = _DATELINE.match(text)
    if not m:
        return text
    head = m.group(0)
    place = re.split(r"[,(:\-–—]", head, maxsplit=1)[0].strip()
    # Only an agency credit, an upper-case place, a date, or one word and a colon ("London: ")
    # makes it a dateline, not a clause ("Shares fell - sharply").
    one_word_label = head.rstrip().endswith(":") and len(place.split()) == 1
    if "(" in head or (place.isupper() and len(place) > 1) or one_word_label \
            or re.search(r",\s*[A-Z][a-z]{2,8}\.?\s+\d", head):
        return text[m.end():]
    return text


# ---------------------------------------------------------------- names and numbers

# A number stands alone or carries a unit ("£79.7m", "1990s", "5%"); OCR's "0F" or "be1ieves" is no number.
# Each look-behind follows the first character: a pattern that opens on a character class is
# searched for that class at C speed, one that opens on a look-behind is tried at every offset.
_NUMBER = r"\d(?<![\w.,]\d)\d*(?:[.,]\d+)*(?:m|bn|k|p|s|st|nd|rd|th)?(?!\w)"
_NAME = r"[A-Z](?<!\w[A-Z])[\w'’]*"
_NAME_OR_NUMBER = re.compile(f"{_NUMBER}|{_NAME}")
# Searched apart (twice as fast as the alternation) unless a digit follows an apostrophe: only
# there can a name ("I'11", OCR for "I'll") hold what would otherwise be a number.
_NUMBERS, _NAMES, _APOSTROPHE_DIGIT = re.compile(_NUMBER), re.compile(_NAME), re.compile(r"['’]\d")
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
# Each number word as a whole run of lower-case letters, tried only where a substring test finds it.
_NUMBER_WORD_RUNS = [(w, n, re.compile(rf"{w}(?![a-z])(?<![a-z]{w})")) for w, n in _NUMBER_WORDS.items()]
_NUMBER_WORD_TABLE = np.array([list(w.encode().ljust(9, b"\0")) for w in _NUMBER_WORDS], dtype=np.uint8)
_NEXT_CAPITAL = re.compile(r"\s+[A-Z]")
_NOT_NAMES = frozenset("""
mr mrs ms dr sir the a an he she it they we i in on at but and or if as this that these those there
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december
""".split())


def names_and_numbers(text: str) -> frozenset[str]:
    """Capitalised words inside sentences and numbers: the slot values that tell apart two
    stories written from one template ("Shares in Acme rose 5%" vs "Shares in Zeta rose 3%").

    Example:
        >>> sorted(names_and_numbers("Shares in Acme Corp rose 4,000 points to £79.7m on Friday. They fell."))
        ['4000', '79.7', 'acme', 'corp']
    """
    if not text.isascii():
        return _names_and_numbers_re(text)
    # ASCII text (most of it): one compiled pass finds the names and number words, the
    # definition below stays for the rest (tests/test_text.py checks the two agree).
    spans, found_words, has_digit, apostrophe_digit = kernels.ascii_names(codepoints(text), _NUMBER_WORD_TABLE)
    if apostrophe_digit:
        return _names_and_numbers_re(text)
    found = {n for bit, n in enumerate(_NUMBER_WORDS.values()) if found_words >> bit & 1} if found_words else set()
    if has_digit:
        found.update(_number(n) for n in _NUMBERS.findall(text))
    for start, end in spans.tolist():
        _add_name(found, text[start:end])
    return frozenset(found)


def _names_and_numbers_re(text: str) -> frozenset[str]:
    # names_and_numbers by regular expressions: the definition, and the path for non-ASCII text.
    # "five per cent" in one copy is "5%" in another.
    lowered = text.lower()
    found = {n for w, n, run in _NUMBER_WORD_RUNS if w in lowered and run.search(lowered)}
    if _APOSTROPHE_DIGIT.search(text):
        matches = _NAME_OR_NUMBER.finditer(text)
    else:
        found.update(_number(n) for n in _NUMBERS.findall(text))
        matches = _NAMES.finditer(text)
    for m in matches:
        token = m.group()
        if token[0].isdigit():
            found.add(_number(token))
            continue
        start, end = m.span()
        before = text[max(0, start - 3): start].rstrip()
        if (not before or before[-1] in ".!?\"'“‘:—-(\n") and not _NEXT_CAPITAL.match(text, end):
            continue  # capitalised because it opens a sentence; "Fenwick Foods ..." still counts
        _add_name(found, token)
    return frozenset(found)


def _add_name(found: set[str], token: str) -> None:
    word = token.lower()
    if word[-1] in "'’":  # possessive: "Acme's", "Jones'"
        word = word[:-1]
    elif word[-2:] in ("'s", "’s"):
        word = word[:-2]
    if len(word) > 1 and word not in _NOT_NAMES:
        found.add(word)


def _number(token: str) -> str:
    return token.replace(",", "").rstrip(string.ascii_lowercase)  # "4,000" is "4000", "5m" is "5"


_HEADLINE_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def headline_names(title: str) -> frozenset[str] | None:
    """Names and numbers of a sentence-case headline; None for Title Case, where every word
    is capitalised and capitals say nothing.

    Example:
        >>> sorted(headline_names("Fenwick Foods names new boss")), headline_names("Pope Visits The Gulf")
        (['fenwick', 'foods'], None)
    """
    words = [w for w in _HEADLINE_WORD.findall(title) if len(w) > 3]
    if not words or sum(w[0].isupper() for w in words) > 0.6 * len(words):
        return None
    return names_and_numbers(title)


# ---------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov govs sen sens rep reps rev hon pres
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
inc ltd co corp plc llc bros dept univ assn est approx vs etc al fig no nos vol pp
u.s u.k u.n e.u a.m p.m i.e e.g d.c n.y l.a u.s.a ph.d
""".split())
_CLOSERS = "\"')\\]\u2019\u201d\u00bb"
_OPENERS = "\"'(\\[\u2018\u201c\u00ab"
_SENTENCE_END = re.compile(rf"[.!?]+[{_CLOSERS}]*(?=\s+[{_OPENERS}]?[A-Z0-9\u00c0-\u024f]|\s*$)")
_TERMINAL = re.compile(rf"[.!?][{_CLOSERS}]*\s*$|[.!?]\s*[{_CLOSERS}]+\s*$")
_END_RUN = ".!?" + _CLOSERS.replace("\\", "") + "".join(c for c in map(chr, range(0x3001)) if c.isspace())
FUNCTION_WORDS = frozenset("""
a an the and or but nor of to in on at by for with from as into onto over under about after
before between through during against among than that which who whom whose this these those
its his her their our your my is are was were be been being has have had do does did will would
shall should can could may might must no if because while when where whether although
though since until unless just very such both either neither each every some any
he she they we i you according including per via amid
""".split())


# Abbreviations packed as kernels.passage_keys compares them: up to 8 ASCII bytes in a uint64.
_PACKED_ABBREVIATIONS = np.array(sorted(int.from_bytes(w.encode("ascii"), "big") for w in _ABBREVIATIONS),
                                 dtype=np.uint64)
# Punctuation and spaces of Unicode that `compact` removes and that never combine with a
# neighbour under NFKC: a sentence holding only these besides ASCII compacts as ASCII does.
_COMPACTS_AWAY = "".join(
    ch for ch in "".join(_FOLD_TABLE) + "\u2026\u2022\u00b7\u00a9\u00ae\u00b0\u2009\u202f\u2002\u2003"
    "\u200a\u3000\u2039\u203a\u2020\u2021\u00a7\u00b6"
    if unicodedata.combining(ch) == 0 and not _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", ch)))


@cache
def _codepoint_properties(ascii_only: bool) -> np.ndarray:
    """kernels' property flags of every code point of the Basic Multilingual Plane (ASCII alone: 128)."""
    chars = [chr(c) for c in range(128 if ascii_only else 0x10000)]
    lowered = list(map(str.lower, chars))
    props = np.zeros(0x10000, dtype=np.uint8)
    n = len(chars)
    props[:n] |= np.fromiter(map(str.isalpha, chars), bool, n) * np.uint8(kernels.ALPHA)
    props[:n] |= np.fromiter(map(str.isspace, chars), bool, n) * np.uint8(kernels.SPACE)
    props[:n] |= np.fromiter((not w.isascii() for w in lowered), bool, n) * np.uint8(kernels.LOWER_NOT_ASCII)
    props[:n] |= np.fromiter((len(w) == 1 for w in lowered), bool, n) * np.uint8(kernels.LOWER_ONE)
    for ch in _COMPACTS_AWAY:
        props[ord(ch)] |= kernels.COMPACTS_AWAY
    return props


def codepoints(text: str) -> np.ndarray:
    """The text's code points as an array, what the compiled kernels read: uint8 for ASCII, else uint32.

    Example:
        >>> codepoints("Hi").tolist(), codepoints("Hi").dtype.name, codepoints("é").dtype.name
        ([72, 105], 'uint8', 'uint32')
    """
    if text.isascii():  # a byte a character: a quarter of the copying, the same code points
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def sentence_codes(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The text as code points, with the tables `kernels.passage_keys` reads sentence ends by.

    Example:
        >>> codes, props, abbreviations = sentence_codes("Hi. Bye.")
        >>> codes.tolist()[:3], int(props[ord(" ")]) & kernels.SPACE > 0
        ([72, 105, 46], True)
    """
    # For ASCII text only the ASCII part of the table is read: the cheap one will do.
    return codepoints(text), _codepoint_properties(text.isascii()), _PACKED_ABBREVIATIONS


def _is_abbreviation(text: str, dot: int) -> bool:
    if dot >= 7 and text[dot - 7:dot].isalpha():
        return False  # seven letters and more: longer than any abbreviation, and not an initial
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower().strip(".")
    if not word:
        return False
    # Single letters are initials ("George W. Bush"), dotted runs are acronyms ("U.S.").
    return word in _ABBREVIATIONS or len(word) == 1


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence end (abbreviations and initials are not ends).

    Example:
        >>> t = "Prices rose in the U.S. on Feb. 3. Then they fell."
        >>> [t[:i] for i in sentence_ends(t)]
        ['Prices rose in the U.S. on Feb. 3.', 'Prices rose in the U.S. on Feb. 3. Then they fell.']
    """
    ends, status = kernels.sentence_ends(*sentence_codes(text))  # compiled: on every hot path
    return ends.tolist() if status == 0 else _sentence_ends_regex(text)


def _sentence_ends_regex(text: str) -> list[int]:
    # The definition, and the way for text the compiled one leaves to Python.
    ends = []
    for m in _SENTENCE_END.finditer(text):
        dot = m.start()
        if text[dot] == "." and m.group(0).startswith(".") and not m.group(0).startswith("..") \
                and _is_abbreviation(text, dot):
            continue
        ends.append(m.end())
    return ends


def last_sentence_end(text: str, window: int = 400) -> int | None:
    """`sentence_ends(text)[-1]`, or None, reading only the tail when it holds an end.

    Example:
        >>> t = "One. Two. " + "x" * 500 + ". Three"
        >>> last_sentence_end(t) == sentence_ends(t)[-1]
        True
    """
    # Start the tail at a space, so no word before a full stop is cut (abbreviations are
    # judged on that whole word) and no run of marks is split.
    start = text.rfind(" ", 0, max(0, len(text) - window)) + 1 if len(text) > window else 0
    end = _last_end(text[start:]) if start else None
    if end is not None:
        return start + end
    return _last_end(text)


def _last_end(text: str) -> int | None:
    end, status = kernels.last_sentence_end(*sentence_codes(text))  # no list of every end made
    if status < 0:
        ends = _sentence_ends_regex(text)
        return ends[-1] if ends else None
    return end if end >= 0 else None


def ends_with_terminal(text: str) -> bool:
    """True when the text ends a sentence (`.`, `!`, `?`, maybe in quotes).

    Example:
        >>> ends_with_terminal('He said "no."'), ends_with_terminal("and then")
        (True, False)
    """
    text = text.rstrip()
    # A match holds only end marks, closers and spaces: search from where those start.
    return bool(_TERMINAL.search(text, len(text.rstrip(_END_RUN))))


def trim_to_last_sentence(text: str) -> str:
    """Cut a text back to its last complete sentence; '' when it holds none.

    Example:
        >>> trim_to_last_sentence("Talks ended on Feb. 10. The U.S. said it would")
        'Talks ended on Feb. 10.'
    """
    body = strip_link_tail(text)
    ends = sentence_ends(body)
    return body[: ends[-1]].rstrip() if ends else ""


_WORD = re.compile(r"[\w'’-]+")


def last_word(text: str) -> str:
    """The last word of a text, lower-case, without punctuation.

    Example:
        >>> last_word("the high-water mark for the")
        'the'
    """
    words = _WORD.findall(text[-80:])
    return words[-1].lower().strip("'’-") if words else ""


def unclosed_quote(text: str) -> bool:
    """True when a double quote was opened and never closed.

    Example:
        >>> unclosed_quote('He said: "We will'), unclosed_quote('"Yes," he said')
        (True, False)
    """
    text = text.rstrip().splitlines()[-1] if text.strip() else text
    t = text.replace("\u201c", "\u0001").replace("\u201d", "\u0002")
    if "\u0001" in t or "\u0002" in t:
        return t.count("\u0001") > t.count("\u0002")
    return t.count('"') % 2 == 1
