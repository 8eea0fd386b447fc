"""Render speed: our engine vs a naive docxtpl render of the same template and context.

Prints, for each template, the median time to render its example to .docx bytes
through ``service.render.engine`` beside ``DocxTemplate(path).render(ctx,
autoescape=True).save()`` of the same template and context, in the same run,
and the ratio. Also ``quyet-dinh-cong-nhan`` with 50 units (target < 10 ms).

    .venv/bin/python bench/render.py [--repeat N]
"""

from __future__ import annotations

import argparse
import copy
import io
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from docxtpl import DocxTemplate

from config.settings import ROOT
from service import documents, templates
from service.agencies import AgencyDirectory
from service.render.engine import engine

TARGET_RATIO = 0.25
TARGET_MS_50 = 10.0


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm: the first call compiles
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _naive(path: str, ctx: dict[str, Any]) -> bytes:
    tpl = DocxTemplate(path)
    tpl.render(ctx, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _case(spec: templates.TemplateSpec, data: dict[str, Any], agencies: AgencyDirectory):
    prepared = documents.prepare(spec.id, data, agencies, number=149)
    ctx = documents.common_context(prepared)
    ctx.update(spec.module.context(prepared))
    ours = lambda: engine().render(spec.id, spec.docx_path, ctx)  # noqa: E731
    naive = lambda: _naive(str(spec.docx_path), copy.deepcopy(ctx))  # noqa: E731
    return ours, naive


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    agencies = AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")
    cases = [(spec.id, spec, spec.example()) for spec in templates.all_templates()]
    units50 = templates.get("quyet-dinh-cong-nhan").example()
    units50["units"] = [{"name": f"Khu phố {i}", "address": "Phường Bắc Sơn"} for i in range(1, 51)]
    cases.append(
        ("quyet-dinh-cong-nhan (50 units)", templates.get("quyet-dinh-cong-nhan"), units50)
    )
    print("| template | ours median ms | naive docxtpl median ms | ratio |")
    print("|---|---:|---:|---:|")
    ok = True
    for label, spec, data in cases:
        ours, naive = _case(spec, data, agencies)
        t_ours = _median_ms(ours, args.repeat)
        t_naive = _median_ms(naive, max(5, args.repeat // 5))
        ratio = t_ours / t_naive
        ok &= ratio <= TARGET_RATIO
        if "50 units" in label:
            ok &= t_ours < TARGET_MS_50
        print(f"| {label} | {t_ours:.2f} | {t_naive:.2f} | {ratio:.3f} |")
    print()
    print(
        f"targets: ratio <= {TARGET_RATIO}, quyet-dinh-cong-nhan (50 units) < {TARGET_MS_50} ms:"
        f" {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
