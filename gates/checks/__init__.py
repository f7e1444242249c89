"""One module or subpackage per gate; each defines ``GATE`` (see ``gates.gate``)."""
