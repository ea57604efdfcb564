from __future__ import annotations

import argparse
import importlib
import json
import textwrap
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from benchmarks.registry import BENCHMARKS


class Command(BaseCommand):
    help = "Run a benchmark: `bench NAME [options]`; figures go to bench-results/NAME.json."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "name", help=f"one of: {', '.join(sorted(BENCHMARKS)) or '(none)'}"
        )
        parser.add_argument("options", nargs=argparse.REMAINDER)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if name not in BENCHMARKS:
            raise CommandError(
                f"Unknown benchmark {name!r}; choose from {sorted(BENCHMARKS)}"
            )
        module = importlib.import_module(BENCHMARKS[name])
        parser = argparse.ArgumentParser(prog=f"manage.py bench {name}")
        module.add_arguments(parser)
        bench_options = parser.parse_args(options["options"])
        figures = module.run(bench_options, stdout=self.stdout)
        result = {
            "benchmark": name,
            "finished_at": timezone.now().isoformat(),
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "options": vars(bench_options),
            "figures": figures,
        }
        out_dir = settings.REPLYPAD_BENCH_DIR
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(result, indent=2, default=str))
        self._print_table(figures)
        self.stdout.write(f"written to {path}")

    def _print_table(self, figures: dict[str, Any]) -> None:
        rows = list(figures.items())
        width = max((len(key) for key, _ in rows), default=10)
        for key, value in rows:
            if isinstance(value, dict) and any("\n" in str(v) for v in value.values()):
                # Texts such as query plans: an indented block each.
                for name, text in value.items():
                    self.stdout.write(f"{key}.{name}:")
                    self.stdout.write(textwrap.indent(str(text), "    "))
            elif isinstance(value, dict):
                cells = "  ".join(f"{k}={v}" for k, v in value.items())
                self.stdout.write(f"{key:<{width}}  {cells}")
            else:
                self.stdout.write(f"{key:<{width}}  {value}")
