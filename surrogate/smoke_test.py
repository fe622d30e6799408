#!/usr/bin/python3
"""Script form of `python3 -m sarkit_surrogate.smoke_test` (sarkit_surrogate/smoke_test.py), kept for the documented
path `python3 surrogate/smoke_test.py --data DS --out TMPDIR`."""
from sarkit_surrogate.smoke_test import main

if __name__ == "__main__":
    main()
