"""GPU side: recipes, hooks, batching, generation backends, centroid store, run.json.

The only subpackage that imports torch / transformers / vllm, and only lazily.
"""
