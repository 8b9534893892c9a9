"""GPU side: recipes, hooks, batching, generation backends, centroid store, run.json.

The only subpackage that imports torch / transformers / vllm, and only lazily (``deps``), so
``import persona_atlas.extract`` works without them. Reading order:

- ``inputs``   personas / questions files
- ``models``   hub id, local folder, or named local model (GGUF → cached safetensors)
- ``template`` chat-template structure found through the tokenizer
- ``recipes``  the seven recipes as position/pooling rules over token sequences
- ``batching`` token-budget batches, explicit padding and positions
- ``capture``  forward hooks on the requested blocks, early stop, on-device pooling
- ``generate`` greedy responses for B (vLLM or HF ``generate``), as token ids
- ``fused``    HF greedy decoding that captures the question recipes as it goes
- ``persona``  one persona end to end
- ``store``    atomic per-persona parts, resume, merged centroid files
- ``commit``   the merge's staging folder and its commit, run.json last
- ``runinfo``  run.json records; ``runner`` the ``atlas extract`` flow; ``smoke`` the gate
"""
