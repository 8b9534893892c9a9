"""Masking keeps positions and blanks exactly what is not prose."""

from __future__ import annotations

from persona_atlas.lint.prose import mask


def test_mask_keeps_length_newlines_and_positions() -> None:
    text = 'a `x1` b\n{{ value("m.a", ".2f") }} 0.5\n'
    m = mask(text)
    assert len(m.prose) == len(text)
    assert m.prose.count("\n") == text.count("\n")
    offset = text.index("0.5")
    assert m.prose[offset : offset + 3] == "0.5"
    assert m.position(offset) == (2, text.split("\n")[1].index("0.5") + 1)


def test_templates_are_blanked_but_raw_blocks_stay_prose() -> None:
    text = "{% raw %}{{ 0.5 }}{% endraw %} {{ value('a') }} {# 7 #} {% if x %}9{% endif %}"
    m = mask(text)
    kinds = sorted(r.kind for r in m.regions)
    assert kinds.count("template") == 1 and kinds.count("statement") >= 4
    assert "0.5" in m.prose  # inside raw: literal text that the page shows
    assert "value" not in m.prose and "7" not in m.prose
    assert "9" in m.prose  # between statements: prose


def test_front_matter_is_skipped_without_counting() -> None:
    text = "---\nissue: 42\n---\nbody 3\n"
    m = mask(text, body_start=text.index("body"))
    assert "42" not in m.prose and "3" in m.prose
    assert [r.kind for r in m.regions] == ["front"]


def test_comments_links_and_html() -> None:
    text = 'x <!-- 5 --> [a 1](http://h/2 "t 3") ![b](i/4.png) <span id="6">7</span>\n'
    m = mask(text)
    assert "5" not in m.prose and "2" not in m.prose and "3" not in m.prose
    assert "4" not in m.prose and "6" not in m.prose
    assert "1" in m.prose and "7" in m.prose
