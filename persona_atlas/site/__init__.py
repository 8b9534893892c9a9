"""Site side: page templates, the publishing gate and the MkDocs build, nothing else."""
