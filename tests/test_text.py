import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.config import DedupeConfig
from dedupe.teasers import cut_evidence
from dedupe.text import has_ellipsis_tail, split_kicker, strip_dateline, trim_to_last_sentence

CFG = DedupeConfig()


@pytest.mark.parametrize("text, want", [
    ("Talks ended on Feb. 10 in Berlin. The U.S. envoy said he would", "Talks ended on Feb. 10 in Berlin."),
    ("Officials in the U.S. said so. George W. Bush agreed. Then the",
     "Officials in the U.S. said so. George W. Bush agreed."),
    ("“We will win,” he said. “But if that were", "“We will win,” he said."),
    ("He left at 5 p.m. on Monday. She stayed until", "He left at 5 p.m. on Monday."),
    ("No sentence ends here at all and it goes on", ""),
])
def test_trim_to_last_sentence_respects_abbreviations(text, want):
    assert trim_to_last_sentence(text) == want


@pytest.mark.parametrize("text, reason", [
    ("The army said that it had taken the", "cut:function_word"),
    ("Crowds gathered in the square after large crowds turned…", "cut:ellipsis"),
    ("Prices rose sharply over the year [...]", "cut:ellipsis"),
    ("Rain fell. He said: \"We will not", "cut:unclosed_quote"),
    ("Rain fell all day. Rivers burst their banks across the northern valleys", "cut:no_terminal_punctuation"),
])
def test_cut_endings_are_flagged(text, reason):
    assert cut_evidence(text, "", CFG) == [reason]


@pytest.mark.parametrize("text, title", [
    ("Over 200 people backed the campaign to secure the store for the future", ""),
    ("Rain fell all day. Rivers rose.\n\nPhoto: Reuters", ""),
    ("The standfirst is complete. Continue reading...", ""),
    ("Shares rose. Read more", ""),
    ("Elon Musk to meet Israeli leaders", "Elon Musk to meet Israeli leaders"),
    ("A girl, 4, appears in a handout image. (Family Forum/Handout via Reuters)", ""),
])
def test_complete_texts_are_not_teasers(text, title):
    assert cut_evidence(text, title, CFG) == []


def test_kicker_and_dateline():
    assert split_kicker("FREEDOM NO MORE: Today, protests")[0] == "FREEDOM NO MORE"
    assert split_kicker("Mixed Case: not a kicker")[0] is None
    assert strip_dateline("LONDON (Reuters) - Shares fell.") == "Shares fell."
    assert strip_dateline("Shares fell - sharply.") == "Shares fell - sharply."
    assert has_ellipsis_tail("and so… Read more") and not has_ellipsis_tail("Done. Read more »")


@pytest.mark.parametrize("text", [
    "Prices rose for food, fuel and more",
    "It was the best book he had ever read",
    "The minister left the room. Continue reading...",
])
def test_sentence_words_are_not_link_text(text):
    assert cut_evidence(text, "", CFG) == []


def test_ocr_slips_are_not_numbers():
    from dedupe.text import names_and_numbers

    assert names_and_numbers("He be1ieves 0F the 1990s that 5% rose to £7.5bn.") == {"1990", "5", "7.5"}


def test_spelled_numbers_and_one_word_labels():
    from dedupe.text import names_and_numbers

    assert names_and_numbers("Profits dropped five percent to £579.3 million on the 18th.") == {"5", "579.3", "18"}
    assert strip_dateline("London: Pre-tax profits rose.") == "Pre-tax profits rose."


# The one-pass definition names_and_numbers is tuned against (two searches, look-behinds after
# the first character, substring tests before the number-word search).
def _names_and_numbers_reference(text):
    from dedupe.text import _NEXT_CAPITAL, _NOT_NAMES, _NUMBER_WORDS
    found = {_NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS}
    pattern = r"(?<![\w.,])\d+(?:[.,]\d+)*(?:m|bn|k|p|s|st|nd|rd|th)?(?!\w)|\b[A-Z][\w'’]*"
    for m in re.finditer(pattern, text):
        token = m.group(0)
        if token[0].isdigit():
            found.add(re.sub(r"[a-z]+$", "", token.replace(",", "")))
            continue
        before = text[max(0, m.start() - 3): m.start()].rstrip()
        if (not before or before[-1] in ".!?\"'“‘:—-(\n") and not _NEXT_CAPITAL.match(text, m.end()):
            continue
        word = re.sub(r"['’]s?$", "", token.lower())
        if len(word) > 1 and word not in _NOT_NAMES:
            found.add(word)
    return frozenset(found)


