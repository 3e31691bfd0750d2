"""Build the benchmark corpus: the .py files of pinned PyPI sdists, plus planted known positives.

    python bench/build_corpus.py            # Django, SQLAlchemy, botocore: about 1.15M lines
    python bench/build_corpus.py --large    # and sympy: about 1.9M lines

Sdists are downloaded once with `pip download --no-deps --no-binary :all:` into bench/.work/dl
(pip builds each sdist's metadata, so the first download takes minutes) and checked against the
pinned sha256. The corpus is rebuilt from scratch in bench/corpus/, with:

- `<name>-<version>/...`: every .py file of the sdist (tests included: they are most of the code);
- `planted/services/...`: the known positives of `planted.py`;
- `manifest.json`: packages, file and line counts, and each planted site as (path, line);
- an empty `.git` folder and `.semgrepignore`, so that every tool sees the corpus as a project of
  its own: the repository's .gitignore (which ignores bench/corpus/) and semgrep's default
  ignore list (which skips tests/) would otherwise hide most of it from some tools and not others.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from planted import MARKER, PLANTED  # noqa: E402

DEFAULT_CORPUS = HERE / "corpus"
DOWNLOADS = HERE / ".work" / "dl"
PLANTED_DIR = "planted"
SKIPPED_FOLDERS = frozenset({"build", "dist", "node_modules", "venv", ".venv", "__pycache__"})


# (name, version, sdist file name, sha256 of the sdist)
PACKAGES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Django",
        "5.1.4",
        "Django-5.1.4.tar.gz",
        "de450c09e91879fa5a307f696e57c851955c910a438a35e6b4c895e86bedc82a",
    ),
    (
        "SQLAlchemy",
        "2.0.36",
        "sqlalchemy-2.0.36.tar.gz",
        "7f2767680b6d2398aea7082e45a774b2b0767b5c8d8ffb9c8b683088ea9b29c5",
    ),
    (
        "botocore",
        "1.35.80",
        "botocore-1.35.80.tar.gz",
        "b8dfceca58891cb2711bd6455ec4f7159051f3796e0f64adef9bb334f19d8a92",
    ),
)
LARGE_EXTRA: tuple[tuple[str, str, str, str], ...] = (
    (
        "sympy",
        "1.13.3",
        "sympy-1.13.3.tar.gz",
        "b27fd2c6530e0ab39e275fc9b683895367e51d5da91baa8d3d64db2565fec4d9",
    ),
)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(name: str, version: str, filename: str, sha256: str) -> Path:
    """The pinned sdist, downloaded once and verified every time."""
    target = DOWNLOADS / filename
    if not target.exists():
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        print(f"downloading {name}=={version} (pip prepares its metadata: this takes a while)")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--dest",
                str(DOWNLOADS),
                f"{name}=={version}",
            ],
            check=True,
        )
    actual = _sha256(target)
    if actual != sha256:
        raise SystemExit(f"{filename}: sha256 {actual} is not the pinned {sha256}")
    return target


def extract_python(archive: Path, dest: Path) -> tuple[int, int]:
    """Write the archive's .py files below `dest`, without its top folder; (files, lines)."""
    files = lines = 0
    with tarfile.open(archive) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".py"):
                continue
            parts = PurePosixPath(member.name).parts[1:]  # drop "<name>-<version>/"
            if not parts or any(p in ("", ".", "..") for p in parts):
                continue
            # Folders some tools skip by default and others do not: leave them out for all.
            if any(p in SKIPPED_FOLDERS for p in parts[:-1]):
                continue
            source = tar.extractfile(member)
            if source is None:
                continue
            data = source.read()
            out = dest.joinpath(*parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            files += 1
            lines += data.count(b"\n")
    return files, lines


def plant(corpus: Path) -> list[dict[str, object]]:
    """Write the planted files; each marked line becomes one expected finding."""
    expected: list[dict[str, object]] = []
    for relpath, source in PLANTED:
        out_lines = []
        for number, line in enumerate(source.splitlines(), start=1):
            if line.endswith(MARKER):
                line = line[: -len(MARKER)]
                path = f"{PLANTED_DIR}/{relpath}"
                expected.append({"path": path, "line": number, "code": line.strip()})
            out_lines.append(line)
        target = corpus / PLANTED_DIR / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(out_lines) + "\n")
    return expected


def build(corpus: Path, large: bool) -> dict[str, object]:
    packages = PACKAGES + (LARGE_EXTRA if large else ())
    archives = [(pkg, fetch(*pkg)) for pkg in packages]
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    (corpus / ".git").mkdir()
    (corpus / ".semgrepignore").write_text("# empty: scan everything, as the other tools do\n")
    summary: list[dict[str, object]] = []
    total_files = total_lines = 0
    for (name, version, filename, sha256), archive in archives:
        files, lines = extract_python(archive, corpus / f"{name}-{version}")
        summary.append(
            {"name": name, "version": version, "sdist": filename, "sha256": sha256}
            | {"files": files, "lines": lines}
        )
        total_files += files
        total_lines += lines
    expected = plant(corpus)
    planted_files = sorted({str(e["path"]) for e in expected})
    for path in planted_files:
        total_files += 1
        total_lines += (corpus / path).read_bytes().count(b"\n")
    manifest: dict[str, object] = {
        "packages": summary,
        "files": total_files,
        "lines": total_lines,
        "planted": expected,
    }
    (corpus / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="output folder")
    parser.add_argument("--large", action="store_true", help="add sympy (about 1.9M lines)")
    args = parser.parse_args()
    manifest = build(args.corpus, args.large)
    print(
        f"{args.corpus}: {manifest['files']} files, {manifest['lines']} lines, "
        f"{len(manifest['planted'])} planted positives"  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
