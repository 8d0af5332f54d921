"""Runs the nx-27017 server with its per-command INFO log turned down to warnings.

nx-27017 logs every wire command at INFO; under real traffic that fills DATA_DIR
with log lines and costs CPU on every request. Arguments are nx-27017's own.
"""
import logging
import sys

from nx_27017.nx_27017 import main

if __name__ == "__main__":
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    sys.argv[0] = "nx-27017"
    sys.exit(main())
