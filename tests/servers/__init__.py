"""The site run as production runs it — gunicorn, the background worker, a real database and
cache — in subprocesses started and stopped by the tests, driven over HTTP only."""
