"""One module per ``atlas`` verb; discovered by ``persona_atlas.cli``."""
