#!/usr/bin/env python3
"""Build the frozen app (PyInstaller, ``build.spec``) and smoke-test it.

    .venv/bin/python scripts/build_frozen.py [--smoke] [--dist DIR] [--work DIR]
    .venv/bin/python scripts/build_frozen.py --smoke-only      # test an existing build

Builds ``dist/OMWorkbench/`` (work files in ``build/``; both ignored by git) with
the PyInstaller of the interpreter running this script, prints the build time,
the folder's size and its ten largest items. With ``--smoke`` the built
programs are run in a fresh temporary data folder — every ``OMW_*`` variable
cleared except those set here, the key file instead of the OS keyring,
``QT_QPA_PLATFORM=offscreen`` — one line per step:

    help          omw --help
    init          omw init: the store and the built-in contracts
    demo          omw demo: three months of demo records for portal-om
    due           omw due --json
    template      omw template attach: a client Word template is test-rendered in the render
                  child process (forked from the frozen executable run as multiprocessing's
                  fork server on Linux, spawned elsewhere); a template
                  bomb is refused in Chinese within seconds
    export        omw export month of the first demo month (Word, Excel, zip, signatures;
                  the monthly report through the client template, in the child process)
    verify        omw verify of the zip and the folder; a changed file must fail
    pack          omw pack encrypt / decrypt (AES zip), then verify the copy
    encrypted     omw init --encrypt (SQLCipher, key file); open it; a wrong passphrase refused
    window        the window (OMWorkbench) started offscreen: it takes the store, answers a
                  second launch, checks the store at start in its child process (multiprocessing
                  spawn; it prints what the check found, except on Windows), and is closed
    window-xcb    the same on a real X server (Xvfb), when Xvfb is installed (Linux)

Any failure stops with a message and exit code 1. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import locale
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
APP_NAME = "OMWorkbench"  # the COLLECT folder and the window's executable
CLI_NAME = "omw"
EXE = ".exe" if os.name == "nt" else ""

BUILD_TIMEOUT = 1800
STEP_TIMEOUT = 180
DEMO_CONTRACT = "portal-om"
#: the first demo month, the one exported, then ended at least a month ago: its PM has
#: countersigned every record (the latest days' wait in the 复核 queue)
DEMO_MONTHS = 3
PASSPHRASE = "smoke-test-口令-2026"  # the key file's (OMW_PASSPHRASE)
PACK_PASSPHRASE = "运维工作台冒烟测试口令Abc123"  # the encrypted pack's (OMW_PACK_PASSPHRASE)
USER = "冒烟测试"
#: The window closes itself this long after it is shown when the app supports
#: OMW_CLOSE_AFTER_MS; otherwise the smoke test ends it.
CLOSE_HOOK = "OMW_CLOSE_AFTER_MS"
CLOSE_AFTER_MS = 8000
WINDOW_START_TIMEOUT = 90
#: The client template of the smoke test: its deliverable and a text only it prints.
CLIENT_DELIVERABLE = "monthly-report"
CLIENT_MARKER = "冒烟客户模板"
#: Nested loops of 10**10 iterations in all: refused (app/export/budget.py) within seconds.
TEMPLATE_BOMB = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
BOMB_SECONDS = 30


class SmokeError(Exception):
    pass


# ----------------------------------------------------------------------------- build


def build(dist: Path, work: Path, verbose: bool) -> float:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        sys.exit(f"未安装 PyInstaller / missing: {sys.executable} -m pip install pyinstaller")
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--log-level",
        "INFO" if verbose else "WARN",
        str(SPEC),
    ]
    print("构建 / building:", " ".join(command), flush=True)
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=ROOT, timeout=BUILD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        sys.exit(f"构建超时 / the build took more than {BUILD_TIMEOUT} s")
    seconds = time.monotonic() - started
    if result.returncode:
        sys.exit(f"构建失败 / PyInstaller failed (exit code {result.returncode})")
    print(f"构建完成 / built in {seconds:.0f} s: {dist / APP_NAME}", flush=True)
    return seconds


# ------------------------------------------------------------------------------ size


def _size(path: Path) -> int:
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(_size(child) for child in path.iterdir()) if path.is_dir() else 0


def report_size(folder: Path) -> None:
    internal = folder / "_internal"
    items = [p for p in folder.iterdir() if p != internal]
    if internal.is_dir():
        items += list(internal.iterdir())
    sizes = sorted(((_size(p), p) for p in items), key=lambda item: -item[0])
    total = _size(folder)
    print(f"大小 / size: {total / 2**20:.0f} MB  {folder}")
    for size, path in sizes[:10]:
        print(f"  {size / 2**20:7.1f} MB  {path.relative_to(folder).as_posix()}")


# ----------------------------------------------------------------------------- smoke


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(locale.getpreferredencoding(False), errors="replace")


def word_file(*paragraphs: str) -> bytes:
    """A minimal .docx (made with the standard library) of one paragraph per text."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:document xmlns:w="{w}"><w:body>{body}<w:sectPr/></w:body></w:document>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
    return out.getvalue()


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


