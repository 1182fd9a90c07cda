"""Run in a child process by ``bench/run.py``: start the window (or a bare one) and report.

    python bench/paint_probe.py window DATA_DIR   # `omw` on a data folder, as a user starts it
    python bench/paint_probe.py empty             # the floor: an empty QMainWindow

Prints one JSON line once the main window has painted for the first time:
``{"painted": <time.time()>, "rss_mib": …, "cpu_s": …}`` and exits. With
``--settle SECONDS`` it first lets the window run that long (memory after the
background work of the first seconds, e.g. the integrity check).

The window's modules are imported before the probe's own Qt imports, in the order
``omw`` imports them: PySide6 reads the source of every module imported after it
unless ``ui.qt`` came first (see there), which it always does when a user starts ``omw``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def rss_mib() -> float:
    """The process's resident memory now (Linux ``/proc``; else its peak)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    mode = argv[0]
    settle = float(argv[argv.index("--settle") + 1]) if "--settle" in argv else 0.0
    if mode == "window":  # in the order `omw` imports them: its command line, then the
        # window's modules (Qt through ui.qt, which keeps PySide6 from reading their sources)
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        import ui.main  # noqa: F401
        from app.cli.main import main as omw
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])

    def report() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        line = {
            "painted": painted[0],
            "rss_mib": rss_mib(),
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }
        print(json.dumps(line), flush=True)
        os._exit(0)  # no clean-up: what is measured is the start

    painted: list[float] = []

    class FirstPaint(QObject):
        """Watches the application until the first main window appears, then that window only.

        An application-wide Python filter would see every event of every object, each
        wrapped for Python; that cost grows with the widgets a window has (on the app's
        frame ≈ 150 more enum classes created and ≈ 20 ms), so it would be measured as
        the window's own. The same filter watches the empty window of the floor.
        """

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if isinstance(watched, QMainWindow) and not self.parent():
                app.removeEventFilter(self)
                watched.installEventFilter(self)
                self.setParent(watched)
            if not painted and event.type() == QEvent.Type.Paint and self.parent():
                painted.append(time.time())
                QTimer.singleShot(int(settle * 1000), report)
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    if mode == "empty":
        window = QMainWindow()
        window.resize(1200, 760)
        window.show()
        return app.exec()
    return omw(["--data-dir", argv[1]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
