"""`python -m service [options]`: the same as `capplan serve [options]`."""

import sys

from service.cli import app

if __name__ == "__main__":  # guarded: solver worker processes import this module again
    app(args=["serve", *sys.argv[1:]], prog_name="python -m service")
