"""Chat-template structure found through the tokenizer (ChatML and Llama 3)."""

from __future__ import annotations

import pytest

from persona_atlas.errors import AtlasError
from persona_atlas.extract import template
from tests.extract.tiny_models import (
    CHATML_DEFAULT,
    CHATML_NO_DEFAULT,
    FOLDED_TEMPLATE,
    chatml_tokenizer,
    llama3_tokenizer,
)

SYSTEM = "You are a pirate who sails the seven seas."
USER = "Why is the sky blue?"


@pytest.fixture(scope="module")
def chatml():
    return chatml_tokenizer()


@pytest.fixture(scope="module")
def llama3():
    return llama3_tokenizer()


def _tokens(tok, ids):
    return tok.convert_ids_to_tokens(ids)


def test_chatml_close_is_im_end_and_c3_is_the_newline(chatml):
    lay = template.layout(chatml, SYSTEM, USER)
    toks = _tokens(chatml, lay.ids)
    assert toks[lay.close] == "<|im_end|>"
    assert toks[lay.close + 1] == "Ċ"  # byte-level "\n"
    # the close is the first <|im_end|>, right after the system prompt's own tokens
    assert toks.index("<|im_end|>") == lay.close
    assert chatml.decode(lay.ids[: lay.close]).endswith(SYSTEM)
    assert chatml.decode(lay.ids).endswith("<|im_start|>assistant\n")


def test_llama3_close_is_eot_and_c3_is_the_next_header(llama3):
    lay = template.layout(llama3, SYSTEM, USER)
    toks = _tokens(llama3, lay.ids)
    assert toks[0] == "<|begin_of_text|>"
    assert toks[lay.close] == "<|eot_id|>"
    assert toks[lay.close + 1] == "<|start_header_id|>"
    assert toks.index("<|eot_id|>") == lay.close


def test_families_and_markers(chatml, llama3):
    c = template.inspect_template(chatml, need_close=True)
    l3 = template.inspect_template(llama3, need_close=True)
    assert (c.family, c.close_marker) == ("chatml", "<|im_end|>")
    assert (l3.family, l3.close_marker) == ("llama3", "<|eot_id|>")
    assert c.chat_template_sha256 != l3.chat_template_sha256
    assert len(c.tokenizer_sha256 or "") == 64


def test_default_system_prompt_is_detected(chatml, llama3):
    info = template.inspect_template(chatml, need_close=True)
    assert info.injects_default_system_prompt
    assert info.default_system_prompt == CHATML_DEFAULT
    plain = template.inspect_template(chatml_tokenizer(CHATML_NO_DEFAULT), need_close=True)
    assert not plain.injects_default_system_prompt and plain.default_system_prompt is None
    assert not template.inspect_template(llama3, need_close=True).injects_default_system_prompt


def test_c1_uses_the_raw_prompt_with_the_tokenizers_own_bos(chatml, llama3):
    assert _tokens(llama3, template.raw_ids(llama3, SYSTEM))[0] == "<|begin_of_text|>"
    raw = template.raw_ids(chatml, SYSTEM)
    assert chatml.decode(raw) == SYSTEM  # ChatML tokenizers add nothing


def test_folded_system_prompt_has_no_close_marker():
    tok = chatml_tokenizer(FOLDED_TEMPLATE)
    with pytest.raises(AtlasError, match=r"ordinary token 'Ċ'.*fold the system prompt"):
        template.inspect_template(tok, need_close=True)
    # without C2/C3 the same template is fine
    assert template.inspect_template(tok, need_close=False).close_marker is None


def test_template_without_system_role_is_a_clear_error():
    tok = chatml_tokenizer(
        "{% for m in messages %}{% if m['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "{{ m['content'] }}{% endfor %}"
    )
    with pytest.raises(AtlasError, match="cannot render a system prompt: System role not"):
        template.layout(tok, SYSTEM, USER)


def test_tokenizer_without_template_is_a_clear_error():
    tok = chatml_tokenizer()
    tok.chat_template = None
    with pytest.raises(AtlasError, match="has no chat template"):
        template.layout(tok, SYSTEM, USER)


def test_whitespace_a_trimming_template_drops_is_an_error_with_the_fix(llama3, chatml, tmp_path):
    """A YAML `|` block ends the prompt with a newline; Llama 3's template trims it away."""
    from persona_atlas.extract.inputs import load_inputs

    (tmp_path / "q.yaml").write_text("- Why is the sky blue?\n")
    (tmp_path / "p.yaml").write_text(f"pirate: |\n  {SYSTEM}\n")
    block = load_inputs(tmp_path / "p.yaml", tmp_path / "q.yaml").personas["pirate"]
    assert block == SYSTEM + "\n"  # inputs are kept as written
    with pytest.raises(AtlasError, match="strips whitespace around the system prompt") as err:
        template.layout(llama3, block, USER)
    assert "`|-` instead of `|`" in str(err.value)
    (tmp_path / "p.yaml").write_text(f"pirate: |-\n  {SYSTEM}\n")
    stripped = load_inputs(tmp_path / "p.yaml", tmp_path / "q.yaml").personas["pirate"]
    assert _tokens(llama3, template.layout(llama3, stripped, USER).ids).count("<|eot_id|>") == 2
    # ChatML keeps the whitespace, so the model sees it and the close follows it
    lay = template.layout(chatml, block, USER)
    assert chatml.decode(lay.ids[: lay.close]).endswith(SYSTEM + "\n")
    assert _tokens(chatml, lay.ids)[lay.close] == "<|im_end|>"


@pytest.mark.parametrize("prompt", ["system", "s", "tem", "<|im_start|>system"])
@pytest.mark.parametrize(
    ("tok_name", "marker"), [("chatml", "<|im_end|>"), ("llama3", "<|eot_id|>")]
)
def test_a_prompt_that_also_occurs_in_the_header_is_found_after_it(
    request, tok_name, marker, prompt
):
    """ "system" is in ChatML's and Llama 3's own system header: C2/C3 must not read there."""
    tok = request.getfixturevalue(tok_name)
    lay = template.layout(tok, prompt, USER)
    toks = _tokens(tok, lay.ids)
    assert toks[lay.close] == marker
    assert toks.index(marker) == lay.close  # the first close: the system block's own
    head = template.layout(tok, SYSTEM, USER)
    n_head = head.close - len(tok(SYSTEM, add_special_tokens=False)["input_ids"])
    assert tok.decode(lay.ids[n_head : lay.close]) == prompt  # the prompt's own tokens
    assert template.close_marker(tok, prompt, USER) == marker


def test_a_template_that_rewrites_the_prompt_is_a_clear_error():
    upper = CHATML_NO_DEFAULT.replace("message['content']", "message['content'] | upper")
    tok = chatml_tokenizer(upper)
    with pytest.raises(AtlasError, match="cannot locate the system block") as err:
        template.layout(tok, "system", USER)
    assert "drop them from extract.recipes" in str(err.value.hint)
