"""PDF speed: the warm pool vs a cold soffice, and the batch path vs one conversion each.

(a) a single 2-page decision (``quyet-dinh-cong-nhan`` example): p50 latency
    through the pool vs ``soffice --headless --convert-to pdf`` started cold
    for each document (its profile created once beforehand, so only process
    start is counted). Targets: p50 <= 400 ms, ratio <= 0.3.
(b) 1,000 ``giay-cong-nhan`` certificates, each with its own number and unit,
    to one PDF each plus merged.pdf through ``convert_many``, vs one pooled
    conversion per document (50 timed with the pool's concurrency, then
    extrapolated to 1,000). Target: <= 40 s in total (<= 40 ms a certificate).

    .venv/bin/python bench/pdf.py [--repeat N] [--count N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pypdf import PdfReader

from config.settings import ROOT
from service import documents, templates
from service.agencies import AgencyDirectory
from service.pdf import ConverterPool, settings

TARGET_P50_MS = 400.0
TARGET_RATIO = 0.3
TARGET_BATCH_S = 40.0


def _cold_ms(docx: bytes, soffice: str, repeat: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="vanban-bench-") as tmp:
        src = Path(tmp) / "doc.docx"
        src.write_bytes(docx)
        profile = (Path(tmp) / "profile").as_uri()
        cmd = [soffice, "--headless", f"-env:UserInstallation={profile}"]
        cmd += ["--convert-to", "pdf", "--outdir", tmp, str(src)]
        subprocess.run(cmd, capture_output=True, check=True)  # creates the profile
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times.append((time.perf_counter() - start) * 1000)
        return times


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print a Markdown table; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="single conversions timed")
    parser.add_argument("--cold", type=int, default=5, help="cold soffice runs timed")
    parser.add_argument("--count", type=int, default=1000, help="certificates in the batch")
    parser.add_argument("--baseline", type=int, default=50, help="single conversions timed")
    args = parser.parse_args(argv)
    _, soffice = settings.check()
    agencies = AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")
    decision = documents.render(
        "quyet-dinh-cong-nhan", templates.get("quyet-dinh-cong-nhan").example(), agencies, number=15
    ).content

    start = time.perf_counter()
    base = templates.get("giay-cong-nhan").example()
    certs = []
    for i in range(args.count):
        data = {**base, "unit": {**base["unit"], "name": f"Khu phố {i + 1}"}}
        certs.append(documents.render("giay-cong-nhan", data, agencies, number=i + 1).content)
    render_s = time.perf_counter() - start

    with ConverterPool() as pool:
        pages = len(PdfReader(io.BytesIO(pool.convert(decision))).pages)
        warm = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            pool.convert(decision)
            warm.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        result = pool.convert_many(certs)
        batch_s = time.perf_counter() - start
        assert result.ok and result.merged is not None, result.errors
        merged_pages = len(PdfReader(io.BytesIO(result.merged)).pages)

        sample = certs[: args.baseline]
        start = time.perf_counter()
        with ThreadPoolExecutor(pool.size) as ex:
            list(ex.map(pool.convert, sample))
        single_s = (time.perf_counter() - start) / len(sample) * args.count
        size = pool.size
    cold = _cold_ms(decision, soffice, args.cold)

    p50, cold_p50 = statistics.median(warm), statistics.median(cold)
    ratio_a, ratio_b = p50 / cold_p50, batch_s / single_s
    ok_a = p50 <= TARGET_P50_MS and ratio_a <= TARGET_RATIO
    ok_b = batch_s <= TARGET_BATCH_S
    print(f"pool size {size}; decision has {pages} pages; merged.pdf {merged_pages} pages; ")
    print(f"rendering {args.count} certificates to .docx took {render_s:.2f} s (not counted)\n")
    print("| case | ours | baseline | ratio | target | met |")
    print("|---|---:|---:|---:|---|---|")
    print(
        f"| (a) 2-page decision, p50 of {args.repeat} | {p50:.0f} ms "
        f"| {cold_p50:.0f} ms (cold soffice, p50 of {args.cold}) | {ratio_a:.3f} "
        f"| p50 <= {TARGET_P50_MS:.0f} ms, ratio <= {TARGET_RATIO} | {'yes' if ok_a else 'NO'} |"
    )
    print(
        f"| (b) {args.count} certificates + merged.pdf, batch path | {batch_s:.2f} s "
        f"({batch_s / args.count * 1000:.1f} ms each, {result.conversions} conversions) "
        f"| {single_s:.2f} s (one pooled conversion each: {len(sample)} timed, extrapolated) "
        f"| {ratio_b:.3f} | <= {TARGET_BATCH_S:.0f} s | {'yes' if ok_b else 'NO'} |"
    )
    return 0 if ok_a and ok_b else 1


if __name__ == "__main__":
    sys.exit(main())
