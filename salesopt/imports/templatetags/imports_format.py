"""Template filters of the import pages."""

from django import template

from salesopt.imports.presets import source_label as _source_label

register = template.Library()


@register.filter
def source_label(source: str) -> str:
    """An import's source as people read it ("Salesforce", not "salesforce")."""
    return _source_label(source)
