"""capplan's HTTP service (FastAPI) and command line; the solver itself lives in `solver/`."""
