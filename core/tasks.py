"""Core Celery tasks."""

from celery import shared_task


@shared_task(name="core.echo")
def echo(value):
    """Return `value`: lets an operator (and the test suite) see a worker answer through the broker."""
    return value


@shared_task(name="core.request_id")
def request_id():
    """The request id this job runs under: shows that the web request's id reached the worker."""
    from .request_id import current

    return current.get()