class Smoke:
    def __init__(self, folder: Path, temp: Path) -> None:
        self.folder = folder
        self.cli = folder / (CLI_NAME + EXE)
        self.gui = folder / (APP_NAME + EXE)
        self.temp = temp
        self.data = temp / "data"
        self.env = self._environment()
        self.month = ""
        self.pack: dict[str, str] = {}
        self.client_template = False

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OMW_")}
        home = self.temp / "home"
        scratch = self.temp / "tmp"
        for folder in (home, scratch):
            folder.mkdir(parents=True, exist_ok=True)
        env.update(
            OMW_DATA_DIR=str(self.data),
            OMW_USER=USER,
            OMW_SECRET_STORE="file",  # never the real OS keyring …
            OMW_PASSPHRASE=PASSPHRASE,
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # … not even by accident
            QT_QPA_PLATFORM="offscreen",
            PYTHONIOENCODING="utf-8",
            TMPDIR=str(scratch),
            TEMP=str(scratch),
            TMP=str(scratch),
        )
        if os.name == "nt":
            env.update(APPDATA=str(home), LOCALAPPDATA=str(home))
        else:
            env.update(
                HOME=str(home),
                XDG_CONFIG_HOME=str(home / ".config"),
                XDG_DATA_HOME=str(home / ".local" / "share"),
                XDG_CACHE_HOME=str(home / ".cache"),
            )
        return env

    # -- running the programs

    def omw(
        self,
        *args: str,
        expect: int = 0,
        env: dict[str, str] | None = None,
        timeout: float = STEP_TIMEOUT,
    ) -> tuple[str, str]:
        command = [str(self.cli), *args]
        try:
            result = subprocess.run(
                command,
                env=env or self.env,
                cwd=self.temp,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SmokeError(
                f"`omw {' '.join(args)}` 超时 / timed out after {timeout:.0f} s"
            ) from None
        out, err = _decode(result.stdout), _decode(result.stderr)
        if result.returncode != expect or "Traceback (most recent call last)" in err:
            raise SmokeError(
                f"`omw {' '.join(args)}` exit code {result.returncode} (expected {expect})\n"
                f"{_tail(out)}\n{_tail(err)}"
            )
        return out, err

    def omw_json(self, *args: str) -> dict:
        out, _ = self.omw(*args, "--json")
        try:
            return json.loads(out)
        except ValueError:
            raise SmokeError(
                f"`omw {' '.join(args)} --json` printed no JSON:\n{_tail(out)}"
            ) from None

    # -- the steps; each returns its one-line result

    def step_help(self) -> str:
        out, _ = self.omw("--help")
        missing = [c for c in ("init", "due", "export", "verify", "encrypt") if c not in out]
        if "用法：omw" not in out or missing:
            raise SmokeError(f"--help lacks {missing or 'usage'}:\n{_tail(out)}")
        version, _ = self.omw("--version")
        return f"{version.strip()}, {len(out.splitlines())} lines of help"

    def step_init(self) -> str:
        out, _ = self.omw("init")
        if "已载入合同" not in out or DEMO_CONTRACT not in out:
            raise SmokeError(f"init did not load the contracts:\n{_tail(out)}")
        profiles = self.omw_json("profiles")
        codes = [c["code"] for c in profiles["contracts"]]
        return f"store {self.data.name}/omw.sqlite3, contracts {', '.join(codes)}"

    def step_demo(self) -> str:
        out, _ = self.omw(
            "demo", "--contract", DEMO_CONTRACT, "--months", str(DEMO_MONTHS), timeout=600
        )
        first = re.search(r"(\d{4}-\d{2})-\d{2} 至 ", out)
        if first:  # the first month of the demo is complete
            self.month = first.group(1)
        else:
            self.month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        counts = re.search(r"巡检 (\d+) 次.*?服务请求 (\d+) 件", out)
        if not counts or counts.group(1) == "0":
            raise SmokeError(f"demo made no records:\n{_tail(out)}")
        return f"{DEMO_CONTRACT}: {counts.group(1)} inspections, {counts.group(2)} calls"

    def step_due(self) -> str:
        data = self.omw_json("due", "--contract", DEMO_CONTRACT)
        if data.get("contract") != DEMO_CONTRACT or "counts" not in data:
            raise SmokeError(f"unexpected due JSON: {str(data)[:300]}")
        counts = ", ".join(f"{k} {v}" for k, v in data["counts"].items())
        return f"{data['date']}: {len(data['items'])} items ({counts})"

    def step_template(self) -> str:
        good = self.temp / "客户月报.docx"
        good.write_bytes(
            word_file(f"{CLIENT_MARKER} {{{{ contract.name }}}} {{{{ period.label }}}}")
        )
        where = ("--contract", DEMO_CONTRACT, "--deliverable", CLIENT_DELIVERABLE)
        began = time.monotonic()
        out, _ = self.omw("template", "attach", str(good), *where)
        if "已为交付物" not in out:
            raise SmokeError(f"attaching a client template said:\n{_tail(out)}")
        attached = time.monotonic() - began
        bomb = self.temp / "bomb.docx"
        bomb.write_bytes(word_file(TEMPLATE_BOMB))
        began = time.monotonic()
        _, err = self.omw("template", "attach", str(bomb), *where, expect=2, timeout=120)
        refused = time.monotonic() - began
        if "超出渲染限制" not in err or refused > BOMB_SECONDS:
            raise SmokeError(
                f"the template bomb was not refused in time ({refused:.0f} s):\n{_tail(err)}"
            )
        self.client_template = True
        return f"attached in {attached:.1f} s; a template bomb refused in {refused:.1f} s"

    def step_export(self) -> str:
        out_dir = self.temp / "export"
        data = self.omw_json(
            "export",
            "month",
            "--contract",
            DEMO_CONTRACT,
            "--month",
            self.month,
            "--out",
            str(out_dir),
        )
        folder, archive = Path(data["folder"]), Path(data["zip"])
        signature = Path(data["zip_signature"])
        for path in (folder, archive, signature, folder / "manifest.json.minisig"):
            if not path.exists():
                raise SmokeError(f"export did not write {path}")
        files = [p.name for p in folder.iterdir()]
        kinds = {Path(name).suffix for name in files}
        if not {".docx", ".xlsx"} <= kinds:
            raise SmokeError(f"export lacks Word or Excel files: {files}")
        if self.client_template:  # the monthly report went through the client template
            report = next((p for p in folder.rglob("*运维月报*.docx")), None)
            if report is None:
                raise SmokeError(f"export lacks the monthly report: {files}")
            with zipfile.ZipFile(report) as zf:
                if CLIENT_MARKER not in zf.read("word/document.xml").decode("utf-8"):
                    raise SmokeError(f"{report.name} was not made from the client template")
        self.pack = {"folder": str(folder), "zip": str(archive)}
        size = archive.stat().st_size // 1024
        return f"{self.month}: {data['files']} files + manifest, zip {size} KB, signed"

    def step_verify(self) -> str:
        out, _ = self.omw("verify", self.pack["zip"])
        if "核验通过" not in out:
            raise SmokeError(f"verify of the zip said:\n{_tail(out)}")
        data = self.omw_json("verify", self.pack["folder"])
        if not data.get("ok") or data.get("files_checked") != data.get("files_listed"):
            raise SmokeError(f"verify of the folder: {str(data)[:300]}")
        tampered = self.temp / "tampered"
        shutil.copytree(self.pack["folder"], tampered)
        victim = next(p for p in sorted(tampered.iterdir()) if p.suffix == ".docx")
        with victim.open("ab") as handle:
            handle.write(b"\0")
        self.omw("verify", str(tampered), expect=1)
        checked = f"{data['files_checked']} files, key {data['key_id']}"
        return f"zip and folder pass ({checked}); a changed file fails"

    def step_pack(self) -> str:
        env = dict(self.env, OMW_PACK_PASSPHRASE=PACK_PASSPHRASE)
        encrypted = self.temp / "pack.encrypted.zip"
        self.omw("pack", "encrypt", self.pack["folder"], "--out", str(encrypted), env=env)
        out_dir = self.temp / "decrypted"
        self.omw("pack", "decrypt", str(encrypted), "--out", str(out_dir), env=env)
        copy = out_dir / Path(self.pack["folder"]).name
        data = self.omw_json("verify", str(copy))
        if not data.get("ok"):
            raise SmokeError(f"the decrypted copy does not verify: {str(data)[:300]}")
        return f"AES zip {encrypted.stat().st_size // 1024} KB, decrypted copy verifies"

    def step_encrypted(self) -> str:
        folder = self.temp / "encrypted"
        env = dict(self.env, OMW_DATA_DIR=str(folder))
        recovery = self.temp / "recovery-key.txt"
        out, _ = self.omw("init", "--encrypt", "--recovery-out", str(recovery), env=env)
        if "已加密" not in out or not recovery.is_file():
            raise SmokeError(f"init --encrypt:\n{_tail(out)}")
        header = (folder / "omw.sqlite3").read_bytes()[:16]
        if header.startswith(b"SQLite format 3"):
            raise SmokeError("the encrypted store is a plain SQLite file")
        status, _ = self.omw("key", "status", "--json", env=env)
        state = json.loads(status)
        if state["state"] != "encrypted":
            raise SmokeError(f"key status: {state}")
        due, _ = self.omw("due", "--contract", "internet-om", "--json", env=env)
        json.loads(due)  # the store was opened with the key from the key file
        audit, _ = self.omw("audit", "verify", "--json", env=env)
        if not json.loads(audit)["ok"]:
            raise SmokeError(f"audit of the encrypted store: {audit}")
        wrong = dict(env, OMW_PASSPHRASE="not-the-passphrase")
        _, err = self.omw("due", "--contract", "internet-om", env=wrong, expect=2)
        if "口令" not in err:
            raise SmokeError(f"a wrong passphrase gave:\n{_tail(err)}")
        key = state["key_id"]
        return f"SQLCipher store, key {key} in the key file; opened; wrong passphrase refused"

    def step_window(self, platform: str = "offscreen", display: str | None = None) -> str:
        """Start the window, wait until it holds the store, ask it to come to the front as a
        second launch does, then let it close itself (OMW_CLOSE_AFTER_MS) or end it."""
        settings = self.data / "settings.json"
        if not settings.exists():  # an identity, so the first-start dialog is not shown
            settings.write_text(json.dumps({"name": USER, "role": "运维工程师"}), "utf-8")
        env = dict(self.env, QT_QPA_PLATFORM=platform)
        env[CLOSE_HOOK] = str(CLOSE_AFTER_MS)
        if display is not None:
            env["DISPLAY"] = display
        log = self.temp / f"window-{platform}.log"
        started = time.monotonic()
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(self.gui), "--data-dir", str(self.data)],
                env=env,
                cwd=self.temp,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            return self._watch_window(process, env, log, started)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)

    def _watch_window(
        self, process: subprocess.Popen[bytes], env: dict[str, str], log: Path, started: float
    ) -> str:
        lock = self.data / "omw.lock"
        while True:  # the window holds the store once the lock names its process
            if process.poll() is not None:
                raise SmokeError(
                    f"the window exited (code {process.returncode}) before opening the store:\n"
                    + _tail(_decode(log.read_bytes()))
                )
            with contextlib.suppress(OSError, ValueError):
                if json.loads(lock.read_text("utf-8") or "{}").get("pid") == process.pid:
                    break
            if time.monotonic() - started > WINDOW_START_TIMEOUT:
                raise SmokeError(f"the window did not open the store in {WINDOW_START_TIMEOUT} s")
            time.sleep(0.2)
        opened = time.monotonic() - started
        out, _ = self.omw("--data-dir", str(self.data), env=env, timeout=60)  # a second launch
        if "已在运行" not in out:
            raise SmokeError(f"a second launch did not reach the window:\n{_tail(out)}")
        hook = _app_supports(CLOSE_HOOK)
        wait = CLOSE_AFTER_MS / 1000 + 30 if hook else 2
        try:
            code = process.wait(timeout=wait)
            closed = f"closed itself (exit code {code})"
            if code != 0:
                raise SmokeError(f"the window exited with code {code}")
        except subprocess.TimeoutExpired:
            if hook:
                raise SmokeError(
                    f"the window did not close itself ({CLOSE_HOOK}={CLOSE_AFTER_MS})"
                ) from None
            process.terminate()  # SIGTERM; TerminateProcess on Windows
            process.wait(timeout=30)
            closed = f"ended by the smoke test (the app has no {CLOSE_HOOK} yet)"
        text = _decode(log.read_bytes())
        if "Traceback (most recent call last)" in text:
            raise SmokeError("the window printed a traceback:\n" + _tail(text))
        checked = _app_supports("integrity_apart") and hook and os.name != "nt"
        if checked and "已核查" not in text:  # the window's check at start, in a child process
            raise SmokeError("the check at start did not report:\n" + _tail(text))
        backups = len(list((self.data / "backups").glob("*.omwbak")))
        return (
            f"store opened after {opened:.1f} s, answered a second launch, {closed}; "
            f"{backups} automatic backup(s)" + ("; the check at start reported" if checked else "")
        )

    def step_window_xcb(self) -> str:
        with _xvfb() as display:
            return self.step_window("xcb", display)


