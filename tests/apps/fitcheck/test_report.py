"""The answer's markdown in the seed's format, whoever writes it."""

from __future__ import annotations

import pytest

from booth.apps.fitcheck.report import SeedMarkdown, seed_line, seed_markdown


@pytest.mark.parametrize(
    "line, expected",
    [
        ("#### Key Strengths\n", "**Key Strengths**\n"),
        ("## Growth Opportunities ##\n", "**Growth Opportunities**\n"),
        ("### **Sources**", "**Sources**"),
        ("- **Go**: five years\n", "- **Go**: five years\n"),
        ("C# and F# are fine\n", "C# and F# are fine\n"),
        ("#hashtag without a space\n", "#hashtag without a space\n"),
    ],
)
def test_a_heading_becomes_a_bold_section_header(line, expected):
    assert seed_line(line) == expected


def test_words_stream_through_and_only_headings_wait_for_their_line_end():
    rewriter = SeedMarkdown()
    assert rewriter.feed("Some ") == "Some "
    assert rewriter.feed("words\n#") == "words\n"
    assert rewriter.feed("### Key Str") == ""
    assert rewriter.feed("engths\n- Go") == "**Key Strengths**\n- Go"
    assert rewriter.feed("\n## Gaps") == "\n"
    assert rewriter.close() == "**Gaps**"


async def test_a_streamed_write_up_keeps_its_text_and_loses_its_headings():
    async def model():
        for piece in ["#### Key ", "Strengths\n- A", "\n- B\n\n####", " Growth Opportunities\n- C"]:
            yield piece

    text = "".join([chunk async for chunk in seed_markdown(model())])
    assert text == "**Key Strengths**\n- A\n- B\n\n**Growth Opportunities**\n- C"
