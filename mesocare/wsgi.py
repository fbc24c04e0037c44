import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocare.settings")

application = get_wsgi_application()

# Loaded once by gunicorn's master (--preload) and shared by the workers it forks: keep the
# garbage collector off these objects, so that it does not copy the shared memory into each.
gc.freeze()
