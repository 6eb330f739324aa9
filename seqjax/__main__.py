"""``python -m seqjax``: the ``seqjax`` command (see ``seqjax.cli``)."""

from seqjax.cli import main

raise SystemExit(main())
