"""Facts of the Thai script every room reads, in a module that loads nothing else (the word tools of
`classifier.text` take a tenth of a second to import; a date or a number typed in Thai digits needs none of them)."""
from __future__ import annotations

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")  # Thai digits read as Arabic ones (str.translate)
