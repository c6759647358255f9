"""The survey tests read English messages: pages and the API answer in English here (the product default is zh-Hans)."""

import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
