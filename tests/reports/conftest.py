import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Report files land in a scratch MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
