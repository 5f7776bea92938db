"""capplan's planning core: pure Python and OR-Tools, no web imports.

`plan(request)` returns an optimal (or best-found) schedule; `check_schedule` re-checks any schedule
independently of the model; `validate_request` lists every problem of a request.
"""