def _app_supports(variable: str) -> bool:
    """Whether the app's source (ui/ or app/) reads ``variable``."""
    for package in ("ui", "app"):
        for path in (ROOT / package).rglob("*.py"):
            with contextlib.suppress(OSError):
                if variable in path.read_text("utf-8"):
                    return True
    return False


@contextlib.contextmanager
def _xvfb() -> Iterator[str]:
    """A private X server on a free display; yields ``:N``."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        number = b""
        deadline = time.monotonic() + 30
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            chunk = os.read(read, 16)
            if not chunk:
                break
            number += chunk
        if not number.strip().isdigit():
            raise SmokeError("Xvfb did not start")
        yield f":{number.strip().decode()}"
    finally:
        os.close(read)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def smoke(folder: Path, keep: bool) -> int:
    """Run every step against the built folder; the number of steps that passed."""
    temp = Path(tempfile.mkdtemp(prefix="omw-smoke-"))
    runner = Smoke(folder, temp)
    for program in (runner.cli, runner.gui):
        if not program.is_file():
            sys.exit(f"未找到 / missing: {program} — build first (without --smoke-only)")
    steps: list[tuple[str, object]] = [
        ("help", runner.step_help),
        ("init", runner.step_init),
        ("demo", runner.step_demo),
        ("due", runner.step_due),
        ("template", runner.step_template),
        ("export", runner.step_export),
        ("verify", runner.step_verify),
        ("pack", runner.step_pack),
        ("encrypted", runner.step_encrypted),
        ("window", runner.step_window),
    ]
    if sys.platform.startswith("linux") and shutil.which("Xvfb"):
        steps.append(("window-xcb", runner.step_window_xcb))
    print(f"冒烟测试 / smoke test of {folder} (data: {temp})", flush=True)
    started = time.monotonic()
    try:
        for name, step in steps:
            began = time.monotonic()
            try:
                result = step()  # type: ignore[operator]
            except SmokeError as exc:
                print(f"FAIL {name:<11} {time.monotonic() - began:5.1f} s  {exc}", flush=True)
                print(f"冒烟测试失败 / smoke test failed at step {name!r}", file=sys.stderr)
                print(f"smoke: {steps.index((name, step))} passed, 1 failed", flush=True)
                keep = True
                sys.exit(1)
            print(f"ok   {name:<11} {time.monotonic() - began:5.1f} s  {result}", flush=True)
        print(
            f"冒烟测试通过 / smoke test passed: {len(steps)} steps in "
            f"{time.monotonic() - started:.0f} s"
        )
        return len(steps)
    finally:
        if keep:
            print(f"测试数据保留在 / test data kept in {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="work files (build/)")
    parser.add_argument("--smoke", action="store_true", help="smoke-test the build")
    parser.add_argument("--smoke-only", action="store_true", help="test an existing build")
    parser.add_argument("--keep", action="store_true", help="keep the smoke test's data folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="PyInstaller's full log")
    args = parser.parse_args(argv)
    folder = args.dist.resolve() / APP_NAME
    if not args.smoke_only:
        build(args.dist.resolve(), args.work.resolve(), args.verbose)
    passed = smoke(folder, args.keep) if args.smoke or args.smoke_only else None
    report_size(folder)
    if passed is not None:  # last, in the plain form CI logs are read for
        print(f"smoke: {passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
