"""Chat-template structure, found through the tokenizer rather than hard-coded token ids.

The template is rendered with sentinel strings to learn its literal pieces (what comes before
the system prompt, between it and the question, after the question). A prompt is then
rendered and tokenised with character offsets; the system prompt is located right after the
template's head (not searched for: a short prompt such as "system" also occurs in the head)
and must be followed by the piece that closes it; the system block's closing token is the
token that starts exactly where the prompt ends (``<|im_end|>`` in ChatML, ``<|eot_id|>`` in
Llama 3). The same pieces reveal a template that injects a default system prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from persona_atlas.errors import AtlasError
from persona_atlas.files import sha256_bytes

_SYS = "SYSTEMSENTINEL7f3a"
_USER = "USERSENTINEL7f3a"
_FAMILIES = {"<|im_end|>": "chatml", "<|eot_id|>": "llama3", "<end_of_turn>": "gemma"}


@dataclass(frozen=True)
class TemplateInfo:
    """What run.json records about the template, plus the literal pieces around messages."""

    family: str
    close_marker: str | None
    chat_template_sha256: str | None
    tokenizer_sha256: str | None
    injects_default_system_prompt: bool
    default_system_prompt: str | None


@dataclass(frozen=True)
class PromptLayout:
    """One templated prompt: its token ids and where the system block closes."""

    ids: list[int]
    close: int | None  # index of the token closing the system block (recipe C2); C3 = close + 1


def render(tokenizer: Any, system: str | None, user: str) -> str:
    messages = [{"role": "user", "content": user}]
    if system is not None:
        messages.insert(0, {"role": "system", "content": system})
    if getattr(tokenizer, "chat_template", None) is None:
        raise AtlasError(
            f"tokenizer {getattr(tokenizer, 'name_or_path', '?')!r} has no chat template",
            hint="recipes A, B, C2 and C3 are defined on the chat template; use an instruct model",
        )
    try:
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    except Exception as exc:  # jinja raises plain exceptions, e.g. "System role not supported"
        raise AtlasError(
            f"the chat template cannot render a system prompt: {exc}",
            hint="recipes need a template with a system role",
        ) from None
    return str(text)


def _tokens(tokenizer: Any, text: str) -> tuple[list[int], list[tuple[int, int]]]:
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]


def pieces(tokenizer: Any) -> tuple[str, str]:
    """The template's literal text before the system prompt (its head) and between the
    system prompt and the user message, learned by rendering sentinel strings."""
    head, _, rest = render(tokenizer, _SYS, _USER).partition(_SYS)
    return head, rest.partition(_USER)[0]


def system_start(tokenizer: Any, text: str, system: str) -> int:
    """Where the system prompt starts in a rendered prompt: right after the template's head.

    Searching the text would find a short prompt inside the head itself ("system" is in
    ChatML's ``<|im_start|>system``), so the prompt is located by the head's length.
    """
    head, mid = pieces(tokenizer)
    body = text[len(head) :] if text.startswith(head) else None
    if body is not None and body.startswith(system) and body[len(system) :].startswith(mid):
        return len(head)
    if body is not None and system != system.strip() and body.startswith(system.strip()):
        # e.g. Llama 3's `| trim`; what the model sees is the stripped prompt, so recipe C1
        # (the raw prompt) would no longer read the same text: fix the file, don't guess
        raise AtlasError(
            "the chat template strips whitespace around the system prompt, and this persona "
            f"prompt starts or ends with whitespace: {system[:30]!r}…{system[-30:]!r}",
            hint="strip the prompts in the personas file (in YAML, `|-` instead of `|` drops "
            "the final newline)",
        )
    raise AtlasError(
        "the chat template rewrote the system prompt, or does not close it the same way for "
        f"every prompt: cannot locate the system block of the prompt starting {system[:60]!r}",
        hint="recipes C2/C3 need the template's system block; drop them from extract.recipes "
        "for this model",
    )


def layout(tokenizer: Any, system: str, user: str, *, need_close: bool = True) -> PromptLayout:
    """Tokenise ``template(system, user, add_generation_prompt=True)`` and locate the close."""
    text = render(tokenizer, system, user)
    ids, offsets = _tokens(tokenizer, text)
    if not need_close:
        return PromptLayout(ids, None)
    end = system_start(tokenizer, text, system) + len(system)
    close = next((i for i, (a, b) in enumerate(offsets) if a >= end and b > a), None)
    if close is None or offsets[close][0] != end or close + 1 >= len(ids):
        raise AtlasError(
            "recipes C2/C3: no token of the template starts where the system prompt ends, "
            "so the token that closes the system block cannot be located",
            hint=f"system prompt ends {system[-40:]!r}; rendered: {text[end : end + 40]!r}",
        )
    return PromptLayout(ids, close)


def close_marker(tokenizer: Any, system: str, user: str) -> str:
    """The token string that closes the system block; it must be a special (added) token."""
    lay = layout(tokenizer, system, user)
    assert lay.close is not None
    tok_id = lay.ids[lay.close]
    added = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    text = tokenizer.convert_ids_to_tokens(tok_id)
    if tok_id not in added:
        raise AtlasError(
            f"recipes C2/C3: the system prompt is followed by the ordinary token {text!r}, "
            "not a special token that closes a system block (the template may fold the "
            "system prompt into the user turn)",
            hint="drop C2 and C3 from extract.recipes for this model",
        )
    return str(text)


def inspect_template(tokenizer: Any, *, need_close: bool) -> TemplateInfo:
    """Family, hashes and default-system-prompt injection of the tokenizer's template."""
    with_sys = render(tokenizer, _SYS, _USER)
    head, mid = pieces(tokenizer)
    user_only = render(tokenizer, None, _USER).partition(_USER)[0]
    injected: str | None = None
    if (
        len(user_only) >= len(head) + len(mid)
        and user_only.startswith(head)
        and user_only.endswith(mid)
    ):
        injected = user_only[len(head) : len(user_only) - len(mid)]
    marker = close_marker(tokenizer, _SYS, _USER) if need_close else None
    template = tokenizer.chat_template
    backend = getattr(tokenizer, "backend_tokenizer", None)
    return TemplateInfo(
        family=_FAMILIES.get(marker or "", "unknown") if marker else _guess_family(with_sys),
        close_marker=marker,
        chat_template_sha256=sha256_bytes(str(template).encode()) if template else None,
        tokenizer_sha256=sha256_bytes(backend.to_str().encode()) if backend else None,
        injects_default_system_prompt=injected is not None,
        default_system_prompt=injected,
    )


def _guess_family(rendered: str) -> str:
    return next((fam for m, fam in _FAMILIES.items() if m in rendered), "unknown")


def raw_ids(tokenizer: Any, system: str) -> list[int]:
    """Recipe C1's sequence: the raw system prompt, no chat template (tokenizer's own BOS)."""
    return list(tokenizer(system, add_special_tokens=True)["input_ids"])
