"""What every reader needs before parsing: the file exists, is not empty, is text (or the
binary format it claims), plus its fingerprint (sha256, size, date) for the build metadata."""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from etl.sources import SourceInvalide

MAGIE_PARQUET = b"PAR1"
MAGIE_ZIP = b"PK\x03\x04"
MAGIE_XLSX = MAGIE_ZIP  # an xlsx workbook is a zip archive
MAGIE_XLS = b"\xd0\xcf\x11\xe0"  # OLE2 (Excel 97-2003)
TAILLE_ENTETE = 64 * 1024


@dataclass(frozen=True)
class Empreinte:
    fichier: str
    sha256: str
    octets: int
    modifie: str

    def texte(self) -> str:
        return f"{self.fichier} ; {self.octets} octets ; modifié le {self.modifie} ; sha256 {self.sha256}"


def empreinte(path: Path) -> Empreinte:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for bloc in iter(lambda: fh.read(1 << 20), b""):
            h.update(bloc)
    st = path.stat()
    modifie = datetime.fromtimestamp(st.st_mtime, UTC).isoformat(timespec="seconds")
    return Empreinte(path.name, h.hexdigest(), st.st_size, modifie)


def existant(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise SourceInvalide(f"{path} : fichier introuvable.")
    if path.stat().st_size == 0:
        raise SourceInvalide(f"{path.name} : fichier vide.")
    return path


def debut(path: Path, n: int = TAILLE_ENTETE) -> bytes:
    """The first bytes of the (possibly gzip-compressed) file."""
    try:
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read(n)
        with open(path, "rb") as fh:
            return fh.read(n)
    except (OSError, EOFError) as exc:
        raise SourceInvalide(f"{path.name} : lecture impossible ({exc}).") from exc


def decoder(brut: bytes, nom: str, encodages: tuple[str, ...] = ("utf-8",)) -> tuple[str, str]:
    """Decode the head of a text file with the first encoding that works; (text, encoding).

    The head may end in the middle of a multi-byte character: an incremental decoder
    ignores that tail instead of failing on it."""
    if b"\x00" in brut:
        raise SourceInvalide(f"{nom} : fichier binaire (octet nul), texte CSV attendu.")
    for enc in encodages:
        try:
            texte = codecs.getincrementaldecoder(enc)().decode(brut, final=False)
        except UnicodeDecodeError:
            continue
        return texte.removeprefix("\ufeff"), enc
    raise SourceInvalide(f"{nom} : encodage illisible, {' ou '.join(encodages)} attendu.")


def entete_csv(texte: str, delimiteur: str) -> list[str]:
    """Column names of the header line, stripped (one report of trailing spaces)."""
    premiere = texte.splitlines()[0] if texte.strip() else ""
    if not premiere.strip():
        raise SourceInvalide("ligne d'en-tête vide")
    return [c.strip() for c in next(csv.reader(io.StringIO(premiere), delimiter=delimiteur))]


def extraire_zip(path: Path, dossier: Path) -> Path:
    """The single CSV of a zip archive, extracted into `dossier` (DuckDB does not read zip)."""
    try:
        with zipfile.ZipFile(path) as zf:
            membres = [m for m in zf.infolist() if m.filename.lower().endswith(".csv")]
            if len(membres) != 1:
                raise SourceInvalide(
                    f"{path.name} : l'archive doit contenir exactement un fichier .csv "
                    f"({len(membres)} trouvé(s))."
                )
            deja = Path(dossier) / membres[0].filename
            if deja.is_file() and deja.stat().st_size == membres[0].file_size:
                return deja  # extracted by this build already (the national comparisons reread it)
            return Path(zf.extract(membres[0], dossier))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise SourceInvalide(f"{path.name} : archive zip illisible ou tronquée ({exc}).") from exc


def ident(nom: str) -> str:
    """A SQL identifier, quoted (column names come from the file: never trusted)."""
    return '"' + nom.replace('"', '""') + '"'
