"""URL converters: an id longer than a bigint can only be unknown, so it never reaches the database."""

from django.urls import register_converter


class IdConverter:
    """A positive bigint id."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
