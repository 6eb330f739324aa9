"""Collection for the doctests of the package (``--doctest-modules``, pyproject.toml): the
``__main__`` modules are commands, run on import, so they are not collected."""

collect_ignore_glob = ["seqjax/__main__.py", "seqjax/*/__main__.py"]
