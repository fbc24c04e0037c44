"""Django's Tasks API, from wherever this Django keeps it: built in from Django 6.0
(`django.tasks`), the django-tasks backport on 5.2. The site imports it from here only, so
moving to Django 6 is a matter of settings (README, "The background worker")."""

try:  # Django 6.0 and later
    from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskContext, TaskResultStatus, task, task_backends
    from django.tasks.signals import task_finished
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskContext, TaskResultStatus, task, task_backends
    from django_tasks.signals import task_finished

__all__ = ["DEFAULT_TASK_BACKEND_ALIAS", "TaskContext", "TaskResultStatus", "task", "task_backends", "task_finished"]
