"""`make bench`: run every bench/*_bench.py in its own process; figures land in bench/results/."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failed = 0
    for script in sorted(HERE.glob("*_bench.py")):
        name = script.stem.removesuffix("_bench")
        if wanted and name not in wanted:
            continue
        print(f"== {name}", flush=True)
        failed |= subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
