"""``python -m app`` and the frozen programs (build.spec): the command line, or the window."""

import multiprocessing

# First of all: in the frozen build a client template's render process
# (app/export/isolation.py, multiprocessing "spawn") re-runs this executable;
# freeze_support() runs the child there and exits. A no-op otherwise.
multiprocessing.freeze_support()

from app.cli.main import main  # noqa: E402

raise SystemExit(main())
