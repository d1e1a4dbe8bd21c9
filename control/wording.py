"""How messages name things: one rule for the article before a word."""

from __future__ import annotations

__all__ = ["a_or_an"]


def a_or_an(word: str) -> str:
    """``word`` with its indefinite article, for messages: "an image", "a font"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