NAME_PIECES = ["I'11", "'99", "’5", "Acme's", "Jones'", "Smith’s", "O'Neil", "dO'Neil", "eBay", "McDonald", "one",
               "someone", "Seventeen", "seven", "twenty", "4,000", "£79.7m", "1990s", "5%", "0F", "be1ieves", "3rd",
               "2.5bn", "x9", ",7", ".8", "A", "The", "Fenwick", "Foods", ". ", " ", "\n", ": ", '"', "(", "-", "—",
               "'", "’", "s", "S", "word", "İ", "Ünter", "١٢"]


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(NAME_PIECES), max_size=40).map("".join), st.text(max_size=120)))
def test_names_and_numbers_equal_the_one_pass_definition(text):
    from dedupe.text import names_and_numbers
    assert names_and_numbers(text) == _names_and_numbers_reference(text)


ASCII_NAME_PIECES = [p for p in NAME_PIECES if p.isascii()] + [
    "x'A", "'1", "Mr", "SEVEN", "tenth", "_", "A_b", "\x1c", "\x0b", "\t", "?", "!", "Seven-Ten", "B2B", "  "]


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(ASCII_NAME_PIECES), max_size=40).map("".join),
                 st.text(st.characters(max_codepoint=127), max_size=120)))
def test_names_and_numbers_of_ascii_text_equal_the_regular_expressions(text):
    # ASCII text takes the compiled pass (kernels.ascii_names); the expressions are its definition.
    from dedupe.text import _names_and_numbers_re, names_and_numbers
    assert names_and_numbers(text) == _names_and_numbers_re(text) == _names_and_numbers_reference(text)


LINE_PIECES = ["Photo: Reuters", "Read more", "Share this story", "(c) 2024 Acme", "Prices rose.", "He said",
               "Word", " ", "\t", "\n", "\n\n", "\n \n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1e", "\x1f", "\x85",
               "\u2028", "\u2029", "\u00a0", "\u200b", "e\u0301", "“", "”", "—", "…", ". ", "x"]
line_texts = st.lists(st.sampled_from(LINE_PIECES), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(line_texts, st.text(max_size=120)))
def test_strip_furniture_tail_equals_its_split_and_join_definition(text):
    from dedupe.text import is_boilerplate_line, last_sentence_end, strip_furniture_tail
    lines = [ln for ln in text.rstrip().splitlines() if ln.strip()]
    while len(lines) > 1 and is_boilerplate_line(lines[-1]):
        lines.pop()
    want = "\n".join(lines).rstrip()
    end = last_sentence_end(want)
    if end is not None and end < len(want) and is_boilerplate_line(want[end:]):
        want = want[:end].rstrip()
    assert strip_furniture_tail(text) == want


# Every alternative's first words, alone, in phrases and in other cases; look-alikes outside ASCII.
FURNITURE_WORDS = ["Photo", "photos", "PICTURE", "Image", "file photo", "Video", "Printable", "print this", "E-mail",
                   "email", "Share", "Tweets", "comment", "Click", "tap", "Sign", "up", "now", "Subscribe", "Updated",
                   "published", "posted", "Published", "last", "Related", "stories", "Advertisement", "Sponsored",
                   "Copyright", "©", "All", "rights", "reserved", "Additional", "reporting", "by", "By", "Follow",
                   "us", "This", "story", "appeared", "on", "Read", "more", "Continue", "reading", "Photographer",
                   "Readers", "The", "Prices rose.", ":", "/", "@x", "2024", "İmage", "ſubscribe",
                   "\u017fhare this", " ", "  ", "\t", "PHOTO credit", "Printable version", "PRINT THIS",
                   "e-mail this", "E-MAIL TO A FRIEND",
                   "tweets on x", "CLICK HERE", "Tap here", "Sign up for", "SUBSCRIBE", "last updated",
                   "Share this story", "related topics", "Sponsored content", "All rights reserved.",
                   "Additional reporting by", "Reporting By", "follow @", "This article originally appeared in",
                   "THIS STORY APPEARED FIRST ON", "Continue reading", "read more", "email this", "Tweet",
                   "Related stories", "Additional reporting by x", "last updated 5pm", "Published"]
