"""Jobs: plans, what-ifs and validations run in the background, on an embedded queue or on Redis.

`service.routes_jobs` is the HTTP side, `service.jobs.service.JobsService` what it calls, `admission` the one
gate of new jobs, `kinds` the API side of each kind and `execution` the worker side (shared by the embedded
back end, `memory`, and `capplan worker`, `worker`, on Redis, `redis_backend`).
"""
