"""One LibreOffice process driven over UNO, serving conversions as JSON lines.

Runs under the interpreter that has ``import uno`` (``/usr/bin/python3`` on
Debian, ``VANBAN_UNO_PYTHON``), not the app venv, so it uses the standard
library only and never imports ``service``. The parent (``service.pdf.worker``)
starts it in its own process group; it starts ``soffice`` in that same group,
so one ``killpg`` ends both.

Protocol: one JSON object a line. After start-up and warm-up the worker writes
``{"ready": true, "office_pid": N}``; then for each request line
``{"id", "input", "output", "pdfa", "tagged", "meta", "destinations"}`` it
writes ``{"id", "ok": true, "seconds"}`` or ``{"id", "ok": false, "error",
"fatal"}``. ``fatal`` means the office process is gone and the worker exits.

    python3 uno_worker.py --soffice PATH --profile DIR [--warm FILE.docx]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.lang import DisposedException  # type: ignore[import-not-found]
from com.sun.star.uno import RuntimeException  # type: ignore[import-not-found]

CONNECT_TIMEOUT = 60.0
DOCX_FILTER = "MS Word 2007 XML"


def _props(**values: Any) -> tuple[Any, ...]:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name = name
        prop.Value = value
        out.append(prop)
    return tuple(out)


def _office_pid(launcher: int) -> int:
    """The pid of soffice.bin (child of oosplash), else the launcher's pid."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == launcher and "soffice.bin" in stat.split(")", 1)[0]:
                return int(entry)
        time.sleep(0.05)
    return launcher


class Office:
    """A headless soffice reached over a named pipe."""

    def __init__(self, soffice: str, profile: Path) -> None:
        self.pipe = f"vanban-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        profile.mkdir(parents=True, exist_ok=True)
        cmd = [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
        ]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sys.stderr
        )
        self.desktop = self._connect()
        self.pid = _office_pid(self.proc.pid)

    def _connect(self) -> Any:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if self.proc.poll() is not None and self.proc.returncode != 81:
                    raise RuntimeError(f"soffice exited with {self.proc.returncode}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        smgr = ctx.ServiceManager
        return smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def convert(self, request: dict[str, Any]) -> None:
        """Load the .docx, set its metadata, export it as PDF."""
        src = Path(request["input"]).resolve().as_uri()
        dst = Path(request["output"]).resolve().as_uri()
        doc = self.desktop.loadComponentFromURL(
            src, "_blank", 0, _props(Hidden=True, FilterName=DOCX_FILTER)
        )
        if doc is None:
            raise ValueError("LibreOffice could not open the document")
        try:
            meta = request.get("meta") or {}
            if meta:
                props = doc.getDocumentProperties()
                for key, attr in (("title", "Title"), ("author", "Author"), ("subject", "Subject")):
                    if meta.get(key):
                        setattr(props, attr, meta[key])
                if meta.get("keywords"):
                    props.Keywords = tuple(meta["keywords"])
            pdfa = bool(request.get("pdfa"))
            data = _props(
                EmbedStandardFonts=True,
                SelectPdfVersion=2 if pdfa else 0,
                UseTaggedPDF=bool(request.get("tagged", pdfa)),
                ExportBookmarks=False,
                # Bookmarks become named destinations: how a merged batch is cut apart.
                ExportBookmarksToPDFDestination=bool(request.get("destinations")),
            )
            filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", data)
            uno.invoke(
                doc,
                "storeToURL",
                (dst, _props(FilterName="writer_pdf_Export", FilterData=filter_data)),
            )
        finally:
            doc.close(True)

    def alive(self) -> bool:
        """Whether soffice is still running."""
        return self.proc.poll() is None

    def close(self) -> None:
        """Terminate soffice politely, then by force."""
        try:
            self.desktop.terminate()
        except Exception:  # the bridge may already be gone
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _fatal(exc: BaseException) -> bool:
    name = type(exc).__name__
    return isinstance(exc, DisposedException | RuntimeException) or "Disposed" in name


def main() -> int:
    """Start soffice, warm it, then serve requests until stdin closes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--warm")
    args = parser.parse_args()
    # Keep the protocol channel private: anything else printing goes to stderr.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)

    def reply(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()

    office = Office(args.soffice, Path(args.profile))
    try:
        if args.warm:
            warm_out = Path(args.profile) / "warm.pdf"
            office.convert({"input": args.warm, "output": str(warm_out)})
            warm_out.unlink(missing_ok=True)
        reply({"ready": True, "office_pid": office.pid})
        return _serve(office, reply)
    finally:
        # Also on a broken pipe (parent gone): never leave a soffice behind.
        office.close()
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), signal.SIGKILL)


def _serve(office: Office, reply: Any) -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        started = time.monotonic()
        try:
            office.convert(request)
        except Exception as exc:  # reported to the parent, traceback on stderr
            fatal = _fatal(exc) or not office.alive()
            traceback.print_exc()
            reply({"id": request.get("id"), "ok": False, "error": repr(exc), "fatal": fatal})
            if fatal:
                return 3
            continue
        elapsed = time.monotonic() - started
        reply({"id": request.get("id"), "ok": True, "seconds": elapsed})
    return 0


if __name__ == "__main__":
    sys.exit(main())
