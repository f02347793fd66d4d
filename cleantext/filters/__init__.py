"""The built-in filters, one module per family. Each filter does one job."""

from cleantext.filters.encoding import FixMojibake, UnicodeHygiene
from cleantext.filters.possessives import RepairPossessives
from cleantext.filters.punctuation import SentenceSpacing, StrayPeriod
from cleantext.filters.residue import StripResidue
from cleantext.filters.whitespace import NormalizeWhitespace

__all__ = [
    "FixMojibake",
    "NormalizeWhitespace",
    "RepairPossessives",
    "SentenceSpacing",
    "StrayPeriod",
    "StripResidue",
    "UnicodeHygiene",
]
