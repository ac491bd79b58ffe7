"""Core Celery tasks."""

from celery import shared_task


@shared_task(name="core.echo")
def echo(value):
    """Return `value`: lets an operator (and the test suite) see a worker answer through the broker."""
    return value