furniture_lines = st.one_of(*(st.lists(st.sampled_from(FURNITURE_WORDS), max_size=6).map(sep.join)
                              for sep in ("", " ")))


def _furniture_by_regex(line: str) -> bool:
    from dedupe.text import _BOILERPLATE_LINE
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 200 and bool(_BOILERPLATE_LINE.match(stripped))


@settings(max_examples=500, deadline=None)
@given(st.one_of(furniture_lines, st.text(max_size=60)))
def test_furniture_line_test_equals_the_regex(line):
    from dedupe.text import is_boilerplate_line
    assert is_boilerplate_line(line) == _furniture_by_regex(line)


def test_every_furniture_word_is_tried_by_the_regex():
    from dedupe.text import is_boilerplate_line
    for word in FURNITURE_WORDS:
        for line in (word, word.upper(), word.title(), f"{word} 2024", f" {word.lower()}: x"):
            assert is_boilerplate_line(line) == _furniture_by_regex(line), line


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(line_texts, furniture_lines), max_size=8), st.sampled_from(["", "Sign up now", "A title"]))
def test_joined_lines_are_judged_as_any_text(lines, title):
    from dedupe.teasers import judge_ending
    from dedupe.text import strip_furniture_tail
    # What `lines_joined` promises: non-blank lines, "\n" between them (as story lines are).
    text = "\n".join(ln.strip() for part in lines for ln in part.splitlines() if ln.strip())
    assert strip_furniture_tail(text, lines_joined=True) == strip_furniture_tail(text)
    assert judge_ending(text, title, CFG, lines_joined=True) == judge_ending(text, title, CFG)


@settings(max_examples=300, deadline=None)
@given(st.one_of(line_texts, st.text(max_size=120)))
def test_fold_equals_nfkc_then_the_table(text):
    import unicodedata

    from dedupe.text import _FOLD, fold
    assert fold(text) == unicodedata.normalize("NFKC", text).translate(_FOLD)


@settings(max_examples=300, deadline=None)
@given(st.one_of(line_texts, st.text(alphabet="ab .,-\n", max_size=300), st.text(max_size=120)),
       st.integers(0, 40), st.integers(0, 60))
def test_headline_test_on_the_head_equals_compacting_the_whole(text, cut, min_chars):
    from dedupe.features import _opens_with
    from dedupe.text import compact
    whole = compact(text)
    for prefix in (whole[:cut], whole[:cut] + "x"):
        assert _opens_with(text, prefix, min_chars) == (len(whole) >= min_chars and whole.startswith(prefix))


@settings(max_examples=400, deadline=None)
@given(st.one_of(line_texts, st.text(alphabet=" \t\n\x0b\x0c\r\x1c\x1fAaZz09.,'-%", max_size=200),
                 st.text(st.characters(max_codepoint=127), max_size=200), st.text(max_size=80)))
def test_one_pass_normalize_and_compact_equal_their_definitions(text):
    # The compiled ASCII pass against the plain definitions: str.split's white space, str.isalnum.
    from dedupe.text import compact, fold, normalize, normalize_and_compact
    normal = " ".join(fold(text).split()).lower()
    compacted = "".join(c for c in fold(text).lower() if c.isalnum()) if text.isascii() else compact(text)
    assert normalize_and_compact(text) == (normalize(text), compact(text)) == (normal, compacted)
