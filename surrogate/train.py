#!/usr/bin/python3
"""Script form of `python3 -m sarkit_surrogate.train` (sarkit_surrogate/train.py), kept for the documented path
`python3 surrogate/train.py ...`: Python puts this file's folder on sys.path, so the package imports as is."""
from sarkit_surrogate.train import main

if __name__ == "__main__":
    main()
