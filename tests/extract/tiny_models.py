"""Tiny offline models for the extraction tests: a random 4-block Qwen2 with a byte-level BPE
trained here (Qwen2's pre-tokenizer regex, ChatML template) and a Llama-3-style tokenizer.
Each builds in well under a second; nothing touches a model hub.
"""

from __future__ import annotations

from pathlib import Path

QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

CHATML_DEFAULT = "You are a tiny helpful assistant."
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\n" + CHATML_DEFAULT + "<|im_end|>\\n' }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
CHATML_NO_DEFAULT = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
LLAMA3_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' "
    "+ message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
    "{% endif %}"
)
# Gemma-like: no system turn; the system prompt is folded into the first user turn.
FOLDED_TEMPLATE = (
    "{% set ns = namespace(sys='') %}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set ns.sys = message['content'] + '\\n\\n' %}"
    "{% else %}{{ '<|im_start|>' + message['role'] + '\\n' + ns.sys + message['content'] "
    "+ '<|im_end|>\\n' }}{% set ns.sys = '' %}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

CORPUS = """
You are a pirate who sails the seven seas and speaks with a rough voice.
You are a careful librarian who knows where every book belongs on the shelves.
You are a cheerful chef who loves fresh bread, garlic and tomatoes from the market.
You are a patient tutor who explains mathematics step by step to curious students.
You are a grumpy critic who finds fault with every film, novel and painting.
What is the best way to learn a new language? How do I cook rice without burning it?
Tell me about the history of the printing press. Why is the sky blue during the day?
Can you recommend a good book for a long journey? What should I do when I feel tired?
Explain how a bicycle stays upright. Which animals live in the deep ocean, and why?
The quick brown fox jumps over the lazy dog. 0123456789 numbers, commas; dots. "quotes"
Ahoy! Arr, matey. Indeed, certainly, perhaps. I think that is a good question to ask.
"""


def train_bpe(special: list[str], vocab_size: int = 420):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([CORPUS] * 4, trainer)
    return tok


def chatml_tokenizer(template: str = CHATML_TEMPLATE):
    from transformers import PreTrainedTokenizerFast

    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    return PreTrainedTokenizerFast(
        tokenizer_object=train_bpe(special),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=template,
    )


def llama3_tokenizer():
    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast

    special = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    raw = train_bpe(special)
    bos = raw.token_to_id("<|begin_of_text|>")
    raw.post_processor = processors.TemplateProcessing(
        single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", bos)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=raw,
        bos_token="<|begin_of_text|>",
        eos_token="<|eot_id|>",
        chat_template=LLAMA3_TEMPLATE,
    )


def tiny_qwen2(tokenizer, seed: int = 0):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2ForCausalLM(config).eval()
    # random init is tiny (std 0.02); widen it so positions and layers differ visibly
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0, 0.2)
    return model


def save_tiny_qwen2(folder: Path, template: str = CHATML_TEMPLATE) -> Path:
    tok = chatml_tokenizer(template)
    model = tiny_qwen2(tok)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder
